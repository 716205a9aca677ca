"""Taking a quiz: starting an attempt, answering its questions, finishing it.

The scoring rules (also on the scoring page, quizzes/templates/quizzes/scoring.html):
- every question is worth POINTS_PER_QUESTION (10) points;
- single best answer and true/false: all 10 for the right option, 0 otherwise;
- multiple select: 10 x (right options chosen - wrong options chosen) / right options, rounded
  down, never below 0. Exactly the right options earn all 10, and only they count as "correct";
- an attempt's score is the sum of its responses' points, out of 10 x its quiz's questions;
- a trainee's first attempt at a quiz counts for the leaderboard (Attempt.is_ranked), at the moment
  each answer is recorded; later attempts are practice.
"""

from collections.abc import Collection
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from quizzes.models import POINTS_PER_QUESTION, Attempt, Choice, Question, Quiz, Response, User
from quizzes.services.leaderboard import leaderboard_count_response


class AnswerRefused(Exception):
    """The answer was not recorded; the message says why, in words for the trainee."""


class AlreadyAnswered(AnswerRefused):
    def __init__(self):
        super().__init__("You have already answered this question; your first answer stands.")


class AttemptAlreadyFinished(AnswerRefused):
    def __init__(self):
        super().__init__("This attempt is finished, so it takes no more answers.")


class QuestionNotOpenYet(AnswerRefused):
    def __init__(self):
        # In a case vignette, answering ahead would reveal a later stage's feedback early.
        super().__init__("Questions are answered in order, and this one is not open yet.")


@dataclass(frozen=True)
class AnswerResult:
    response: Response
    chosen_ids: frozenset[int]


def attempt_start(*, user: User, quiz: Quiz, mode: str = Attempt.Mode.TUTOR) -> Attempt:
    """Start an attempt. The trainee's first at this quiz counts for the leaderboard; later ones are
    practice. If an educator deletes the counted attempt, the trainee's next new attempt counts."""
    if not Attempt.objects.filter(user=user, quiz=quiz, is_ranked=True).exists():
        try:
            with transaction.atomic():
                return Attempt.objects.create(user=user, quiz=quiz, mode=mode, is_ranked=True)
        except IntegrityError:
            pass  # Another tab started the counted attempt a moment ago (the partial unique constraint).
    return Attempt.objects.create(user=user, quiz=quiz, mode=mode, is_ranked=False)


def answer_is_correct(*, question: Question, chosen: Collection[Choice]) -> bool:
    """Right means exactly the right options: all of them, and nothing else."""
    right_ids = {choice.pk for choice in question.choices.all() if choice.is_correct}
    return {choice.pk for choice in chosen} == right_ids


def answer_points(*, question: Question, chosen: Collection[Choice]) -> int:
    """Whole points for an answer: all or nothing, except partial credit for multiple select."""
    right_ids = {choice.pk for choice in question.choices.all() if choice.is_correct}
    chosen_ids = {choice.pk for choice in chosen}
    if not question.is_multiple or not right_ids:
        return POINTS_PER_QUESTION if chosen_ids == right_ids else 0
    return partial_credit(
        right_chosen=len(chosen_ids & right_ids), wrong_chosen=len(chosen_ids - right_ids), right_options=len(right_ids)
    )


def partial_credit(*, right_chosen: int, wrong_chosen: int, right_options: int) -> int:
    """Multiple select: POINTS_PER_QUESTION x (right chosen - wrong chosen) / right options, rounded
    down and never below 0. Each wrong pick cancels a right one, so ticking every option earns
    nothing; with two right options one right pick earns 5 of 10, with three 3 and then 6."""
    return max(0, POINTS_PER_QUESTION * (right_chosen - wrong_chosen) // right_options)


def answer_submit(*, attempt: Attempt, question: Question, chosen: Collection[Choice]) -> AnswerResult:
    """Record an answer. `question` must have its choices prefetched; `chosen` must belong to it."""
    if attempt.is_finished:
        raise AttemptAlreadyFinished()
    if question.quiz_id != attempt.quiz_id or any(c.question_id != question.pk for c in chosen):
        raise ValueError("The question and options must belong to the attempt's quiz.")
    if Question.objects.unanswered_in(attempt).before(question).exists():
        raise QuestionNotOpenYet()

    now = timezone.now()
    is_correct = answer_is_correct(question=question, chosen=chosen)
    points = answer_points(question=question, chosen=chosen)
    since = attempt.last_answered_at or attempt.started_at
    try:
        with transaction.atomic():
            # The unique constraint on (attempt, question), not a prior read, decides which of two
            # simultaneous submissions wins: the loser's insert fails and nothing of it is kept.
            response = Response.objects.create(
                attempt=attempt,
                question=question,
                is_correct=is_correct,
                points=points,
                answered_at=now,
                seconds_taken=max(0, round((now - since).total_seconds())),
            )
            Response.chosen.through.objects.bulk_create(
                [Response.chosen.through(response=response, choice=choice) for choice in chosen]
            )
            Attempt.objects.filter(pk=attempt.pk).update(last_answered_at=now)
            if attempt.is_ranked:
                # In the response's transaction: the totals change exactly when a response is kept.
                leaderboard_count_response(user_id=attempt.user_id, quiz_id=attempt.quiz_id, response=response)
    except IntegrityError:
        # Only a response already there means "already answered"; any other broken rule is a bug to see.
        if Response.objects.filter(attempt=attempt, question=question).exists():
            raise AlreadyAnswered() from None
        raise
    attempt.last_answered_at = now
    return AnswerResult(response=response, chosen_ids=frozenset(c.pk for c in chosen))


def attempt_finish(*, attempt: Attempt) -> Attempt:
    """Close the attempt and score it from its responses. Finishing twice changes nothing."""
    with transaction.atomic():
        tally = attempt.responses.tally()
        max_score = attempt.quiz.questions.count() * POINTS_PER_QUESTION
        Attempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(
            finished_at=timezone.now(), score=tally["points"], max_score=max_score
        )
    attempt.refresh_from_db()
    return attempt
