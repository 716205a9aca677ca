"""Reads that trainees see leave out draft questions: an import without an explanation or a rationale on
every option lands as a draft, and stays out of every attempt, practice set, due list and count until an
educator finishes and publishes it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Choice, Question, Quiz
from quizzes.services.attempts import attempt_start
from quizzes.services.practice import mistakes_start, review_start
from tests.factories import card_due, make_quiz, questions_of, take_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz_with_a_draft():
    """A published quiz of three questions whose second is a draft."""
    quiz = make_quiz(questions=3)
    Question.objects.filter(pk=questions_of(quiz)[1].pk).update(status=Question.Status.DRAFT)
    return quiz


def draft_of(quiz):
    return quiz.questions.get(status=Question.Status.DRAFT)


def test_a_new_attempt_leaves_draft_questions_out(trainee, quiz_with_a_draft):
    attempt = attempt_start(user=trainee, quiz=quiz_with_a_draft)

    assert draft_of(quiz_with_a_draft).pk not in attempt.items.values_list("question_id", flat=True)
    assert attempt.items.count() == 2


def test_mistakes_and_due_cards_leave_out_questions_back_in_draft(trainee):
    quiz = make_quiz(questions=3)
    take_quiz(trainee, quiz, [False, False, False])
    for question in questions_of(quiz):
        card_due(trainee, question, timezone.now() - datetime.timedelta(hours=1))
    draft = questions_of(quiz)[1]
    Question.objects.filter(pk=draft.pk).update(status=Question.Status.DRAFT)

    mistakes, due = mistakes_start(user=trainee), review_start(user=trainee)

    for practice_set in (mistakes, due):
        assert draft.pk not in practice_set.items.values_list("question_id", flat=True)
        assert practice_set.items.count() == 2
    assert not Question.objects.latest_mistakes_of(trainee).filter(pk=draft.pk).exists()


def test_quiz_pages_count_only_the_questions_trainees_see(client, quiz_with_a_draft):
    assert Quiz.objects.with_question_count().get(pk=quiz_with_a_draft.pk).question_count == 2
    assert "2 questions" in client.get(reverse("quiz_detail", args=[quiz_with_a_draft.slug])).content.decode()


def test_questions_lacking_feedback_are_those_without_an_explanation_or_with_an_option_without_rationale():
    quiz = make_quiz(questions=3)
    complete, no_explanation, bare_option = questions_of(quiz)
    Question.objects.filter(pk=no_explanation.pk).update(explanation="  ")
    Choice.objects.filter(pk=bare_option.choices.first().pk).update(rationale="")

    lacking = set(Question.objects.lacking_feedback().values_list("pk", flat=True))

    assert lacking == {no_explanation.pk, bare_option.pk}
    assert complete.pk not in lacking
