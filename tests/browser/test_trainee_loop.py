"""A trainee signs up, takes a quiz with feedback appearing in place, and reaches the summary."""

import re

import pytest
from playwright.sync_api import expect

from quizzes.models import Question
from tests.factories import make_question, make_quiz

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def three_question_quiz(db):
    quiz = make_quiz(questions=2, title="Cannonball metastases")
    make_question(
        quiz=quiz,
        order=3,
        kind=Question.Kind.MULTIPLE,
        options=[("Right 3", True), ("Also right 3", True), ("Wrong 3a", False)],
    )
    return quiz


def heading_shown(page, name):
    """Wait for a page's heading and for the page to finish loading, so htmx is ready to take over."""
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    page.wait_for_load_state("load")


def sign_up(page, username="ada"):
    page.goto("/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Display name").fill("Dr Ada")
    page.get_by_label("Password:", exact=True).fill("a-strong-passphrase-9")
    page.get_by_label("Password confirmation:").fill("a-strong-passphrase-9")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_visible()


def test_sign_up_take_a_quiz_with_in_place_feedback_and_reach_the_summary(page, three_question_quiz, assert_accessible):
    page.goto("/accounts/signup/")
    assert_accessible(page)
    sign_up(page)
    assert_accessible(page)

    page.get_by_role("link", name="Cannonball metastases").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start quiz").click()

    for number in (1, 2):
        heading_shown(page, f"Question {number} of 3")
        assert_accessible(page)
        page.evaluate("window.stillTheSamePage = true")
        page.get_by_label(f"Right {number}").check()
        page.get_by_role("button", name="Submit answer").click()

        verdict = page.get_by_role("heading", name="Correct")
        expect(verdict).to_be_focused()
        assert page.evaluate("window.stillTheSamePage === true"), "feedback must arrive without a page load"
        expect(page.get_by_text(f"Rationale for Wrong {number}a")).to_be_visible()
        expect(page.get_by_text(f"{number} of 3 answered", exact=True)).to_be_visible()
        expect(page.get_by_role("status").filter(has_text="Correct.")).to_have_count(1)
        assert_accessible(page)
        page.get_by_role("link", name="Next question").click()

    heading_shown(page, "Question 3 of 3")
    page.get_by_role("checkbox", name="Right 3", exact=True).check()
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_role("heading", name="Incorrect")).to_be_focused()
    expect(page.get_by_text("5 of 10 points (partial credit)")).to_be_visible()  # one of the two right options
    expect(page.get_by_text("Score so far: 25 of 30 points")).to_be_visible()
    page.get_by_role("button", name="Finish and see your results").click()

    expect(page.get_by_role("heading", name="Your results")).to_be_visible()
    expect(page.get_by_text("25 / 30 (83%)")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="My progress").first.click()
    expect(page.get_by_role("heading", name="Accuracy by topic")).to_be_visible()
    assert_accessible(page)


def test_the_quiz_works_with_the_keyboard_alone(page, three_question_quiz):
    sign_up(page, "keyboard")
    page.goto(three_question_quiz.get_absolute_url())
    page.get_by_role("button", name="Start quiz").focus()
    page.keyboard.press("Enter")
    heading_shown(page, "Question 1 of 3")

    # Tab reaches the options' group; arrow keys move between radios; Space selects.
    page.get_by_role("radio").first.focus()
    page.keyboard.press("Space")
    # Tab moves on to the optional confidence group, where arrow keys pick a level.
    page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name="Low: a guess")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="Medium")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Submit answer")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name=re.compile("Correct|Incorrect"))).to_be_focused()
    page.keyboard.press("Tab")
    # From the feedback, the keyboard moves on through the rationale to "Next question".
    for _ in range(10):
        if page.evaluate("document.activeElement.textContent.trim()") == "Next question":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Question 2 of 3")).to_be_visible()


def test_the_quiz_works_with_javascript_off(page_without_js, three_question_quiz):
    page = page_without_js
    sign_up(page, "nojs")
    page.goto(three_question_quiz.get_absolute_url())
    page.get_by_role("button", name="Start quiz").click()

    page.get_by_label("Right 1").check()
    page.get_by_role("button", name="Submit answer").click()

    expect(page).to_have_url(re.compile(r"#feedback$"))
    expect(page.get_by_role("heading", name="Correct")).to_be_visible()
    expect(page.get_by_text("1 of 3 answered", exact=True)).to_be_visible()
    page.get_by_role("link", name="Next question").click()
    page.get_by_role("button", name="Submit answer").click()  # nothing chosen
    expect(page.get_by_text("Choose an option.")).to_be_visible()
    # The page answered 422 (as it should), which Chromium logs; that one line is expected.
    assert page.watch.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Content)"
    ]
    page.watch.console_errors.clear()


@pytest.mark.parametrize("javascript", [True, False])
def test_a_refused_submit_keeps_focus_on_the_first_option_beside_the_error(
    page, page_without_js, three_question_quiz, assert_accessible, javascript
):
    page = page if javascript else page_without_js
    sign_up(page, "hasty")
    page.goto(three_question_quiz.get_absolute_url())
    page.get_by_role("button", name="Start quiz").click()
    heading_shown(page, "Question 1 of 3")
    expect(page.get_by_text("No answers yet.")).to_be_visible()

    page.get_by_role("button", name="Submit answer").click()

    expect(page.locator("#answer-error")).to_be_visible()
    expect(page.get_by_role("radio").first).to_be_focused()
    if javascript:
        assert_accessible(page)
    # The page answered 422 (as it should), which Chromium logs; that one line is expected.
    assert page.watch.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Content)"
    ]
    page.watch.console_errors.clear()
