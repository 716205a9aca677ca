"""Spaced repetition: every answer a trainee gives to a question reviews that question's card, and
FSRS (the `fsrs` package) says when to see it again. Which rating an answer gives, and the
scheduler's settings, are rules: quizzes/scoring.py."""

import datetime

import fsrs
from django.db import transaction

from quizzes.models import ReviewCard
from quizzes.scoring import SCHEDULER


@transaction.atomic(savepoint=False)
def review_card_record(
    *, user_id: int, question_id: int, rating: ReviewCard.Rating, reviewed_at: datetime.datetime
) -> ReviewCard:
    """Review the trainee's card for the question (creating it on the first answer) and reschedule it.

    Call inside the transaction that records the answer, so the card and the answer agree. Called on
    its own it opens its own transaction (the row lock needs one); nested, it adds no savepoint.
    """
    card = ReviewCard.objects.select_for_update().filter(user_id=user_id, question_id=question_id).first()
    scheduled, _log = SCHEDULER.review_card(
        _as_fsrs(card) if card else fsrs.Card(), fsrs.Rating(rating), review_datetime=_utc(reviewed_at)
    )
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
    card.save()
    return card


def _as_fsrs(card: ReviewCard) -> fsrs.Card:
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
