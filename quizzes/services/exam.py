"""Exam mode: answers that can change until the trainee submits all or the time limit passes.

Nothing saved here is shown to the trainee, counted on the leaderboard or reviewed on a card until the
attempt finishes (quizzes/services/attempts.py: attempt_finish). Every change takes the attempt row's
lock first, the same lock attempt_finish takes, so an answer saved as the exam finishes either lands
before the score is taken or is refused: a score never misses an answer the trainee was told was saved.
"""

import datetime
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from quizzes.models import Attempt, AttemptQuestion, Choice, Question, Response
from quizzes.refusals import TimeIsUp, exam_change_refusal
from quizzes.scoring import Answer, Point, answer_scored
from quizzes.services.attempts import (
    ANSWER_COLUMNS,
    answer_check_belongs,
    answer_columns,
    attempt_expire_if_due,
    response_create,
    response_new,
    response_rows_clear,
    response_rows_set,
)


def exam_answer_save(
    *,
    attempt: Attempt,
    question: Question,
    chosen: Collection[Choice] = (),
    point: Point | None = None,
    typed: str = "",
    matches: Mapping[int, int] | None = None,
) -> Response:
    """Save (or replace) the exam's one answer to `question`. `question` must have its choices and its
    kind's parts prefetched; the answer is given as to quizzes/services/attempts.py: answer_submit.
    A changed answer replaces the old one whole (a matching answer's stems left empty are unanswered).

    Refused (quizzes/refusals.py: exam_change_refusal) once the exam is over, and with TimeIsUp once
    its deadline has passed, which also finishes it as of the deadline.
    """
    answer = Answer(chosen=chosen, point=point, typed=typed, matches=matches or {})
    answer_check_belongs(question=question, answer=answer)
    scored = answer_scored(question=question, answer=answer)
    with exam_open_for_change(attempt) as (locked, now):
        response = Response.objects.filter(attempt=locked, question=question).first()
        if response is None:
            response = response_create(
                response=response_new(attempt=locked, question=question, answer=answer, scored=scored, now=now),
                answer=answer,
            )
            answered, points = 1, scored.points
        else:
            answered, points = 0, scored.points - response.points
            response.is_correct, response.points = scored
            response.answered_at = now
            response.question_version = question.version
            for name, value in answer_columns(question=question, answer=answer).items():
                setattr(response, name, value)
            response.save(update_fields=["is_correct", "points", "answered_at", "question_version", *ANSWER_COLUMNS])
            response_rows_clear(response=response, question=question)
            response_rows_set(response=response, answer=answer)
        exam_tally_change(attempt=locked, question=question, answered=answered, points=points, now=now)
    attempt.last_answered_at = now
    return response


def exam_answer_clear(*, attempt: Attempt, question: Question) -> None:
    """Take back the exam's answer to `question`, so it counts as unanswered. Refused as saving is."""
    with exam_open_for_change(attempt) as (locked, _now):
        response = Response.objects.filter(attempt=locked, question=question).first()
        if response is not None:
            # The chosen options and matches go with the response (their rows cascade).
            response.delete()
            exam_tally_change(attempt=locked, question=question, answered=-1, points=-response.points)


def exam_tally_change(
    *, attempt: Attempt, question: Question, answered: int, points: int, now: datetime.datetime | None = None
) -> None:
    """Change the exam's running tally by `answered` answers and `points` (and stamp a save at `now`) in
    one statement, which also checks that the question is one of the attempt's: if it is not, the
    caller's transaction is rolled back and nothing of the change is kept. Call under the attempt's lock."""
    stamp = {"last_answered_at": now} if now else {}
    changed = (
        Attempt.objects.filter(pk=attempt.pk)
        .filter(Exists(AttemptQuestion.objects.filter(attempt=OuterRef("pk"), question=question)))
        .update(answered_count=F("answered_count") + answered, points_so_far=F("points_so_far") + points, **stamp)
    )
    if not changed:
        raise ValueError("The question must be one of the attempt's questions.")


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
