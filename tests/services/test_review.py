"""Spaced repetition: each answer rates the question's card and FSRS says when it is due again."""

import datetime

import pytest

from quizzes.models import Question, ReviewCard
from quizzes.services.attempts import answer_submit, attempt_finish, attempt_start
from quizzes.services.review import review_card_record
from tests.factories import make_question, questions_of, right_choices, wrong_choices

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
Rating = ReviewCard.Rating

FIRST_REVIEW = datetime.datetime(2026, 1, 5, 9, tzinfo=UTC)
# A card rated Good at FIRST_REVIEW is due two days later; this is its second review, right on time.
SECOND_REVIEW = datetime.datetime(2026, 1, 7, 9, tzinfo=UTC)


def on(day, hour=9):
    return datetime.datetime(2026, 1, day, hour, tzinfo=UTC)


# The learning step (quizzes/scoring.py, LEARNING_STEP): a wrong answer, to a new card or to a learnt one
# (a lapse), comes back 10 minutes later; a right guess (Hard) on a new card 1.5 steps later.
STEP = datetime.timedelta(minutes=10)


@pytest.fixture
def question(quiz):
    return questions_of(quiz)[0]


@pytest.mark.parametrize(
    ("rating", "due"),
    [
        (Rating.AGAIN, FIRST_REVIEW + STEP),
        (Rating.HARD, FIRST_REVIEW + 1.5 * STEP),
        (Rating.GOOD, on(7)),
        (Rating.EASY, on(13)),
    ],
)
def test_a_new_card_is_due_after_its_learning_step_two_days_or_eight_days_later_by_rating(
    trainee, question, rating, due
):
    card = review_card_record(user_id=trainee.pk, question_id=question.pk, rating=rating, reviewed_at=FIRST_REVIEW)

    card.refresh_from_db()
    assert card.due == due
    assert card.last_review == FIRST_REVIEW and card.last_rating == rating and card.reviews == 1


@pytest.mark.parametrize(
    ("rating", "due"),
    [(Rating.AGAIN, SECOND_REVIEW + STEP), (Rating.HARD, on(15)), (Rating.GOOD, on(18)), (Rating.EASY, on(26))],
)
def test_a_card_rated_good_and_reviewed_when_due_comes_back_later_by_rating(trainee, question, rating, due):
    review_card_record(user_id=trainee.pk, question_id=question.pk, rating=Rating.GOOD, reviewed_at=FIRST_REVIEW)

    card = review_card_record(user_id=trainee.pk, question_id=question.pk, rating=rating, reviewed_at=SECOND_REVIEW)

    card.refresh_from_db()
    assert card.due == due and card.reviews == 2 and card.last_rating == rating
    assert ReviewCard.objects.filter(user=trainee, question=question).count() == 1


@pytest.mark.parametrize(
    ("right", "confidence", "due"),
    [
        (False, "", FIRST_REVIEW + STEP),
        (True, "low", FIRST_REVIEW + 1.5 * STEP),
        (True, "medium", on(7)),
        (True, "", on(7)),
        (True, "high", on(13)),
    ],
)
def test_a_tutor_answer_schedules_its_questions_card(trainee, quiz, question, travel, right, confidence, due):
    attempt = attempt_start(user=trainee, quiz=quiz)
    travel(FIRST_REVIEW)

    answer_submit(
        attempt=attempt,
        question=question,
        chosen=right_choices(question) if right else wrong_choices(question)[:1],
        confidence=confidence,
    )

    assert ReviewCard.objects.get(user=trainee, question=question).due == due


def test_a_later_answer_reviews_the_stored_card_again(trainee, quiz, question, travel):
    travel(FIRST_REVIEW)
    first = attempt_start(user=trainee, quiz=quiz)
    answer_submit(attempt=first, question=question, chosen=right_choices(question))
    attempt_finish(attempt=first)
    travel(SECOND_REVIEW)

    answer_submit(
        attempt=attempt_start(user=trainee, quiz=quiz),
        question=question,
        chosen=right_choices(question),
        confidence="high",
    )

    card = ReviewCard.objects.get(user=trainee, question=question)
    assert card.due == on(26)  # Good on the 5th, then Easy on the 7th
    assert card.reviews == 2 and card.last_rating == Rating.EASY and card.last_review == SECOND_REVIEW


