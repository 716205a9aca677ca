"""A trainee with questions due for review sees them on the home page, reviews them, and sees fewer due."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_bundled_quizzes import log_in
from tests.browser.test_trainee_loop import heading_shown
from tests.factories import card_due, make_quiz, make_user, take_quiz

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def trainee_with_two_due(db):
    """Two questions due for review (one a day overdue), and one not due until next week."""
    user = make_user()
    quiz = make_quiz(questions=3, title="Skeletal metastases")
    now = timezone.now()
    questions = list(quiz.questions.in_quiz_order())
    for question, due in zip(
        questions, [now - datetime.timedelta(days=1), now, now + datetime.timedelta(days=7)], strict=False
    ):
        card_due(user, question, due)
    return user


def test_a_trainee_reviews_what_is_due_today_with_the_keyboard(page, trainee_with_two_due, assert_accessible):
    log_in(page, trainee_with_two_due)
    page.goto("/")
    heading_shown(page, "Due today: 2")
    assert_accessible(page)

    page.get_by_role("button", name="Review now").focus()
    page.keyboard.press("Enter")

    for number in (1, 2):
        heading_shown(page, f"Question {number} of 2")
        expect(page.get_by_role("heading", name="Due today (spaced repetition)", level=1)).to_be_visible()
        right = page.get_by_label(re.compile(r"Right \d$"))
        right.focus()
        page.keyboard.press("Space")
        expect(right).to_be_checked()
        page.get_by_role("radio", name="High: sure").check()
        page.get_by_role("button", name="Submit answer").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Correct")).to_be_focused()
        if number == 1:
            page.get_by_role("link", name="Next question").click()
            # The boosted link swaps the page in, then puts focus on the main content (site.js): wait for
            # that before choosing, or the key lands on whatever had focus a moment before.
            expect(page.locator("#main")).to_be_focused()
    page.get_by_role("button", name="Finish and see your results").click()
    expect(page.get_by_role("heading", name="Your results")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Quizzes").click()
    heading_shown(page, "Due today: 0")
    expect(page.get_by_text(re.compile(r"Nothing is due today\. The next question is due on"))).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My progress").click()
    expect(page.get_by_role("heading", name="Confidence and accuracy")).to_be_visible()
    expect(page.get_by_role("table", name="Accuracy at each confidence level, by topic")).to_be_visible()
    assert_accessible(page)


def test_the_due_today_panel_works_with_javascript_off(page_without_js, trainee_with_two_due):
    page = page_without_js
    log_in(page, trainee_with_two_due)
    page.goto("/")
    expect(page.get_by_role("heading", name="Due today: 2")).to_be_visible()

    page.get_by_role("button", name="Review now").click()
    expect(page.get_by_role("heading", name="Question 1 of 2")).to_be_visible()
    page.get_by_label(re.compile(r"Right \d$")).check()
    page.get_by_role("button", name="Submit answer").click()
    expect(page).to_have_url(re.compile(r"#feedback$"))

    page.goto("/")
    expect(page.get_by_role("heading", name="Due today: 1")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Continue Due today"))).to_be_visible()
    # One due-today set at a time: Review now goes back to it.
    expect(page.get_by_text("You have a due-today set in progress: Review now takes you back to it.")).to_be_visible()
    page.get_by_role("button", name="Review now").click()
    expect(page.get_by_role("heading", name="Question 2 of 2")).to_be_visible()


def test_the_home_page_continues_a_quiz_in_progress(page, assert_accessible):
    user = make_user()
    quiz = make_quiz(questions=3, title="Liver metastases")
    take_quiz(user, quiz, [True])
    log_in(page, user)
    page.goto("/")
    heading_shown(page, "Continue where you left off")
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Liver metastases"))
    expect(card).to_contain_text("in progress")
    assert_accessible(page)

    page.get_by_role("link", name="Continue Liver metastases").click()
    heading_shown(page, "Question 2 of 3")
