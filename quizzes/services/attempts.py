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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from quizzes.models import (
    POINTS_PER_QUESTION,
    Attempt,
    AttemptQuestion,
    Choice,
    Question,
    Quiz,
    Response,
    ResponseChoice,
    ResponseMatch,
    ReviewCard,
    User,
)
from quizzes.querysets import open_sql
from quizzes.refusals import (
    AlreadyAnswered,
    AttemptAlreadyFinished,
    ModeNotOffered,
    QuestionNotOpenYet,
    attempt_start_refusal,
    tutor_answer_refusal,
)
from quizzes.scoring import Answer, Point, Scored, accepted_answer_matched, answer_scored, rating_for
from quizzes.services.leaderboard import leaderboard_count_sql
from quizzes.services.review import UNREAD, Unread, review_card_upsert, review_card_written


@dataclass(frozen=True)
class AnswerResult:
    response: Response
    chosen_ids: frozenset[int]
    matches: Mapping[int, int] = field(default_factory=dict)  # matching: {stem id: option id}


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
    typed: str = "",
    matches: Mapping[int, int] | None = None,
    confidence: str = "",
    card: ReviewCard | Unread | None = UNREAD,
) -> AnswerResult:
    """Record a tutor-mode answer, once. `question` must have its choices and its kind's parts
    prefetched (quizzes/question_parts.py, or quizzes/querysets.py: kind_parts_prefetched); `chosen`
    must belong to it; for a hotspot
    question `point` is where the trainee clicked, or None for "No abnormality"; for a short answer
    `typed` is what they typed; for extended matching `matches` is {stem id: option id}, each the
    question's. `card` is the trainee's review card for the question if the caller has read it (None:
    there is none yet), which saves a read (quizzes/services/review.py). Exam answers go through
    quizzes/services/exam.py instead.

    On success the attempt in memory has its new tally and stamp, as the database has them."""
    if refusal := tutor_answer_refusal(attempt):
        raise refusal
    answer = Answer(chosen=chosen, point=point, typed=typed, matches=matches or {})
    answer_check_belongs(question=question, answer=answer)
    now = timezone.now()
    scored = answer_scored(question=question, answer=answer)
    try:
        with transaction.atomic():
            # One statement takes the lock attempt_finish takes and, under it, checks that the attempt is
            # unfinished and the question open (the order rule), stamps the attempt and adds the answer to
            # its running tally. A finish either waits for this answer (and counts it in the score) or has
            # already closed the attempt, and then this answer is refused.
            if not tutor_answer_taken(attempt=attempt, question=question, points=scored.points, now=now):
                raise tutor_answer_closed(attempt=attempt, question=question)
            # The unique constraint on (attempt, question), not a prior read, decides which of two
            # simultaneous submissions wins: the loser's insert fails and nothing of it is kept.
            response = answer_recorded(
                attempt=attempt,
                question=question,
                answer=answer,
                scored=scored,
                now=now,
                confidence=confidence,
                card=card,
            )
    except IntegrityError:
        # Only a response already there means "already answered"; any other broken rule is a bug to see.
        if Response.objects.filter(attempt=attempt, question=question).exists():
            raise AlreadyAnswered() from None
        raise
    attempt.last_answered_at = now
    attempt.answered_count += 1
    attempt.points_so_far += scored.points
    return AnswerResult(
        response=response,
        chosen_ids=frozenset(c.pk for c in chosen) | set(answer.matches.values()),
        matches=answer.matches,
    )


def answer_check_belongs(*, question: Question, answer: Answer) -> None:
    """ValueError unless the answer's options, stems and stems' options are the question's own."""
    if any(choice.question_id != question.pk for choice in answer.chosen):
        raise ValueError("The options must belong to the question.")
    if answer.matches:
        option_ids = {choice.pk for choice in question.choices.all()}
        stem_ids = {stem.pk for stem in question.match_stems.all()}
        if not set(answer.matches) <= stem_ids or not set(answer.matches.values()) <= option_ids:
            raise ValueError("The stems and their options must belong to the question.")


def tutor_answer_taken(*, attempt: Attempt, question: Question, points: int, now: datetime.datetime) -> bool:
    """In one UPDATE, under the attempt's row lock: if the attempt is unfinished and `question` is one of
    its questions and open (quizzes/querysets.py: open_sql, the order rule), stamp the attempt and add an
    answer worth `points` to its running tally. Whether it did. SQL rather than the ORM's update() with
    subquery expressions, which cost several milliseconds of CPU to build on every answer."""
    quote = connection.ops.quote_name
    attempts, items = quote(Attempt._meta.db_table), quote(AttemptQuestion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {attempts} SET last_answered_at = %s, answered_count = answered_count + 1,"
            " points_so_far = points_so_far + %s"
            f" WHERE id = %s AND finished_at IS NULL AND EXISTS (SELECT 1 FROM {items} this_item"
            f" WHERE this_item.attempt_id = {attempts}.id AND this_item.question_id = %s AND {open_sql('this_item')})",
            [
                Attempt._meta.get_field("last_answered_at").get_db_prep_save(now, connection),
                points,
                attempt.pk,
                question.pk,
            ],
        )
        return cursor.rowcount == 1


