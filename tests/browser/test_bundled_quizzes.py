"""Every bundled quiz can be taken from start to summary in the browser."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from quizzes.models import Quiz
from tests.browser.test_trainee_loop import heading_shown
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bundled_quizzes(db):
    call_command("load_content", verbosity=0)
    return list(Quiz.objects.published().with_question_count())


def log_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(user.raw_password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_visible()


def answer_control(page):
    """The control that ends the answer on a question page of any kind: an option, the typed-answer box or
    the last stem's list (a hotspot question is answered on its image instead)."""
    if page.locator("#typed-answer").count():
        return page.locator("#typed-answer")
    if page.locator("form select").count():
        return page.locator("form select").last
    return page.locator(".option").last


def answer_anyhow(page):
    """Give some answer, right or wrong, as a trainee would: a click on a hotspot image, a typed diagnosis,
    an option for every matching stem, or the first option."""
    if page.locator("[data-hotspot-form]").count():
        page.locator("[data-hotspot-image]").click()
    elif page.locator("#typed-answer").count():
        page.locator("#typed-answer").fill("metastases")
    elif page.locator("form select").count():
        for stem in page.locator("form select").all():
            stem.select_option(index=1)  # the first option after "Choose…"
    else:
        page.locator('input[name="answer"]').first.check()


def test_each_bundled_quiz_runs_from_start_to_summary(page, bundled_quizzes, assert_accessible):
    log_in(page, make_user())
    assert len(bundled_quizzes) == 7
    for quiz in bundled_quizzes:
        page.goto("/")
        page.get_by_role("link", name=quiz.title, exact=True).click()
        page.get_by_role("button", name="Start quiz").click()
        for number in range(1, quiz.question_count + 1):
            heading_shown(page, f"Question {number} of {quiz.question_count}")
            if number == 1 or page.get_by_role("img").count():
                assert_accessible(page)  # the first stage of each quiz, and every image question
            answer_anyhow(page)
            page.get_by_role("button", name="Submit answer").click()
            expect(page.get_by_role("heading", name=re.compile("^(Correct|Incorrect)$"))).to_be_focused()
            if number < quiz.question_count:
                page.get_by_role("link", name="Next question").click()
        page.get_by_role("button", name="Finish and see your results").click()
        expect(page.get_by_role("heading", name="Your results")).to_be_visible()
        expect(
            page.get_by_text(re.compile(rf"\d+ / {quiz.question_count * 10} \(\d+%\)"))
        ).to_be_visible()  # 10 points a question
        assert_accessible(page)
