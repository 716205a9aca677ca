"""A new educator's way through the admin, from its front page: a quiz, a hotspot question drawn on before
its first save, a single-best-answer question whose refused save keeps its image, a preview of both and
back, publishing; a trainee answers; the item analysis opened from the quiz page. Every admin page on
the way passes axe; the kind chooser and the way back from the preview work by keyboard."""

import re

import pytest
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from quizzes.models import Question, Quiz, Topic
from quizzes.services.educators import educator_create
from tests.browser.conftest import make_page
from tests.browser.test_bundled_quizzes import log_in
from tests.browser.test_trainee_loop import heading_shown
from tests.factories import make_quiz, make_source, make_user

pytestmark = pytest.mark.django_db(transaction=True)

# Where the educator drags the ellipse, as fractions of the image: its centre is (0.25, 0.25).
DRAG_FROM, DRAG_TO = (0.15, 0.15), (0.35, 0.35)


@pytest.fixture
def library(db):
    make_source(title="Pulmonary metastases", publisher="Radiopaedia")
    Topic.objects.create(name="Pulmonary metastases", slug="pulmonary-metastases")


def schematic_png(path):
    picture = Image.new("RGB", (400, 300), (25, 25, 25))
    ImageDraw.Draw(picture).ellipse((80, 55, 120, 95), fill=(200, 200, 200))  # the nodule, about (0.25, 0.25)
    picture.save(path, format="PNG")
    return path


def point_at(page, locator, relative):
    box = page.locator(locator).bounding_box()
    return box["x"] + box["width"] * relative[0], box["y"] + box["height"] * relative[1]


def admin_log_in(page):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill("a-long-educator-pass-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Questions, quizzes and cohorts")).to_be_visible()


def choose_kind_by_keyboard(page, kind):
    """On the kind chooser: focus the kind's radio button, tick it with Space, Tab to Continue, Enter."""
    expect(page.get_by_role("heading", name="Add a question: choose its kind")).to_be_visible()
    page.get_by_label(re.compile(f"^{re.escape(kind)}:")).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Continue")).to_be_focused()
    page.keyboard.press("Enter")


def write_hotspot_question(page, key, image):
    """Fill in a hotspot question's form, all but its regions."""
    page.get_by_label("Key:").fill(key)
    page.get_by_label("Stem:").fill("Click on the round shape in this schematic drawing.")
    page.get_by_label("Image:").set_input_files(image)
    page.get_by_label("Image alt text:").fill("Schematic drawing, not a patient image: a round shape on a dark field")
    fill_feedback(page)


def draw_ellipse(page):
    page.get_by_role("button", name="Draw ellipse").click()
    page.mouse.move(*point_at(page, ".hotspot-editor__canvas img", DRAG_FROM))
    page.mouse.down()
    page.mouse.move(*point_at(page, ".hotspot-editor__canvas img", DRAG_TO), steps=5)
    page.mouse.up()


def fill_feedback(page):
    page.get_by_label("Explanation:").fill("The target is the round shape in the upper left of the drawing.")
    page.get_by_label("Learning point:").fill("Look at the whole image before answering.")
    page.get_by_label("Sources:").select_option(index=0)


