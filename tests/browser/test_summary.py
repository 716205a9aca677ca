"""The results page in the browser: the reasons for every question, "show only the ones I got wrong"
(a plain GET, so it works without JavaScript) and "practise these"."""

import pytest
from playwright.sync_api import expect

from quizzes.models import User
from quizzes.services.attempts import attempt_finish
from tests.browser.test_trainee_loop import heading_shown, sign_up
from tests.factories import make_quiz, take_quiz

pytestmark = pytest.mark.django_db(transaction=True)


def finished_attempt(username):
    quiz = make_quiz(questions=3, title="Bone metastases")
    return attempt_finish(attempt=take_quiz(User.objects.get(username=username), quiz, [True, False, True]))


@pytest.mark.parametrize("javascript", [True, False])
def test_a_summary_explains_every_answer_filters_to_the_wrong_ones_and_practises_them(
    page, page_without_js, assert_accessible, javascript
):
    page = page if javascript else page_without_js
    sign_up(page, "reviewer")
    attempt = finished_attempt("reviewer")
    page.goto(f"/attempts/{attempt.pk}/summary/")
    heading_shown(page, "Your results")
    expect(page.get_by_text("Rationale for Wrong 2a: this is why it is wrong.")).to_be_visible()
    expect(page.get_by_text("Explanation of question 1.")).to_be_visible()
    expect(page.get_by_text("Learning point of question 3.")).to_be_visible()
    if javascript:
        assert_accessible(page)

    page.get_by_role("button", name="Show only the ones I got wrong (1)").click()
    expect(page.get_by_role("heading", name="Question 2: Incorrect (0 of 10 points)")).to_be_visible()
    expect(page.get_by_text("Stem of question 1?")).to_have_count(0)
    if javascript:
        assert_accessible(page)

    page.get_by_role("button", name="Practise these 1 question").click()
    heading_shown(page, "Question 1 of 1")
    expect(page.get_by_text("Stem of question 2?")).to_be_visible()
