"""Exam mode: answers that can change until the trainee submits all or the time limit passes.

Nothing saved here is shown to the trainee, counted on the leaderboard or reviewed on a card until the
attempt finishes (quizzes/services/attempts.py: attempt_finish). Every change takes the attempt row's
lock first, the same lock attempt_finish takes, so an answer saved as the exam finishes either lands
before the score is taken or is refused: a score never misses an answer the trainee was told was saved.
"""

import datetime
from collections.abc import Collection, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from quizzes.models import Attempt, AttemptQuestion, Choice, Question, Response
from quizzes.refusals import TimeIsUp, exam_change_refusal
from quizzes.scoring import Answer, Point, answer_scored
from quizzes.services.attempts import attempt_expire_if_due, response_chosen_set, response_create


def exam_answer_save(
    *, attempt: Attempt, question: Question, chosen: Collection[Choice] = (), point: Point | None = None
) -> Response:
    """Save (or replace) the exam's one answer to `question`. `question` must have its choices (and
    regions, for a hotspot question) prefetched; `chosen` must belong to it; for a hotspot question
    `point` is where the trainee clicked, or None for "No abnormality".

    Refused (quizzes/refusals.py: exam_change_refusal) once the exam is over, and with TimeIsUp once
    its deadline has passed, which also finishes it as of the deadline.
    """
    if any(choice.question_id != question.pk for choice in chosen):
        raise ValueError("The options must belong to the question.")
    answer = Answer(chosen=chosen, point=point)
    with exam_open_for_change(attempt) as (locked, now):
        if not locked.items.filter(question=question).exists():
            raise ValueError("The question must be one of the attempt's questions.")
        response = Response.objects.filter(attempt=locked, question=question).first()
        if response is None:
            response = response_create(attempt=locked, question=question, answer=answer, now=now)
        else:
            response.is_correct, response.points = answer_scored(question=question, answer=answer)
            response.answered_at, response.point = now, point
            response.question_version = question.version
            response.save(
                update_fields=["is_correct", "points", "answered_at", "point_x", "point_y", "question_version"]
            )
            Response.chosen.through.objects.filter(response=response).delete()
            response_chosen_set(response=response, chosen=chosen)
        Attempt.objects.filter(pk=locked.pk).update(last_answered_at=now)
    attempt.last_answered_at = now
    return response


def exam_answer_clear(*, attempt: Attempt, question: Question) -> None:
    """Take back the exam's answer to `question`, so it counts as unanswered. Refused as saving is."""
    with exam_open_for_change(attempt):
        # The chosen options go with the response (the many-to-many rows cascade).
        Response.objects.filter(attempt=attempt, question=question).delete()


def exam_flag_set(*, attempt: Attempt, question: Question, flagged: bool) -> None:
    """Flag the question for review before submitting, or take the flag off. Refused as saving is."""
    with exam_open_for_change(attempt):
        changed = AttemptQuestion.objects.filter(attempt=attempt, question=question).update(is_flagged=flagged)
        if not changed:
            raise ValueError("The question must be one of the attempt's questions.")


@contextmanager
def exam_open_for_change(attempt: Attempt) -> Iterator[tuple[Attempt, datetime.datetime]]:
    """A transaction holding the lock on an exam that still takes changes; yields (locked attempt, now).

    Refuses when quizzes/refusals.py, exam_change_refusal, says so. Past its deadline, the exam is
    finished as of the deadline once the refused transaction has rolled back, so that the finish is kept.
    """
    try:
        with transaction.atomic():
            locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
            now = timezone.now()
            if refusal := exam_change_refusal(locked, now):
                raise refusal
            yield locked, now
    except TimeIsUp:
        attempt_expire_if_due(attempt=attempt)
        raise
