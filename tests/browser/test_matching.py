"""Extended-matching questions in the browser: a <select> per item, answered and marked in tutor mode and in
exam mode with the keyboard alone and axe-clean, and the same with JavaScript off."""

import pytest
from playwright.sync_api import expect

from quizzes.models import Attempt, Response
from quizzes.options import presented_options
from tests.browser.test_short_answer import press_tab_until, start, submit_exam_by_keyboard
from tests.browser.test_trainee_loop import heading_shown
from tests.factories import make_matching_question, make_question, make_quiz, questions_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def matching_quiz(db):
    quiz = make_quiz(questions=0, title="Primaries", exam_minutes=20)
    make_matching_question(quiz=quiz, order=1)
    make_question(quiz=quiz, order=2)
    return quiz


def labels_to_choose(quiz, *, right):
    """For each item in order, the label of the option to choose in the attempt just started: the right one
    for the first `right` items, then the option no item has."""
    attempt = Attempt.objects.latest("pk")
    question = questions_of(quiz)[0]
    labels = {option.choice.pk: option.label for option in presented_options(question, attempt.shuffle_seed)}
    spare = next(choice for choice in question.choices.all() if choice.text == "Breast")
    stems = list(question.match_stems.all())
    return [labels[stem.answer_id] if n < right else labels[spare.pk] for n, stem in enumerate(stems)]


def choose_by_keyboard(page, labels):
    """From the first item's <select>, type each option's label letter and Tab to the next item."""
    page.get_by_label("Item 1: your answer").focus()
    for number, label in enumerate(labels, start=1):
        expect(page.get_by_label(f"Item {number}: your answer")).to_be_focused()
        page.keyboard.type(label)  # a closed <select> jumps to the option its text starts with ("C. …")
        expect(page.get_by_label(f"Item {number}: your answer")).to_have_value(label)
        page.keyboard.press("Tab")


def test_matching_in_tutor_mode_with_the_keyboard_alone(page, matching_quiz, assert_accessible):
    start(page, matching_quiz, "Start quiz (tutor mode)")
    assert_accessible(page)

    choose_by_keyboard(page, labels_to_choose(matching_quiz, right=3))
    press_tab_until(page, "Submit answer")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Incorrect")).to_be_focused()
    expect(page.get_by_text("7 of 10 points (partial credit)")).to_be_visible()
    feedback = page.locator(".match-review > li")
    expect(feedback).to_have_count(4)
    expect(feedback.nth(0)).to_contain_text("Right")
    expect(feedback.nth(3)).to_contain_text("Breast")
    expect(feedback.nth(3)).to_contain_text("Wrong")
    expect(feedback.nth(3)).to_contain_text("Right answer:")
    expect(feedback.nth(3)).to_contain_text("Choriocarcinoma")
    assert_accessible(page)
    assert Response.objects.get().points == 7


def test_matching_in_exam_mode_with_the_keyboard_alone(page, matching_quiz, assert_accessible):
    start(page, matching_quiz, "Start exam (20 min)")
    assert_accessible(page)
    labels = labels_to_choose(matching_quiz, right=4)

    choose_by_keyboard(page, labels[:2])  # each change is saved as it happens, without a verdict
    expect(page.locator("#exam-state")).to_have_text(
        f"Answered: your saved choices are item 1 {labels[0]}, item 2 {labels[1]}."
    )
    expect(page.get_by_text("Right answer")).to_have_count(0)
    page.get_by_label("Item 3: your answer").focus()
    choose_by_keyboard_from(page, 3, labels[2:])
    assert_accessible(page)

    submit_exam_by_keyboard(page)
    expect(page.get_by_text("10 of 10 points")).to_be_visible()
    expect(page.locator(".match-review > li.right")).to_have_count(4)
    assert_accessible(page)


def choose_by_keyboard_from(page, first, labels):
    for number, label in enumerate(labels, start=first):
        expect(page.get_by_label(f"Item {number}: your answer")).to_be_focused()
        page.keyboard.type(label)
        page.keyboard.press("Tab")


def test_matching_without_javascript_in_tutor_and_exam_mode(page_without_js, matching_quiz):
    page = page_without_js
    start(page, matching_quiz, "Start quiz (tutor mode)")
    for number, label in enumerate(labels_to_choose(matching_quiz, right=4), start=1):
        page.get_by_label(f"Item {number}: your answer").select_option(label)
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_role("heading", name="Correct")).to_be_visible()
    expect(page.locator(".match-review > li.right")).to_have_count(4)

    exam_quiz = make_quiz(questions=0, title="Matching exam", exam_minutes=20)
    make_matching_question(quiz=exam_quiz, order=1)
    make_question(quiz=exam_quiz, order=2)
    page.goto(exam_quiz.get_absolute_url())
    page.get_by_role("button", name="Start exam (20 min)").click()
    heading_shown(page, "Question 1 of 2")
    labels = labels_to_choose(exam_quiz, right=2)
    for number, label in enumerate(labels[:3], start=1):  # the fourth item left empty
        page.get_by_label(f"Item {number}: your answer").select_option(label)
    page.get_by_role("button", name="Save answer").click()
    heading_shown(page, "Question 2 of 2")
    page.get_by_role("button", name="Previous question").click()
    heading_shown(page, "Question 1 of 2")
    expect(page.get_by_label("Item 3: your answer")).to_have_value(labels[2])
    expect(page.get_by_label("Item 4: your answer")).to_have_value("")
    page.get_by_role("button", name="Review and submit all").click()
    heading_shown(page, "Review and submit all")
    page.get_by_role("button", name="Submit all answers").click()

    heading_shown(page, "Your results")
    expect(page.get_by_text("5 of 10 points")).to_be_visible()
    expect(page.get_by_text("Your answer: not answered")).to_have_count(0)  # it was answered, one item empty
    expect(page.get_by_text("Your answer: none")).to_be_visible()