def test_a_new_educator_writes_previews_and_publishes_a_quiz_that_a_trainee_answers(
    browser, live_server, page, library, tmp_path, assert_accessible
):
    educator_create(username="teacher", password="a-long-educator-pass-1")
    image = str(schematic_png(tmp_path / "nodule.png"))
    admin_log_in(page)
    expect(page.get_by_role("heading", name="Start here")).to_be_visible()
    assert_accessible(page)

    # A quiz, from the admin's front page.
    page.locator("tr.model-quiz").get_by_role("link", name="Add").click()
    page.get_by_label("Title:").fill("Nodules for beginners")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Slug:")).to_have_value("nodules-for-beginners")  # filled in from the title
    page.get_by_label("Topic:").select_option(label="Pulmonary metastases")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text(re.compile("was added successfully"))).to_be_visible()
    quiz = Quiz.objects.get(slug="nodules-for-beginners")
    assert quiz.status == Quiz.Status.DRAFT
    assert_accessible(page)

    # A hotspot question: the image chosen is drawn on at once, and one save keeps both.
    page.get_by_role("link", name="Add a question to this quiz").click()
    assert_accessible(page)
    choose_kind_by_keyboard(page, "Click on the image (hotspot)")
    expect(page.get_by_role("heading", name="Hotspot (click on the image)")).to_be_visible()
    expect(page.locator("#id_choices-TOTAL_FORMS")).to_have_count(0)
    expect(page.get_by_text("Choose the question's image (the Image field) to draw")).to_be_visible()
    assert_accessible(page)
    write_hotspot_question(page, "find-the-nodule", image)
    canvas = page.locator(".hotspot-editor__canvas img")
    expect(canvas).to_be_visible()
    expect(canvas).to_have_attribute("src", re.compile("^blob:"))
    draw_ellipse(page)
    expect(page.get_by_text("Region 1: ellipse")).to_be_visible()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("The question “find-the-nodule” was added successfully.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Change quiz"))).to_be_visible()
    hotspot = Question.objects.get(key="find-the-nodule")
    (region,) = hotspot.regions.all()
    assert hotspot.is_hotspot and hotspot.thumbnail and region.shape == "ellipse"
    assert region.geometry["cx"] == pytest.approx(0.25, abs=0.02) and not hotspot.choices.exists()

    # A single-best-answer question: the first save is refused, and its image is kept for the second.
    page.get_by_role("link", name="Add a question to this quiz").click()
    choose_kind_by_keyboard(page, "Single best answer")
    expect(page.locator("[data-hotspot-editor]")).to_have_count(0)
    page.get_by_label("Key:").fill("which-label")
    page.get_by_label("Stem:").fill("Which label is on the round shape in this drawing?")
    page.locator("#id_image").set_input_files(image)
    page.get_by_label("Image alt text:").fill("Schematic drawing, not a patient image: a labelled round shape")
    fill_feedback(page)
    page.locator("#id_choices-0-text").fill("Label A")
    page.locator("#id_choices-0-rationale").fill("Label A is on the round shape.")
    page.locator("#id_choices-0-is_correct").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Please correct the errors below.")).to_be_visible()
    expect(
        page.locator("tr.has_original, tr.form-row").nth(1).get_by_text("This field is required.").first
    ).to_be_visible()
    expect(page.get_by_text(re.compile(r"Kept from your last try: nodule\.png"))).to_be_visible()
    expect(page.get_by_role("searchbox", name="Tags")).to_be_attached()  # select2's search box, named
    assert_accessible(page)
    page.locator("#id_choices-1-text").fill("Label B")
    page.locator("#id_choices-1-rationale").fill("Label B is on the dark field.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("The question “which-label” was added successfully.")).to_be_visible()
    single = Question.objects.get(key="which-label")
    assert single.image and single.thumbnail and single.choices.count() == 2
    assert default_storage.listdir("pending")[1] == []  # the kept image was used, then let go

    # Preview both, drafts as they are, and come back by keyboard.
    page.get_by_role("link", name="Preview the quiz").click()
    heading_shown(page, "Question 1 of 2")
    assert_accessible(page)
    answer_both(page, "Label A", "Correct")
    page.get_by_role("link", name="Back to the admin").last.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Change quiz"))).to_be_visible()
    assert page.url.endswith(f"/admin/quizzes/quiz/{quiz.pk}/change/")

    # Publish, after the confirmation.
    page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name="Quizzes").last.click()
    page.get_by_role("row", name=re.compile("Nodules for beginners")).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Publish the selected quizzes")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_role("heading", name="Publish these quizzes?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Yes, publish them").click()
    expect(page.get_by_text("Published 1 quiz(zes): trainees see them now.")).to_be_visible()
    assert_accessible(page)
    quiz.refresh_from_db()
    assert quiz.status == Quiz.Status.PUBLISHED

    # A trainee answers both.
    trainee_context, trainee = make_page(browser, live_server)
    log_in(trainee, make_user())
    trainee.get_by_role("link", name="Nodules for beginners").click()
    trainee.get_by_role("button", name="Start quiz").click()
    answer_both(trainee, "Label B", "Incorrect")
    trainee.get_by_role("button", name="Finish and see your results").click()
    expect(trainee.get_by_role("heading", name="Your results")).to_be_visible()
    trainee.watch.assert_clean()
    trainee_context.close()

    # The item analysis, from the quiz page.
    page.get_by_role("link", name="Nodules for beginners", exact=True).click()
    page.get_by_role("link", name="Item analysis", exact=True).click()
    expect(page.get_by_role("heading", name="Item analysis: Nodules for beginners")).to_be_visible()
    expect(page.get_by_text("1 first attempt: too few attempts to judge.")).to_be_visible()
    assert_accessible(page)


