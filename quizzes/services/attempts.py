"""Taking a quiz: starting an attempt, answering its questions, finishing it."""

from collections.abc import Collection
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from quizzes.models import Attempt, Choice, Question, Quiz, Response, User


class AnswerRefused(Exception):
    """The answer was not recorded; the message says why, in words for the trainee."""


class AlreadyAnswered(AnswerRefused):
    def __init__(self):
        super().__init__("You have already answered this question; your first answer stands.")


class AttemptAlreadyFinished(AnswerRefused):
    def __init__(self):
        super().__init__("This attempt is finished, so it takes no more answers.")


@dataclass(frozen=True)
class AnswerResult:
    response: Response
    chosen_ids: frozenset[int]


def attempt_start(*, user: User, quiz: Quiz, mode: str = Attempt.Mode.TUTOR) -> Attempt:
    return Attempt.objects.create(user=user, quiz=quiz, mode=mode)


def answer_is_correct(*, question: Question, chosen: Collection[Choice]) -> bool:
    """Right means exactly the right options: all of them, and nothing else."""
    right_ids = {choice.pk for choice in question.choices.all() if choice.is_correct}
    return {choice.pk for choice in chosen} == right_ids


def answer_submit(*, attempt: Attempt, question: Question, chosen: Collection[Choice]) -> AnswerResult:
    """Record an answer. `question` must have its choices prefetched; `chosen` must belong to it."""
    if attempt.is_finished:
        raise AttemptAlreadyFinished()
    if question.quiz_id != attempt.quiz_id or any(c.question_id != question.pk for c in chosen):
        raise ValueError("The question and options must belong to the attempt's quiz.")

    now = timezone.now()
    is_correct = answer_is_correct(question=question, chosen=chosen)
    since = attempt.last_answered_at or attempt.started_at
    try:
        with transaction.atomic():
            # The unique constraint on (attempt, question), not a prior read, decides which of two
            # simultaneous submissions wins: the loser's insert fails and nothing of it is kept.
            response = Response.objects.create(
                attempt=attempt,
                question=question,
                is_correct=is_correct,
                points=1 if is_correct else 0,
                answered_at=now,
                seconds_taken=max(0, round((now - since).total_seconds())),
            )
            Response.chosen.through.objects.bulk_create(
                [Response.chosen.through(response=response, choice=choice) for choice in chosen]
            )
            Attempt.objects.filter(pk=attempt.pk).update(last_answered_at=now)
    except IntegrityError:
        raise AlreadyAnswered() from None
    attempt.last_answered_at = now
    return AnswerResult(response=response, chosen_ids=frozenset(c.pk for c in chosen))


def attempt_finish(*, attempt: Attempt) -> Attempt:
    """Close the attempt and score it from its responses. Finishing twice changes nothing."""
    with transaction.atomic():
        tally = attempt.responses.tally()
        max_score = attempt.quiz.questions.count()
        Attempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(
            finished_at=timezone.now(), score=tally["points"], max_score=max_score
        )
    attempt.refresh_from_db()
    return attempt
