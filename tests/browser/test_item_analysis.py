"""The item analysis page as an educator meets it: the figures with how much evidence they rest on, by
keyboard, axe clean; and a question without a source cited as its author's own on the trainee's page."""

import re

import pytest
from playwright.sync_api import expect

from quizzes.models import Question, User
from quizzes.services.attempts import answer_submit, attempt_finish, attempt_start
from quizzes.services.educators import educator_create
from tests.browser.test_bundled_quizzes import log_in
from tests.browser.test_trainee_loop import heading_shown
from tests.factories import make_hotspot_question, make_quiz, make_user, questions_of, right_choices

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_educator_reads_an_item_analysis_of_too_few_attempts_by_keyboard(page, assert_accessible):
    quiz = make_quiz(questions=2, title="Nodule patterns")
    Question.objects.filter(quiz=quiz, order=1).update(stem="Which **primary** most often cavitates?")
    hotspot = make_hotspot_question(quiz=quiz, order=3)
    for point in [(0.5, 0.5), (0.1, 0.9), (0.52, 0.48)]:
        attempt = attempt_start(user=make_user(), quiz=quiz)
        for question in questions_of(quiz)[:2]:
            answer_submit(attempt=attempt, question=question, chosen=right_choices(question))
        answer_submit(attempt=attempt, question=hotspot, point=point)
        attempt_finish(attempt=attempt)
    educator_create(username="teacher", password="a-long-educator-pass-1", display_name="Dr Teacher")
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill("a-long-educator-pass-1")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"/admin/quizzes/quiz/{quiz.pk}/analysis/")

    expect(page.get_by_text("3 first attempts: too few attempts to judge.")).to_be_visible()
    expect(page.get_by_text("Not yet: too few attempts to judge")).to_have_count(3)
    expect(page.get_by_text("Which primary most often cavitates?")).to_be_visible()
    expect(page.get_by_text("30.0 of 30 points")).to_be_visible()  # the mean score, in points
    expect(page.get_by_text(re.compile(r"not shown below 30 first attempts \(there are 3\)"))).to_be_visible()
    expect(page.locator("[data-hotspot-click]")).to_have_count(3)
    assert_accessible(page)
    download = page.get_by_role("link", name="Download every response (CSV)")
    for _ in range(40):  # past the admin's header and breadcrumbs, by the keyboard alone
        page.keyboard.press("Tab")
        if download.evaluate("link => link === document.activeElement"):
            break
    expect(download).to_be_focused()


def test_a_trainee_sees_a_question_without_a_source_cited_as_its_authors(page, assert_accessible):
    quiz = make_quiz(questions=1, title="Own questions")
    author = User.objects.create_user(
        username="ada-login", password="x-long-password-1", display_name="Dr Ada Byron", department="Radiology"
    )
    quiz.questions.update(author=author)
    questions_of(quiz)[0].sources.clear()
    log_in(page, make_user())

    page.get_by_role("link", name="Own questions").click()
    page.get_by_role("button", name="Start quiz").click()
    heading_shown(page, "Question 1 of 1")
    page.get_by_label("Right 1").check()
    page.get_by_role("button", name="Submit answer").click()

    expect(page.get_by_text("Written by Dr Ada Byron, Radiology")).to_be_visible()
    expect(page.get_by_text("Source:")).to_have_count(0)
    assert_accessible(page)