def tutor_answer_closed(*, attempt: Attempt, question: Question) -> Exception:
    """Why an answer found the attempt closed to it (read under the lock, after the fact: the rare path)."""
    if Attempt.objects.filter(pk=attempt.pk).finished().exists():
        return AttemptAlreadyFinished()
    if not attempt.items.filter(question=question).exists():
        return ValueError("The question must be one of the attempt's questions.")
    return QuestionNotOpenYet()


def answer_recorded(
    *,
    attempt: Attempt,
    question: Question,
    answer: Answer,
    scored: Scored,
    now: datetime.datetime,
    confidence: str,
    card: ReviewCard | Unread | None,
) -> Response:
    """Insert a tutor answer with the rows beside it, and count it as response_counted does (the
    leaderboard if the attempt is ranked, the review card), in the caller's transaction.

    On PostgreSQL that is one statement: its data-modifying CTEs insert the response, then its rows, the
    leaderboard's upsert and the card's from the response inserted, in one round trip. SQLite has no such
    statement and runs them one by one. The leaderboard's and the card's SQL is the same on both."""
    response = response_new(
        attempt=attempt, question=question, answer=answer, scored=scored, now=now, confidence=confidence
    )
    if connection.vendor != "postgresql":
        response_create(response=response, answer=answer)
        response_counted(attempt=attempt, response=response, card=card)
        return response
    counting = response_counting(attempt=attempt, response=response, card=card)
    insert_sql, insert_params = row_insert_sql(response)
    # Each step as (its name, its SQL, its parameters), in the order their parameters are passed.
    steps = [("response", f"{insert_sql} RETURNING id", insert_params)]
    if rows := response_rows(answer):
        steps.append(("answer_rows", *response_rows_from_sql(rows, response_id="response.id", source="response")))
    if counting.leaderboard:
        steps.append(("board", *counting.leaderboard))
    steps.append(("card", *counting.card))
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH "
            + ", ".join(f"{name} AS ({sql})" for name, sql, _ in steps)
            + " SELECT response.id, (SELECT id FROM card) FROM response",
            [param for _, _, params in steps for param in params],
        )
        response_id, card_id = cursor.fetchone()
    response.pk, response._state.adding, response._state.db = response_id, False, connection.alias
    counting.card_written(card_id)
    return response


