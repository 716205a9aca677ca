"""A trainee takes a quiz as an exam: answers saved without feedback, flags, moving between questions,
"Submit all", and a countdown that ends the exam when its time runs out."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.models import Attempt
from tests.browser.test_trainee_loop import heading_shown, sign_up
from tests.factories import make_quiz

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def exam_quiz(db):
    return make_quiz(questions=3, title="Skeletal metastases", exam_minutes=20)


def start_exam(page, quiz):
    page.goto(quiz.get_absolute_url())
    page.get_by_role("button", name="Start exam (20 min)").click()
    heading_shown(page, "Question 1 of 3")


def test_an_exam_that_runs_out_of_time_ends_on_the_results_with_the_saved_answers_counted(page, exam_quiz):
    sign_up(page, "timed")
    start_exam(page, exam_quiz)
    expect(page.get_by_text("Time remaining:")).to_be_visible()
    page.get_by_label("Right 1").check()
    page.get_by_role("button", name="Save answer").click()
    heading_shown(page, "Question 2 of 3")
    expect(page.get_by_text("Answer to question 1 saved.")).to_be_visible()

    # The countdown speaks in a polite live region only at thresholds: here, one minute left.
    exam = Attempt.objects.get(user__username="timed")
    Attempt.objects.filter(pk=exam.pk).update(deadline=timezone.now() + datetime.timedelta(seconds=62))
    page.reload()
    announcement = page.locator("[data-exam-announcement]")
    expect(announcement).to_have_attribute("role", "status")
    expect(announcement).to_have_text("")  # 10 and 5 minutes had passed when the page loaded: not announced
    expect(announcement).to_have_text("1 minute left.", timeout=5_000)

    # An exam of a few seconds: the deadline moves close (still after the start, as the schema requires).
    Attempt.objects.filter(pk=exam.pk).update(deadline=timezone.now() + datetime.timedelta(seconds=4))
    page.reload()
    heading_shown(page, "Question 2 of 3")
    remaining = page.locator("[data-exam-remaining]")
    expect(remaining).to_have_text(re.compile(r"^[1-4] s$"))
    page.get_by_label("Right 2").check()  # chosen, never "Save answer": saved as it happens all the same
    expect(page.locator("#exam-state")).to_contain_text("Answered")

    # No click: the countdown reaches zero and reloads, and the server finishes the exam.
    expect(page.get_by_role("heading", name="Your results")).to_be_visible(timeout=15_000)
    expect(
        page.get_by_text(
            re.compile(
                r"Time ran out at \d\d:\d\d; answered questions were scored, "
                r"the rest count as unanswered\."
            )
        )
    ).to_be_visible()
    expect(page.get_by_text("20 / 30 (67%)")).to_be_visible()
    exam.refresh_from_db()
    assert exam.finished_at == exam.deadline and exam.score == 20
    assert exam.responses.count() == 2


def test_the_exam_works_with_the_keyboard_alone(page, exam_quiz, assert_accessible):
    sign_up(page, "keys")
    page.goto(exam_quiz.get_absolute_url())
    page.get_by_role("button", name="Start exam (20 min)").focus()
    page.keyboard.press("Enter")
    heading_shown(page, "Question 1 of 3")
    assert_accessible(page)

    # Tab reaches the options' group; Space selects; Tab moves on to "Save answer".
    page.get_by_role("radio").first.focus()
    page.keyboard.press("Space")
    chosen = page.evaluate("document.activeElement.labels[0].textContent.trim()")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save answer")).to_be_focused()
    page.keyboard.press("Enter")
    heading_shown(page, "Question 2 of 3")

    # Flag the question: the next Tab stops after "Save answer" reach "Flag for review".
    page.get_by_role("button", name="Save answer").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Flag for review")).to_be_focused()
    page.keyboard.press("Enter")
    # Swapped in place without a reload: the control keeps the focus and the navigator says it.
    expect(page.get_by_role("button", name="Remove flag")).to_be_focused()
    expect(page.get_by_role("listitem").filter(has_text="Question 2")).to_contain_text("not answered, ⚑ flagged")
    expect(page.get_by_text("1 of 3 answered, 2 not answered, 1 flagged for review.")).to_be_visible()
    assert_accessible(page)

    # Back to question 1 with the keyboard: its saved answer is still chosen.
    page.get_by_role("button", name="Remove flag").focus()
    for _ in range(6):
        if page.evaluate("document.activeElement.textContent.trim()") == "Previous question":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    heading_shown(page, "Question 1 of 3")
    expect(page.get_by_label(chosen[1:].strip())).to_be_checked()
    expect(page.get_by_text(re.compile(r"^Answered: your saved answer is [A-D]\."))).to_be_visible()

    page.get_by_role("button", name="Review and submit all").focus()
    page.keyboard.press("Enter")
    heading_shown(page, "Review and submit all")
    expect(page.get_by_role("heading", name="Flagged for review (1)")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Submit all answers").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your results")).to_be_visible()


def test_the_exam_works_with_javascript_off(page_without_js, exam_quiz):
    page = page_without_js
    sign_up(page, "nojs-exam")
    start_exam(page, exam_quiz)
    expect(page.locator("[data-exam-remaining]")).to_have_text(re.compile(r"^(20 min 00 s|19 min \d\d s)$"))

    page.get_by_label("Wrong 1a").check()
    page.get_by_role("button", name="Save answer").click()
    heading_shown(page, "Question 2 of 3")
    page.get_by_role("button", name="Previous question").click()
    heading_shown(page, "Question 1 of 3")
    expect(page.get_by_label("Wrong 1a")).to_be_checked()
    page.get_by_label("Right 1").check()  # a change of mind
    page.get_by_role("button", name="Save answer").click()
    heading_shown(page, "Question 2 of 3")
    page.get_by_role("button", name="Next question").click()
    heading_shown(page, "Question 3 of 3")
    page.get_by_label("Right 3").check()
    page.get_by_role("button", name="Save answer").click()

    heading_shown(page, "Review and submit all")
    expect(page.get_by_text("You have answered 2 of 3 questions.")).to_be_visible()
    expect(page.get_by_role("heading", name="Not answered (1)")).to_be_visible()
    # (axe needs JavaScript, so the accessibility checks are in the keyboard test above.)
    page.get_by_role("button", name="Submit all answers").click()

    expect(page.get_by_role("heading", name="Your results")).to_be_visible()
    expect(page.get_by_text("20 / 30 (67%)")).to_be_visible()
    expect(page.get_by_text("Time ran out")).to_have_count(0)


def navigator_button(page, position):
    return page.get_by_role("navigation", name="All questions").get_by_role("button", name=f"Question {position}")


def change_then_navigate_by_every_control(page, exam_quiz):
    """Choose an answer, then leave by Next, Previous, the navigator and "Review and submit all" in turn,
    each time without pressing Save answer, and find every answer saved."""
    start_exam(page, exam_quiz)
    page.get_by_label("Wrong 1a").check()
    page.get_by_role("button", name="Next question").click()
    heading_shown(page, "Question 2 of 3")
    page.get_by_label("Right 2").check()
    page.get_by_role("button", name="Previous question").click()
    heading_shown(page, "Question 1 of 3")
    expect(page.get_by_label("Wrong 1a")).to_be_checked()
    page.get_by_label("Right 1").check()  # a change of mind
    navigator_button(page, 3).click()
    heading_shown(page, "Question 3 of 3")
    page.get_by_label("Right 3").check()
    page.get_by_role("button", name="Review and submit all").click()
    heading_shown(page, "Review and submit all")
    expect(page.get_by_text("You have answered 3 of 3 questions.")).to_be_visible()
    exam = Attempt.objects.get(user__username=page.username)
    saved = {response.question.order: response.is_correct for response in exam.responses.select_related("question")}
    assert saved == {1: True, 2: True, 3: True}


def test_an_exam_answer_is_saved_by_every_navigation_control_with_javascript(page, exam_quiz, assert_accessible):
    sign_up(page, "navigates")
    page.username = "navigates"
    change_then_navigate_by_every_control(page, exam_quiz)
    assert_accessible(page)


def test_an_exam_answer_is_saved_by_every_navigation_control_without_javascript(page_without_js, exam_quiz):
    sign_up(page_without_js, "navigates-nojs")
    page_without_js.username = "navigates-nojs"
    change_then_navigate_by_every_control(page_without_js, exam_quiz)


def test_a_changed_answer_is_saved_as_it_happens_with_javascript(page, exam_quiz, assert_accessible):
    sign_up(page, "changes")
    start_exam(page, exam_quiz)
    page.get_by_label("Wrong 1a").check()
    expect(page.get_by_text(re.compile(r"^Answered: your saved answer is [A-D]\."))).to_be_visible()
    expect(page.get_by_text("1 of 3 answered, 2 not answered, 0 flagged for review.")).to_be_visible()
    page.get_by_label("Right 1").check()
    right_label = page.locator("label", has_text="Right 1").locator(".option-label").inner_text()
    expect(page.locator("#exam-state")).to_have_text(f"Answered: your saved answer is {right_label}.")
    assert_accessible(page)

    # Left without pressing any button: the answer is there when the exam is opened again.
    exam = Attempt.objects.get(user__username="changes")
    page.goto(f"/attempts/{exam.pk}/")
    heading_shown(page, "Question 2 of 3")
    page.goto(f"/attempts/{exam.pk}/exam/{exam.items.get(position=1).question_id}/")
    expect(page.get_by_label("Right 1")).to_be_checked()
    assert exam.responses.get().is_correct
