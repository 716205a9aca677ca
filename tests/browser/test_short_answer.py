"""Short-answer questions in the browser: typed and marked in tutor mode and in exam mode, with the keyboard
alone and axe-clean, and the same with JavaScript off."""

import pytest
from playwright.sync_api import expect

from quizzes.models import Response
from tests.browser.test_bundled_quizzes import log_in
from tests.browser.test_trainee_loop import heading_shown
from tests.factories import make_question, make_quiz, make_short_answer_question, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def typed_quiz(db):
    quiz = make_quiz(questions=0, title="Patterns of spread", exam_minutes=20)
    make_short_answer_question(quiz=quiz, order=1)
    make_question(quiz=quiz, order=2)
    return quiz


def start(page, quiz, button):
    log_in(page, make_user())
    page.goto(quiz.get_absolute_url())
    page.get_by_role("button", name=button).click()
    heading_shown(page, "Question 1 of 2")


def press_tab_until(page, name):
    """Tab on until the element with this accessible text (a button or link) has the focus."""
    for _ in range(30):
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {name!r}")


def submit_exam_by_keyboard(page):
    """From an exam question, on to "Review and submit all" and submitting, by Tab and Enter alone."""
    press_tab_until(page, "Review and submit all")
    page.keyboard.press("Enter")
    heading_shown(page, "Review and submit all")
    press_tab_until(page, "Submit all answers")
    page.keyboard.press("Enter")
    heading_shown(page, "Your results")


def test_a_typed_answer_in_tutor_mode_with_the_keyboard_alone(page, typed_quiz, assert_accessible):
    start(page, typed_quiz, "Start quiz (tutor mode)")
    assert_accessible(page)

    box = page.get_by_label("Your answer")
    box.focus()
    page.keyboard.type("Metastases")
    page.keyboard.press("Enter")  # submits, as in any form

    verdict = page.get_by_role("heading", name="Incorrect")
    expect(verdict).to_be_focused()
    expect(page.get_by_text("5 of 10 points (partial credit)")).to_be_visible()
    expect(page.get_by_text("You typed: “Metastases”")).to_be_visible()
    expect(page.get_by_text("It matched the accepted answer “metastases”, worth 50% of the marks.")).to_be_visible()
    expect(page.get_by_text("Be specific about the pattern.")).to_be_visible()
    expect(page.get_by_text("Model answer: miliary metastases")).to_be_visible()
    assert_accessible(page)

    page.keyboard.press("Enter")  # from the verdict, on to the next question
    heading_shown(page, "Question 2 of 2")
    assert Response.objects.get().typed_answer == "Metastases"


def test_a_refused_empty_answer_keeps_the_focus_in_the_box_beside_the_error(page, typed_quiz):
    start(page, typed_quiz, "Start quiz (tutor mode)")

    page.get_by_role("button", name="Submit answer").click()

    expect(page.get_by_role("alert")).to_have_text("Type your answer.")
    expect(page.get_by_label("Your answer")).to_be_focused()
    assert not Response.objects.exists()
    # The page answered 422 (as it should), which Chromium logs; that one line is expected.
    assert page.watch.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Content)"
    ]
    page.watch.console_errors.clear()


def test_a_typed_answer_in_exam_mode_with_the_keyboard_alone(page, typed_quiz, assert_accessible):
    start(page, typed_quiz, "Start exam (20 min)")
    assert_accessible(page)

    page.get_by_label("Your answer").focus()
    page.keyboard.type("millary metastases")
    page.keyboard.press("Tab")  # leaving the box saves it (htmx), without a verdict
    expect(page.locator("#exam-state")).to_have_text("Answered: your saved answer is “millary metastases”.")
    expect(page.get_by_text("Correct")).to_have_count(0)
    assert_accessible(page)

    submit_exam_by_keyboard(page)
    expect(page.get_by_text("You typed: “millary metastases”")).to_be_visible()
    expect(page.get_by_text("It matched the accepted answer “miliary metastases”.")).to_be_visible()
    assert_accessible(page)


def test_a_typed_answer_without_javascript_in_tutor_and_exam_mode(page_without_js, typed_quiz):
    page = page_without_js
    start(page, typed_quiz, "Start quiz (tutor mode)")
    page.get_by_label("Your answer").fill("sarcoidosis")
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_role("heading", name="Incorrect")).to_be_visible()
    expect(page.get_by_text("It matched none of the accepted answers.")).to_be_visible()

    exam_quiz = make_quiz(questions=0, title="Typed exam", exam_minutes=20)
    make_short_answer_question(quiz=exam_quiz, order=1)
    make_question(quiz=exam_quiz, order=2)
    page.goto(exam_quiz.get_absolute_url())
    page.get_by_role("button", name="Start exam (20 min)").click()
    heading_shown(page, "Question 1 of 2")
    page.get_by_label("Your answer").fill("Haematogenous metastases")
    page.get_by_role("button", name="Save answer").click()
    heading_shown(page, "Question 2 of 2")
    page.get_by_role("button", name="Previous question").click()
    heading_shown(page, "Question 1 of 2")
    expect(page.get_by_label("Your answer")).to_have_value("Haematogenous metastases")
    page.get_by_role("button", name="Review and submit all").click()
    heading_shown(page, "Review and submit all")
    page.get_by_role("button", name="Submit all answers").click()

    heading_shown(page, "Your results")
    expect(page.get_by_text("It matched the accepted answer “haematogenous metastases”.")).to_be_visible()