def test_partial_credit_counts_as_wrong(trainee, quiz, travel):
    question = make_question(
        quiz=quiz,
        order=9,
        kind=Question.Kind.MULTIPLE,
        options=[("Right a", True), ("Right b", True), ("Wrong c", False)],
    )
    attempt = attempt_start(user=trainee, quiz=quiz)
    for earlier in questions_of(quiz)[:3]:
        answer_submit(attempt=attempt, question=earlier, chosen=right_choices(earlier))
    travel(FIRST_REVIEW)

    result = answer_submit(attempt=attempt, question=question, chosen=right_choices(question)[:1], confidence="high")

    assert result.response.points == 5
    card = ReviewCard.objects.get(user=trainee, question=question)
    assert card.last_rating == Rating.AGAIN and card.due == FIRST_REVIEW + STEP


def test_each_trainee_has_their_own_card(trainee, other_trainee, question):
    review_card_record(user_id=trainee.pk, question_id=question.pk, rating=Rating.AGAIN, reviewed_at=FIRST_REVIEW)
    review_card_record(user_id=other_trainee.pk, question_id=question.pk, rating=Rating.EASY, reviewed_at=FIRST_REVIEW)

    assert ReviewCard.objects.get(user=trainee).due == FIRST_REVIEW + STEP
    assert ReviewCard.objects.get(user=other_trainee).due == on(13)


def test_a_card_reviewed_since_it_was_read_is_read_again_and_no_review_is_lost(trainee, question):
    # Two answers to one question at once (two attempts): each read the card before the other wrote it.
    read_before = None  # no card yet, as the first answer saw it
    review_card_record(user_id=trainee.pk, question_id=question.pk, rating=Rating.GOOD, reviewed_at=FIRST_REVIEW)

    card = review_card_record(
        user_id=trainee.pk, question_id=question.pk, rating=Rating.GOOD, reviewed_at=SECOND_REVIEW, card=read_before
    )

    card.refresh_from_db()
    assert card.reviews == 2 and ReviewCard.objects.count() == 1
    # Scheduled from the stored card (Good, then Good on time): not as if it were new.
    assert card.due == on(18)


def test_a_stale_copy_of_a_stored_card_is_not_written_over_a_newer_review(trainee, question):
    first = review_card_record(
        user_id=trainee.pk, question_id=question.pk, rating=Rating.GOOD, reviewed_at=FIRST_REVIEW
    )
    stale = ReviewCard.objects.get(pk=first.pk)
    review_card_record(user_id=trainee.pk, question_id=question.pk, rating=Rating.AGAIN, reviewed_at=SECOND_REVIEW)

    card = review_card_record(
        user_id=trainee.pk, question_id=question.pk, rating=Rating.GOOD, reviewed_at=on(8), card=stale
    )

    card.refresh_from_db()
    assert card.reviews == 3 and card.last_review == on(8)


def test_a_card_read_before_saves_the_review_its_read(trainee, question, django_assert_num_queries):
    card = review_card_record(user_id=trainee.pk, question_id=question.pk, rating=Rating.GOOD, reviewed_at=FIRST_REVIEW)

    with django_assert_num_queries(1):  # the upsert alone (no savepoint: it joins the caller's transaction)
        review_card_record(
            user_id=trainee.pk, question_id=question.pk, rating=Rating.GOOD, reviewed_at=SECOND_REVIEW, card=card
        )

    assert ReviewCard.objects.get(pk=card.pk).reviews == 2


def test_reviewing_a_new_card_never_sleeps(trainee, question, monkeypatch):
    # fsrs.Card() without a card_id sleeps a millisecond to make one from the clock: not on the request path.
    def no_sleeping(seconds):
        raise AssertionError(f"slept {seconds} s")

    monkeypatch.setattr("time.sleep", no_sleeping)

    card = review_card_record(user_id=trainee.pk, question_id=question.pk, rating=Rating.GOOD, reviewed_at=FIRST_REVIEW)

    assert card.reviews == 1