def row_insert_sql(instance: Model) -> tuple[str, list]:
    """INSERT of a new row (SQL and parameters), every column but the id, valued as the ORM's save would."""
    quote = connection.ops.quote_name
    fields = [field for field in instance._meta.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    columns = ", ".join(quote(field.column) for field in fields)
    return (
        f"INSERT INTO {quote(instance._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})",
        values,
    )


def response_create(*, response: Response, answer: Answer) -> Response:
    """Insert a new response (response_new) with the rows the answer holds beside it."""
    response.save(force_insert=True)
    response_rows_set(response=response, answer=answer)
    return response


def response_new(
    *,
    attempt: Attempt,
    question: Question,
    answer: Answer,
    scored: Scored,
    now: datetime.datetime,
    confidence: str = "",
) -> Response:
    """An answer's response, as scored, not yet saved. Its time taken counts from the attempt's previous
    answer, or its start (exam questions are not taken in one order: the previous save)."""
    return Response(
        attempt=attempt,
        question=question,
        **answer_columns(question=question, answer=answer),
        is_correct=scored.is_correct,
        points=scored.points,
        confidence=confidence,
        answered_at=now,
        # The version on the question as loaded: what the trainee was shown and what scored the answer.
        question_version=question.version,
        seconds_taken=max(0, round((now - (attempt.last_answered_at or attempt.started_at)).total_seconds())),
    )


# The one place that turns an Answer into what a response records of it: columns of its own row
# (answer_columns) and rows beside it (response_rows_set, replaced by response_rows_clear and set again).


def answer_columns(*, question: Question, answer: Answer) -> dict:
    """The response's own columns that hold the answer: a hotspot's point, a short answer's text and
    the accepted answer it matched."""
    matched = accepted_answer_matched(question, answer.typed) if question.is_short_answer else None
    return {"point": answer.point, "typed_answer": answer.typed, "matched_answer": matched}


ANSWER_COLUMNS = ["point_x", "point_y", "typed_answer", "matched_answer"]


def response_rows_set(*, response: Response, answer: Answer) -> None:
    """Record the rows an answer holds beside its response: the options it chose, or its option for each
    stem (a response just inserted, or one whose rows were cleared). One insert, or none."""
    if rows := response_rows(answer):
        for row in rows:
            row.response = response
        type(rows[0]).objects.bulk_create(rows)


def response_rows(answer: Answer) -> list[ResponseChoice] | list[ResponseMatch]:
    """The rows an answer holds beside its response, unsaved and without their response."""
    if answer.matches:
        return [ResponseMatch(stem_id=stem, choice_id=choice) for stem, choice in answer.matches.items()]
    return [ResponseChoice(choice=choice) for choice in answer.chosen]


def response_rows_from_sql(rows: list, *, response_id: str, source: str) -> tuple[str, list]:
    """INSERT of `rows` (response_rows) for the response whose id is the SQL `response_id`, read from the
    query `source` (SQL and parameters): how answer_recorded inserts them in its statement."""
    quote = connection.ops.quote_name
    model = type(rows[0])
    fields = [field for field in model._meta.concrete_fields if not field.primary_key and field.name != "response"]
    names = [field.column for field in fields]
    values = ", ".join(f"({', '.join(['%s'] * len(fields))})" for _ in rows)
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({quote(model._meta.get_field('response').column)},"
        f" {', '.join(quote(name) for name in names)})"
        f" SELECT {response_id}, {', '.join(f'given.{quote(name)}' for name in names)}"
        f" FROM {source}, (VALUES {values}) AS given ({', '.join(quote(name) for name in names)})",
        [getattr(row, field.attname) for row in rows for field in fields],
    )


def response_rows_clear(*, response: Response, question: Question) -> None:
    """Remove the rows beside a response that its question's kind records, before they are set again."""
    if question.is_matching:
        ResponseMatch.objects.filter(response=response).delete()
    elif question.picks_options:
        ResponseChoice.objects.filter(response=response).delete()


def response_counted(*, attempt: Attempt, response: Response, card: ReviewCard | Unread | None = UNREAD) -> None:
    """What a final answer changes besides itself: the leaderboard (ranked attempts) and the
    question's review card (`card` as review_card_record takes it). In the answer's transaction, so
    they change exactly when it is kept."""
    counting = response_counting(attempt=attempt, response=response, card=card)
    with connection.cursor() as cursor:
        if counting.leaderboard:
            cursor.execute(*counting.leaderboard)
        cursor.execute(*counting.card)
        row = cursor.fetchone()
    counting.card_written(row[0] if row else None)


@dataclass(frozen=True)
class Counting:
    """What counting a final answer writes (response_counting): the leaderboard's upsert (a ranked
    attempt's answer) and the review card's, each as SQL and parameters, to run one by one
    (response_counted) or within one statement (answer_recorded)."""

    leaderboard: tuple[str, list] | None
    card: tuple[str, list]  # RETURNING the card's id, or no row when somebody reviewed it meanwhile
    reviewed: ReviewCard
    rating: ReviewCard.Rating
    reviewed_at: datetime.datetime

    def card_written(self, card_id: int | None) -> ReviewCard:
        """After the card's statement: the card it wrote, or the card reviewed again from its locked row."""
        return review_card_written(self.reviewed, card_id=card_id, rating=self.rating, reviewed_at=self.reviewed_at)


def response_counting(*, attempt: Attempt, response: Response, card: ReviewCard | Unread | None) -> Counting:
    """The statements that count a final answer (response_counted says what they change)."""
    rating = rating_for(is_correct=response.is_correct, confidence=response.confidence)
    reviewed, card_statement = review_card_upsert(
        user_id=attempt.user_id,
        question_id=response.question_id,
        rating=rating,
        reviewed_at=response.answered_at,
        card=card,
    )
    leaderboard = (
        leaderboard_count_sql(user_id=attempt.user_id, quiz_id=attempt.quiz_id, response=response)
        if attempt.is_ranked
        else None
    )
    return Counting(leaderboard, card_statement, reviewed, rating, response.answered_at)


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
                responses = list(locked.responses.order_by("pk"))
                # The trainee's cards for these questions in one read, not one each.
                cards = {
                    card.question_id: card
                    for card in ReviewCard.objects.filter(
                        user=locked.user_id, question__in=[response.question_id for response in responses]
                    )
                }
                for response in responses:
                    response_counted(attempt=locked, response=response, card=cards.get(response.question_id))
    attempt.refresh_from_db()
    return attempt


def attempt_expire_if_due(*, attempt: Attempt) -> Attempt:
    """Finish an exam whose time is up, as of its deadline: its answered questions count, the rest are
    unanswered. Every request about the attempt calls this first, so the server enforces the limit
    whether or not the trainee's page is still open."""
    if not attempt.is_finished and attempt.is_past_deadline():
        return attempt_finish(attempt=attempt, finished_at=attempt.deadline)
    return attempt
