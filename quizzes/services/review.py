"""Spaced repetition: every answer a trainee gives to a question reviews that question's card, and
FSRS (the `fsrs` package) says when to see it again. Which rating an answer gives, and the
scheduler's settings, are rules: quizzes/scoring.py."""

import datetime
import enum

import fsrs
from django.db import connection, transaction

from quizzes.models import ReviewCard
from quizzes.scoring import SCHEDULER


class Unread(enum.Enum):
    """The caller has not read the card: review_card_record reads it."""

    UNREAD = enum.auto()


UNREAD = Unread.UNREAD

# The fields the upsert writes: the card's identity (its unique pair), then what a review changes.
UPSERT_FIELDS = [
    "user",
    "question",
    "state",
    "step",
    "stability",
    "difficulty",
    "due",
    "last_review",
    "last_rating",
    "reviews",
]


@transaction.atomic(savepoint=False)
def review_card_record(
    *,
    user_id: int,
    question_id: int,
    rating: ReviewCard.Rating,
    reviewed_at: datetime.datetime,
    card: ReviewCard | Unread | None = UNREAD,
) -> ReviewCard:
    """Review the trainee's card for the question (creating it on the first answer) and reschedule it.

    `card` is the card as the caller already read it (None: there was none), which saves a read; by
    default it is read here. The review is written in one statement that only lands if nobody has
    reviewed the card since it was read (its `reviews` count is unchanged); if somebody has, the card
    is read again, locked, and reviewed from there. So no review is lost, with no lock taken before
    the write in the usual case.

    Call inside the transaction that records the answer, so the card and the answer agree. Called on
    its own it opens its own transaction; nested, it adds no savepoint.
    """
    reviewed, (sql, params) = review_card_upsert(
        user_id=user_id, question_id=question_id, rating=rating, reviewed_at=reviewed_at, card=card
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return review_card_written(reviewed, card_id=row[0] if row else None, rating=rating, reviewed_at=reviewed_at)


def review_card_upsert(
    *,
    user_id: int,
    question_id: int,
    rating: ReviewCard.Rating,
    reviewed_at: datetime.datetime,
    card: ReviewCard | Unread | None = UNREAD,
) -> tuple[ReviewCard, tuple[str, list]]:
    """The card after this review, unsaved, and the statement that writes it if nobody has reviewed the
    card since it was read (SQL and parameters; its RETURNING gives the card's id, or no row). Run that,
    then review_card_written with what it returned: review_card_record does, and
    quizzes/services/attempts.py runs the statement as part of the answer's own."""
    if card is UNREAD:
        card = ReviewCard.objects.filter(user_id=user_id, question_id=question_id).first()
    previous_reviews = card.reviews if card else 0
    reviewed = _reviewed(card, user_id=user_id, question_id=question_id, rating=rating, reviewed_at=reviewed_at)
    return reviewed, _upsert_if_unchanged_sql(reviewed, previous_reviews=previous_reviews)


def review_card_written(
    reviewed: ReviewCard, *, card_id: int | None, rating: ReviewCard.Rating, reviewed_at: datetime.datetime
) -> ReviewCard:
    """The card review_card_upsert's statement wrote (`card_id`), or, when somebody reviewed the card
    since it was read (None), the card read again, locked, and reviewed from there."""
    if card_id is not None:
        reviewed.pk = card_id
        reviewed._state.adding = False
        return reviewed
    user_id, question_id = reviewed.user_id, reviewed.question_id
    locked = ReviewCard.objects.select_for_update().get(user_id=user_id, question_id=question_id)
    reviewed = _reviewed(locked, user_id=user_id, question_id=question_id, rating=rating, reviewed_at=reviewed_at)
    reviewed.save()
    return reviewed


def _reviewed(
    card: ReviewCard | None,
    *,
    user_id: int,
    question_id: int,
    rating: ReviewCard.Rating,
    reviewed_at: datetime.datetime,
) -> ReviewCard:
    """The card after this review, not yet saved: `card` itself, changed, or a new ReviewCard when there
    was none."""
    scheduled, _log = SCHEDULER.review_card(_as_fsrs(card), fsrs.Rating(rating), review_datetime=_utc(reviewed_at))
    if card is None:
        card = ReviewCard(user_id=user_id, question_id=question_id, reviews=0)
    card.state = scheduled.state.value
    card.step = scheduled.step
    card.stability = scheduled.stability
    card.difficulty = scheduled.difficulty
    card.due = scheduled.due
    card.last_review = scheduled.last_review
    card.last_rating = rating
    card.reviews += 1
    return card


def _upsert_if_unchanged_sql(card: ReviewCard, *, previous_reviews: int) -> tuple[str, list]:
    """Insert the card, or update the stored one if it still has `previous_reviews` reviews, returning its
    id when it was written. One INSERT ... ON CONFLICT DO UPDATE ... WHERE, the same on SQLite (3.35+) and
    PostgreSQL: the ORM's bulk_create(update_conflicts=True) cannot add the condition, nor say
    whether a row was written (RETURNING gives none when the condition refused the update)."""
    quote = connection.ops.quote_name
    fields = [ReviewCard._meta.get_field(name) for name in UPSERT_FIELDS]
    table, columns = quote(ReviewCard._meta.db_table), [quote(field.column) for field in fields]
    identity, changed, reviews = columns[:2], columns[2:], columns[-1]
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(identity)}) DO UPDATE SET "
        + ", ".join(f"{column} = excluded.{column}" for column in changed)
        + f" WHERE {table}.{reviews} = %s RETURNING {quote(ReviewCard._meta.pk.column)}",
        [field.get_db_prep_save(getattr(card, field.attname), connection) for field in fields] + [previous_reviews],
    )


def _as_fsrs(card: ReviewCard | None) -> fsrs.Card:
    # Always with a card_id: without one, fsrs.Card() makes one from the clock and sleeps a millisecond
    # so the next is different, on the request path and inside the answer's transaction. The id is
    # never used: our own row identifies the card.
    if card is None:
        return fsrs.Card(card_id=0)
    return fsrs.Card(
        card_id=card.pk,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=_utc(card.due),
        last_review=card.last_review and _utc(card.last_review),
    )


def _utc(moment: datetime.datetime) -> datetime.datetime:
    # fsrs refuses any other time zone; the database may hand back the site's.
    return moment.astimezone(datetime.UTC)
