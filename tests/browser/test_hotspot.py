"""Hotspot questions in the browser: a click inside or outside the target, a point picked with the
keyboard alone, an answer without JavaScript, and accessible pages before and after answering."""

import re

import pytest
from playwright.sync_api import expect

from quizzes.models import Response
from tests.browser.test_image_viewer import open_question
from tests.browser.test_trainee_loop import heading_shown, sign_up
from tests.factories import make_hotspot_question, make_quiz

pytestmark = pytest.mark.django_db(transaction=True)

# The factory's target: an ellipse centred on the image, 20% of its width and height across.
INSIDE, OUTSIDE = (0.52, 0.5), (0.1, 0.85)


@pytest.fixture
def hotspot_quiz(db):
    quiz = make_quiz(questions=0, title="Image quiz")
    make_hotspot_question(quiz=quiz, image_size=(800, 600), allow_no_abnormality=True)
    return quiz


def click_image_at(page, relative):
    image = page.locator("[data-hotspot-image]")
    box = image.bounding_box()
    image.click(position={"x": box["width"] * relative[0], "y": box["height"] * relative[1]})


def test_a_click_inside_the_target_is_correct_and_the_feedback_draws_the_target(page, hotspot_quiz, assert_accessible):
    open_question(page, hotspot_quiz)
    assert_accessible(page)
    expect(page.locator("[data-hotspot-region]")).to_have_count(0)

    click_image_at(page, INSIDE)
    expect(page.get_by_text(re.compile(r"Point chosen at 52% across, 50% down"))).to_be_visible()
    expect(page.locator("[data-hotspot-marker]")).to_be_visible()
    page.get_by_role("button", name="Submit answer").click()

    expect(page.get_by_role("heading", name="Correct")).to_be_focused()
    expect(page.get_by_text("inside the target", exact=True)).to_be_visible()
    expect(page.locator("[data-hotspot-region]")).to_be_visible()
    expect(page.locator('[data-hotspot-click="inside"]')).to_be_attached()
    expect(page.get_by_text("The cavitating nodule.")).to_be_visible()
    assert_accessible(page)
    saved = Response.objects.get()
    assert saved.point_x == pytest.approx(0.52, abs=0.01) and saved.point_y == pytest.approx(0.5, abs=0.01)


def test_a_click_outside_the_target_is_incorrect(page, hotspot_quiz):
    open_question(page, hotspot_quiz)

    click_image_at(page, OUTSIDE)
    page.get_by_role("button", name="Submit answer").click()

    expect(page.get_by_role("heading", name="Incorrect")).to_be_focused()
    expect(page.get_by_text("outside the target", exact=True)).to_be_visible()
    expect(page.locator('[data-hotspot-click="outside"]')).to_be_attached()


def test_submitting_without_a_point_asks_for_one_and_records_nothing(page, hotspot_quiz):
    open_question(page, hotspot_quiz)

    page.get_by_role("button", name="Submit answer").click()

    expect(page.get_by_text(re.compile("Choose a point on the image first"))).to_be_visible()
    assert not Response.objects.exists()


def test_an_answer_given_with_the_keyboard_alone(page, hotspot_quiz, assert_accessible):
    open_question(page, hotspot_quiz)
    stage = page.locator("[data-hotspot-stage]")
    page.locator("body").focus()
    for _ in range(30):  # Tab through the page, as a keyboard user does, to the image
        page.keyboard.press("Tab")
        if stage.evaluate("stage => stage === document.activeElement"):
            break
    expect(stage).to_be_focused()

    # The crosshair starts in the middle, inside the target: move it right and back, then choose.
    page.keyboard.press("Shift+ArrowRight")
    expect(page.locator("[data-hotspot-crosshair]")).to_be_visible()
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Point chosen at 50% across, 50% down.")).to_be_visible()
    assert_accessible(page)
    for _ in range(10):  # on past the confidence options to the submit button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim() === 'Submit answer'"):
            break
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Correct")).to_be_focused()
    assert (Response.objects.get().point_x, Response.objects.get().point_y) == (0.5, 0.5)


def test_no_abnormality_is_an_answer_of_its_own(page, hotspot_quiz):
    open_question(page, hotspot_quiz)
    click_image_at(page, INSIDE)  # a point chosen first does not count once "No abnormality" is pressed

    page.get_by_role("button", name="No abnormality").click()

    expect(page.get_by_role("heading", name="Incorrect")).to_be_focused()
    assert not Response.objects.get().has_point


def test_without_javascript_a_click_on_the_image_answers(page_without_js, hotspot_quiz):
    page = page_without_js
    open_question(page, hotspot_quiz)
    expect(page.get_by_role("button", name="Submit answer")).to_be_hidden()

    fallback = page.locator('input[type="image"][name="point"]')
    fallback.click(position={"x": 800 * INSIDE[0], "y": 600 * INSIDE[1]})

    expect(page.get_by_role("heading", name="Correct")).to_be_visible()
    assert Response.objects.get().is_correct


def test_an_educator_draws_a_target_on_the_image_in_the_admin_and_saves_it(page, hotspot_quiz):
    from quizzes.services.educators import educator_create

    educator_create(username="teacher", password="a-long-educator-pass-1")
    question = hotspot_quiz.questions.get()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill("a-long-educator-pass-1")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/admin/quizzes/question/{question.pk}/change/")

    page.get_by_role("button", name="Delete region 1").click()  # the old target goes; the new one is drawn
    page.get_by_role("button", name="Draw ellipse").click()
    canvas = page.locator(".hotspot-editor__canvas img")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3, steps=5)
    page.mouse.up()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text(re.compile("was changed successfully"))).to_be_visible()
    (region,) = question.regions.all()
    assert region.shape == "ellipse"
    assert region.geometry["cx"] == pytest.approx(0.25, abs=0.02) and region.geometry["rx"] == pytest.approx(
        0.05, abs=0.02
    )


def test_in_an_exam_a_click_is_saved_without_feedback_and_marked_at_the_end(page, assert_accessible):
    quiz = make_quiz(questions=0, title="Image exam", exam_minutes=5)
    make_hotspot_question(quiz=quiz, image_size=(800, 600))
    sign_up(page, "exam-clicker")
    page.goto(quiz.get_absolute_url())
    page.get_by_role("button", name="Start exam (5 min)").click()
    heading_shown(page, "Question 1 of 1")

    click_image_at(page, INSIDE)
    expect(page.locator("[data-hotspot-marker]")).to_be_visible()
    # The click is saved as it happens, like a change of option.
    expect(page.locator("#exam-state")).to_contain_text(re.compile(r"Answered: your saved point is \d+% across"))
    assert_accessible(page)
    page.get_by_role("button", name="Save answer").click()

    # Saved, and still nothing on the page says where the target is or whether the click was inside it.
    expect(page.get_by_role("button", name="Submit all")).to_be_visible()
    expect(page.locator("[data-hotspot-region]")).to_have_count(0)
    expect(page.get_by_text("inside the target")).to_have_count(0)
    page.get_by_role("button", name="Submit all").click()

    expect(page.get_by_role("heading", name="Your results")).to_be_visible()
    expect(page.locator(".verdict")).to_have_text(re.compile(r"Correct"))
    # The result shows the image with the target outlined and the click marked inside it.
    expect(page.get_by_text(re.compile(r"You clicked at about \d+% across and \d+% down the image"))).to_be_visible()
    expect(page.locator("[data-hotspot-figure] [data-hotspot-region]")).to_have_count(1)
    expect(page.locator('[data-hotspot-click="inside"]')).to_have_count(1)
    assert_accessible(page)
    assert Response.objects.get().is_correct
