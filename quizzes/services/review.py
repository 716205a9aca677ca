"""Spaced repetition: every answer a trainee gives to a question reviews that question's card, and
FSRS (the `fsrs` package) says when to see it again.

The rating an answer gives (also on the scoring page, quizzes/templates/quizzes/scoring.html):
- wrong (including partial credit)       -> Again
- right, confidence "low"                -> Hard
- right, confidence "medium" or not said -> Good
- right, confidence "high"               -> Easy

The scheduler has no learning steps: a question is one card seen in whole quizzes, not a flashcard
flipped minutes apart, so even a wrong answer comes back the next day rather than in ten minutes.
Fuzzing is off so that a review's due date depends only on the card and the rating.
"""

import datetime

import fsrs
from django.db import transaction

from quizzes.models import Response, ReviewCard

SCHEDULER = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def rating_for(*, is_correct: bool, confidence: str) -> ReviewCard.Rating:
    if not is_correct:
        return ReviewCard.Rating.AGAIN
    if confidence == Response.Confidence.LOW:
        return ReviewCard.Rating.HARD
    if confidence == Response.Confidence.HIGH:
        return ReviewCard.Rating.EASY
    return ReviewCard.Rating.GOOD


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


def first_intervals() -> dict[ReviewCard.Rating, datetime.timedelta]:
    """How long after a question's first answer its card comes due, for each rating (for the scoring
    page, so that what it says is what the scheduler does)."""
    start = datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC)  # any moment: the intervals do not depend on it
    return {
        rating: SCHEDULER.review_card(fsrs.Card(due=start), fsrs.Rating(rating), review_datetime=start)[0].due - start
        for rating in ReviewCard.Rating
    }
