"""Taking a quiz: starting an attempt, answering its questions, finishing it.

How an answer scores is quizzes/scoring.py's to say; this module records it:
- an attempt's score is the sum of its responses' points, out of 10 x its questions;
- a trainee's first attempt at a quiz counts for the leaderboard (Attempt.is_ranked): a tutor answer
  when it is recorded, an exam's answers when the exam finishes; later attempts and practice sets
  (mistakes, due today) are practice.

Every answer also reviews the question's spaced-repetition card (quizzes/services/review.py): a
tutor answer at once, an exam's answers when the exam finishes.
"""

import datetime
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from quizzes.models import POINTS_PER_QUESTION, Attempt, AttemptQuestion, Choice, Question, Quiz, Response, User
from quizzes.refusals import (
    AlreadyAnswered,
    AttemptAlreadyFinished,
    ModeNotOffered,
    QuestionNotOpenYet,
    attempt_start_refusal,
    tutor_answer_refusal,
)
from quizzes.scoring import Answer, Point, answer_scored, rating_for
from quizzes.services.leaderboard import leaderboard_count_response
from quizzes.services.review import review_card_record


@dataclass(frozen=True)
class AnswerResult:
    response: Response
    chosen_ids: frozenset[int]


def attempt_start(*, user: User, quiz: Quiz, mode: str = Attempt.Mode.TUTOR) -> Attempt:
    """Start an attempt at all of the quiz's questions, in quiz order.

    The trainee's first attempt at this quiz counts for the leaderboard; later ones are practice. If
    an educator deletes the counted attempt, the trainee's next new attempt counts. An exam's
    deadline is its quiz's time limit from now. Raises CountedAttemptOpen, starting nothing, while an
    exam or the counted attempt at the quiz is open (an exam past its time is finished first).
    """
    if mode == Attempt.Mode.EXAM and not quiz.offers_exam:
        raise ModeNotOffered(quiz)
    now = timezone.now()
    fields = {"user": user, "quiz": quiz, "mode": mode, "started_at": now}
    if mode == Attempt.Mode.EXAM:
        fields["deadline"] = now + datetime.timedelta(minutes=quiz.exam_minutes)
    # Draft questions (being finished by an educator) are left out of every new attempt.
    question_ids = list(quiz.questions.for_trainees().in_quiz_order().values_list("pk", flat=True))
    with transaction.atomic():
        # One start at a time per trainee, so two tabs cannot both pass the check below.
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        for exam in Attempt.objects.filter(user=user, quiz=quiz, mode=Attempt.Mode.EXAM).unfinished():
            attempt_expire_if_due(attempt=exam)
        if refusal := attempt_start_refusal(user, quiz):
            raise refusal
        attempt = None
        if not Attempt.objects.filter(user=user, quiz=quiz, is_ranked=True).exists():
            try:
                with transaction.atomic():
                    attempt = Attempt.objects.create(**fields, is_ranked=True)
            except IntegrityError:
                pass  # Another tab started the counted attempt a moment ago (the partial unique constraint).
        if attempt is None:
            attempt = Attempt.objects.create(**fields, is_ranked=False)
        attempt_questions_add(attempt=attempt, question_ids=question_ids)
    return attempt


def attempt_questions_add(*, attempt: Attempt, question_ids: Sequence[int]) -> None:
    """Fix the attempt's questions, in this order. Only for an attempt being created."""
    AttemptQuestion.objects.bulk_create(
        AttemptQuestion(attempt=attempt, question_id=question_id, position=position)
        for position, question_id in enumerate(question_ids, start=1)
    )


