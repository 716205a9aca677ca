"""One open counted attempt: beside an unfinished exam, or the unfinished attempt that counts for the
leaderboard, no other attempt at that quiz starts, and practice sets leave an open exam's questions out.
Otherwise a trainee reads the right answers in one attempt and copies them into the one that counts."""

import datetime

import pytest
from django.utils import timezone

from quizzes.models import Attempt
from quizzes.refusals import CountedAttemptOpen
from quizzes.services.attempts import attempt_finish, attempt_start
from quizzes.services.practice import NothingToPractise, mistakes_start, review_start
from tests.factories import card_due, make_quiz, questions_of, take_quiz, time_is

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam_quiz(db):
    return make_quiz(questions=3, exam_minutes=20)


@pytest.mark.parametrize("mode", [Attempt.Mode.TUTOR, Attempt.Mode.EXAM])
def test_no_attempt_starts_beside_an_unfinished_exam(trainee, exam_quiz, mode):
    exam = attempt_start(user=trainee, quiz=exam_quiz, mode=Attempt.Mode.EXAM)

    with pytest.raises(CountedAttemptOpen, match="exam") as refused:
        attempt_start(user=trainee, quiz=exam_quiz, mode=mode)

    assert refused.value.attempt == exam
    assert list(Attempt.objects.filter(user=trainee)) == [exam]


def test_no_attempt_starts_beside_the_unfinished_counted_attempt(trainee, exam_quiz):
    counted = attempt_start(user=trainee, quiz=exam_quiz)

    with pytest.raises(CountedAttemptOpen, match="counts for the leaderboard"):
        attempt_start(user=trainee, quiz=exam_quiz, mode=Attempt.Mode.EXAM)

    assert list(Attempt.objects.filter(user=trainee)) == [counted]


def test_once_the_counted_attempt_finishes_practice_attempts_start_side_by_side(trainee, exam_quiz):
    attempt_finish(attempt=attempt_start(user=trainee, quiz=exam_quiz))

    first = attempt_start(user=trainee, quiz=exam_quiz)
    second = attempt_start(user=trainee, quiz=exam_quiz)

    assert not first.is_ranked and not second.is_ranked


def test_an_exam_past_its_time_limit_is_finished_and_no_longer_stands_in_the_way(trainee, exam_quiz):
    exam = attempt_start(user=trainee, quiz=exam_quiz, mode=Attempt.Mode.EXAM)

    with time_is(exam.deadline + datetime.timedelta(minutes=1)):
        practice = attempt_start(user=trainee, quiz=exam_quiz)

    exam.refresh_from_db()
    assert exam.finished_at == exam.deadline and not practice.is_ranked


def test_other_quizzes_and_other_trainees_are_not_held_up(trainee, other_trainee, exam_quiz):
    attempt_start(user=trainee, quiz=exam_quiz, mode=Attempt.Mode.EXAM)

    attempt_start(user=trainee, quiz=make_quiz(questions=1))
    attempt_start(user=other_trainee, quiz=exam_quiz)


def test_practice_sets_leave_out_the_questions_of_a_quiz_with_an_open_exam(trainee, exam_quiz):
    other = make_quiz(questions=1)
    attempt_finish(attempt=take_quiz(trainee, exam_quiz, [False, False, False]))
    attempt_finish(attempt=take_quiz(trainee, other, [False]))
    for question in questions_of(exam_quiz) + questions_of(other):
        card_due(trainee, question, timezone.now() - datetime.timedelta(days=1))
    attempt_start(user=trainee, quiz=exam_quiz, mode=Attempt.Mode.EXAM)  # practice, but still an exam
    expected = [question.pk for question in questions_of(other)]

    mistakes = mistakes_start(user=trainee)
    due = review_start(user=trainee)

    assert list(mistakes.items.values_list("question_id", flat=True)) == expected
    assert list(due.items.values_list("question_id", flat=True)) == expected
    with pytest.raises(NothingToPractise, match="exam"):
        mistakes_start(user=trainee, quiz=exam_quiz)
