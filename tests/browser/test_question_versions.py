"""An educator reads a question's versions in the admin and restores one, by keyboard; the trainee's
results show the version they answered."""

import re

import pytest
from playwright.sync_api import expect

from quizzes.services.attempts import attempt_finish
from quizzes.services.educators import educator_create
from tests.browser.test_bundled_quizzes import log_in
from tests.browser.test_trainee_loop import heading_shown
from tests.factories import educator_change, make_quiz, make_user, questions_of, take_quiz

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def changed_after_an_answer(db):
    """A question a trainee answered (their attempt finished), then reworded by an educator."""
    trainee = make_user()
    quiz = make_quiz(questions=1)
    attempt = attempt_finish(attempt=take_quiz(trainee, quiz, [False]))
    question = questions_of(quiz)[0]
    with educator_change(question):
        question.stem = "Which option is right, now that the stem is clearer?"
        question.save()
    return trainee, attempt, question


def test_an_educator_reads_the_versions_and_restores_one_by_keyboard(page, changed_after_an_answer, assert_accessible):
    _trainee, _attempt, question = changed_after_an_answer
    educator_create(username="teacher", password="a-long-educator-pass-1")
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill("a-long-educator-pass-1")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/admin/quizzes/question/{question.pk}/change/")

    page.get_by_role("link", name="Versions", exact=True).focus()
    page.keyboard.press("Enter")
    heading_shown(page, f"Versions of {question.key}")
    expect(page.get_by_role("row", name=re.compile(r"Version 2 \(current\)"))).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Version 1", exact=True).focus()
    page.keyboard.press("Enter")
    heading_shown(page, f"{question.key}: version 1")
    expect(page.get_by_text("Stem of question 1?")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Restore this version").focus()
    page.keyboard.press("Enter")
    heading_shown(page, f"Restore version 1 of {question.key}?")
    assert_accessible(page)
    page.get_by_role("button", name="Yes, restore version 1").focus()
    page.keyboard.press("Enter")

    heading_shown(page, f"Versions of {question.key}")
    expect(page.get_by_text("Version 1 restored: Saved as version 3 of the question.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"Version 3 \(current\).*Restored version 1"))).to_be_visible()
    assert_accessible(page)


def test_the_trainees_results_show_the_version_they_answered(page, changed_after_an_answer, assert_accessible):
    trainee, attempt, _question = changed_after_an_answer
    log_in(page, trainee)

    page.goto(f"/attempts/{attempt.pk}/summary/")

    heading_shown(page, "Your results")
    expect(page.get_by_text("This is the question as you answered it")).to_be_visible()
    expect(page.get_by_text("Stem of question 1?")).to_be_visible()
    assert_accessible(page)