def answer_submit(
    *,
    attempt: Attempt,
    question: Question,
    chosen: Collection[Choice] = (),
    point: Point | None = None,
    confidence: str = "",
) -> AnswerResult:
    """Record a tutor-mode answer, once. `question` must have its choices prefetched; `chosen` must
    belong to it; for a hotspot question `point` is where the trainee clicked, or None for "No
    abnormality". Exam answers go through quizzes/services/exam.py instead."""
    if refusal := tutor_answer_refusal(attempt):
        raise refusal
    if any(c.question_id != question.pk for c in chosen):
        raise ValueError("The options must belong to the question.")
    position = attempt.items.filter(question=question).values_list("position", flat=True).first()
    if position is None:
        raise ValueError("The question must be one of the attempt's questions.")
    if Question.objects.unanswered_in(attempt).filter(position__lt=position).exists():
        raise QuestionNotOpenYet()

    now = timezone.now()
    answer = Answer(chosen=chosen, point=point)
    try:
        with transaction.atomic():
            # The lock attempt_finish takes: a finish either waits for this answer (and counts it in
            # the score) or has already closed the attempt, and then this answer is refused.
            if not Attempt.objects.select_for_update().filter(pk=attempt.pk, finished_at__isnull=True).exists():
                raise AttemptAlreadyFinished()
            # The unique constraint on (attempt, question), not a prior read, decides which of two
            # simultaneous submissions wins: the loser's insert fails and nothing of it is kept.
            response = response_create(
                attempt=attempt, question=question, answer=answer, now=now, confidence=confidence
            )
            Attempt.objects.filter(pk=attempt.pk).update(last_answered_at=now)
            response_counted(attempt=attempt, response=response)
    except IntegrityError:
        # Only a response already there means "already answered"; any other broken rule is a bug to see.
        if Response.objects.filter(attempt=attempt, question=question).exists():
            raise AlreadyAnswered() from None
        raise
    attempt.last_answered_at = now
    return AnswerResult(response=response, chosen_ids=frozenset(c.pk for c in chosen))


def response_create(
    *, attempt: Attempt, question: Question, answer: Answer, now: datetime.datetime, confidence: str = ""
) -> Response:
    """Insert an answer, scored, with the options it chose. Its time taken counts from the attempt's
    previous answer, or its start (exam questions are not taken in one order: the previous save)."""
    is_correct, points = answer_scored(question=question, answer=answer)
    response = Response.objects.create(
        attempt=attempt,
        question=question,
        point=answer.point,
        is_correct=is_correct,
        points=points,
        confidence=confidence,
        answered_at=now,
        # The version on the question as loaded: what the trainee was shown and what scored the answer.
        question_version=question.version,
        seconds_taken=max(0, round((now - (attempt.last_answered_at or attempt.started_at)).total_seconds())),
    )
    response_chosen_set(response=response, chosen=answer.chosen)
    return response


def response_chosen_set(*, response: Response, chosen: Collection[Choice]) -> None:
    """Record the options an answer chose (a response just inserted, or one whose options were cleared)."""
    Response.chosen.through.objects.bulk_create(
        [Response.chosen.through(response=response, choice=choice) for choice in chosen]
    )


def response_counted(*, attempt: Attempt, response: Response) -> None:
    """What a final answer changes besides itself: the leaderboard (ranked attempts) and the
    question's review card. In the answer's transaction, so they change exactly when it is kept."""
    if attempt.is_ranked:
        leaderboard_count_response(user_id=attempt.user_id, quiz_id=attempt.quiz_id, response=response)
    review_card_record(
        user_id=attempt.user_id,
        question_id=response.question_id,
        rating=rating_for(is_correct=response.is_correct, confidence=response.confidence),
        reviewed_at=response.answered_at,
    )


def attempt_finish(*, attempt: Attempt, finished_at: datetime.datetime | None = None) -> Attempt:
    """Close the attempt and score it from its responses. Finishing twice changes nothing.

    An exam's answers become final here: they count for the leaderboard and review their cards now.
    """
    with transaction.atomic():
        # The lock answering takes (a tutor answer or an exam's save): an answer being recorded at this
        # moment either lands before the score is taken or finds the attempt finished.
        locked = Attempt.objects.select_for_update().filter(pk=attempt.pk, finished_at__isnull=True).first()
        if locked is not None:
            tally = attempt.responses.tally()
            locked.finished_at = finished_at or timezone.now()
            locked.score = tally["points"]
            locked.max_score = attempt.items.count() * POINTS_PER_QUESTION
            locked.save(update_fields=["finished_at", "score", "max_score"])
            if locked.is_exam:
                for response in locked.responses.order_by("pk"):
                    response_counted(attempt=locked, response=response)
    attempt.refresh_from_db()
    return attempt


def attempt_expire_if_due(*, attempt: Attempt) -> Attempt:
    """Finish an exam whose time is up, as of its deadline: its answered questions count, the rest are
    unanswered. Every request about the attempt calls this first, so the server enforces the limit
    whether or not the trainee's page is still open."""
    if not attempt.is_finished and attempt.is_past_deadline():
        return attempt_finish(attempt=attempt, finished_at=attempt.deadline)
    return attempt
