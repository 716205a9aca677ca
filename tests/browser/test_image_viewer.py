"""The image viewer: zoom and pan by mouse and keyboard, reset, and no JavaScript needed to see the image."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from quizzes.services.questions import question_image_set
from tests.browser.test_bundled_quizzes import log_in
from tests.browser.test_trainee_loop import heading_shown
from tests.factories import make_quiz, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def image_quiz(db):
    quiz = make_quiz(questions=1, title="Image quiz")
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 90, 90)).save(buffer, format="PNG")
    question_image_set(
        question=quiz.questions.get(),
        data=buffer.getvalue(),
        name="chest.png",
        alt="Schematic illustration, not a patient image: frontal chest",
    )
    return quiz


def open_question(page, quiz):
    log_in(page, make_user())
    page.goto(quiz.get_absolute_url())
    page.get_by_role("button", name="Start quiz").click()
    heading_shown(page, "Question 1 of 1")


def zoom(page):
    return float(page.locator("[data-viewer]").get_attribute("data-zoom"))


def test_zoom_in_and_out_with_buttons_wheel_and_keys_then_reset(page, image_quiz, assert_accessible):
    open_question(page, image_quiz)
    assert_accessible(page)

    page.get_by_role("button", name="Zoom in").click()
    assert zoom(page) == pytest.approx(1.25)
    page.locator("[data-stage]").hover()
    page.mouse.wheel(0, -100)
    assert zoom(page) > 1.25

    stage = page.get_by_role(
        "group",
        name="Image viewer: Schematic illustration, not a patient image: frontal chest. Plus and minus zoom, arrow keys pan, 0 resets.",
    )
    stage.focus()
    page.keyboard.press("+")
    zoomed = zoom(page)
    before = page.locator("[data-viewer-image]").evaluate("image => image.style.transform")
    page.keyboard.press("ArrowLeft")
    assert page.locator("[data-viewer-image]").evaluate("image => image.style.transform") != before
    page.keyboard.press("-")
    assert zoom(page) < zoomed

    page.get_by_label("Brightness").fill("150")
    assert "brightness(150%)" in page.locator("[data-viewer-image]").evaluate("image => image.style.filter")
    expect(page.get_by_label("Brightness")).to_have_attribute("aria-valuetext", "150%")
    expect(page.locator('[data-value-of="brightness"]')).to_have_text("150%")  # shown beside its slider
    page.get_by_role("button", name="Reset").click()
    assert zoom(page) == 1
    assert "brightness(100%)" in page.locator("[data-viewer-image]").evaluate("image => image.style.filter")
    expect(page.get_by_role("status", name="Zoom")).to_have_text("100%")
    expect(page.get_by_label("Brightness")).to_have_attribute("aria-valuetext", "100%")


def test_without_javascript_the_full_image_shows_and_the_tools_stay_hidden(page_without_js, image_quiz):
    page = page_without_js
    open_question(page, image_quiz)

    image = page.get_by_role("img", name="Schematic illustration, not a patient image: frontal chest")
    expect(image).to_be_visible()
    assert image.evaluate("image => image.naturalWidth") == 1200
    expect(page.get_by_role("button", name="Zoom in")).to_be_hidden()