def answer_both(page, label, verdict):
    """Click on the nodule in question 1 (right), then choose `label` in question 2, judged `verdict`."""
    heading_shown(page, "Question 1 of 2")
    image = page.locator("[data-hotspot-image]")
    box = image.bounding_box()
    image.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.25})
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_role("heading", name="Correct")).to_be_focused()
    page.get_by_role("link", name="Next question").click()
    heading_shown(page, "Question 2 of 2")
    page.get_by_label(label).check()
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_role("heading", name=verdict)).to_be_focused()


def test_the_question_and_quiz_lists_fit_a_1366_pixel_screen(browser, live_server, assert_accessible):
    educator_create(username="teacher", password="a-long-educator-pass-1")
    for number in range(3):
        make_quiz(questions=4, title=f"Case: a long quiz title about pleural and pulmonary findings {number}")
    context, page = make_page(browser, live_server, viewport={"width": 1366, "height": 768})
    admin_log_in(page)

    for url, link in [("/admin/quizzes/question/", "Preview"), ("/admin/quizzes/quiz/", "Item analysis")]:
        page.goto(url)
        results = page.locator(".results").bounding_box()
        last = page.get_by_role("link", name=re.compile(f"^{link}")).first.bounding_box()
        assert last["x"] + last["width"] <= results["x"] + results["width"], f"{link} is cut off on {url}"
        assert page.evaluate(
            "document.querySelector('.results').scrollWidth <= document.querySelector('.results').clientWidth"
        )
        assert_accessible(page)
    page.watch.assert_clean()
    context.close()


def test_without_javascript_a_hotspot_question_is_written_by_changing_kind_and_typing_its_regions(
    page_without_js, library, tmp_path
):
    page = page_without_js
    educator_create(username="teacher", password="a-long-educator-pass-1")
    quiz = make_quiz(questions=0, title="Typed targets")
    admin_log_in(page)
    page.goto(f"/admin/quizzes/question/add/?quiz={quiz.pk}")
    page.get_by_label(re.compile("^Single best answer:")).check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("Kind:").select_option(label="Click on the image (hotspot)")
    page.get_by_role("button", name="Change kind").click()
    expect(page.get_by_role("heading", name="Hotspot (click on the image)")).to_be_visible()
    write_hotspot_question(page, "typed-target", str(schematic_png(tmp_path / "nodule.png")))
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text(re.compile("needs at least one target region"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"The image you chose is kept\."))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Kept from your last try: nodule\.png"))).to_be_visible()
    page.get_by_label("Target regions:").fill(
        '[{"shape": "ellipse", "geometry": {"cx": 0.25, "cy": 0.25, "rx": 0.06, "ry": 0.08}, "feedback": ""}]'
    )
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("The question “typed-target” was added successfully.")).to_be_visible()
    question = Question.objects.get(key="typed-target")
    assert question.is_hotspot and question.image and question.regions.get().geometry["cx"] == 0.25


def test_a_hotspot_question_saved_before_drawing_keeps_its_image_in_the_region_editor(
    page, library, tmp_path, assert_accessible
):
    educator_create(username="teacher", password="a-long-educator-pass-1")
    quiz = make_quiz(questions=0, title="Drawn later")
    admin_log_in(page)
    page.goto(f"/admin/quizzes/question/add/?quiz={quiz.pk}&kind=hotspot")
    write_hotspot_question(page, "drawn-later", str(schematic_png(tmp_path / "nodule.png")))
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text(re.compile(r"The image you chose is kept\."))).to_be_visible()
    canvas = page.locator(".hotspot-editor__canvas img")
    expect(canvas).to_have_attribute("src", re.compile("^/admin/quizzes/question/kept-image/"))
    expect(canvas).to_have_js_property("complete", True)
    assert canvas.evaluate("image => image.naturalWidth") == 400
    assert_accessible(page)
    draw_ellipse(page)
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("The question “drawn-later” was added successfully.")).to_be_visible()
    question = Question.objects.get(key="drawn-later")
    assert question.image and question.regions.get().shape == "ellipse"
