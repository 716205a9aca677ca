"""Practice sets: "Practise my mistakes" and "Due today" (spaced repetition)."""

import datetime

import pytest

from quizzes.models import Attempt, AttemptQuestion, Question, Quiz, Response, ReviewCard, Tag
from quizzes.services.attempts import answer_submit, attempt_finish, attempt_start
from quizzes.services.practice import (
    PRACTICE_SET_SIZE,
    NothingToPractise,
    mistakes_start,
    review_start,
    tag_practice_start,
    these_start,
)
from quizzes.services.review import review_card_record
from tests.factories import (
    card_due,
    make_matching_question,
    make_quiz,
    make_short_answer_question,
    questions_of,
    right_choices,
    stem_answers,
    take_quiz,
    time_is,
)

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def set_questions(attempt):
    return list(attempt.items.in_order().values_list("question_id", flat=True))


def ids(questions):
    return [question.pk for question in questions]


# Practise my mistakes


def test_the_latest_answer_to_each_question_decides_whether_it_is_a_mistake(trainee, quiz):
    _q1, q2, q3 = questions_of(quiz)
    attempt_finish(attempt=take_quiz(trainee, quiz, [False, True, False]))
    take_quiz(trainee, quiz, [True, False, False])  # q1 put right, q2 now wrong, q3 wrong again

    attempt = mistakes_start(user=trainee)

    assert set_questions(attempt) == [q3.pk, q2.pk]  # the most recent mistake first


def test_a_mistakes_set_is_an_unranked_tutor_practice_set(trainee, quiz):
    take_quiz(trainee, quiz, [False])

    attempt = mistakes_start(user=trainee)

    assert attempt.kind == Attempt.Kind.MISTAKES and attempt.mode == Attempt.Mode.TUTOR
    assert not attempt.is_ranked and not attempt.is_finished and attempt.quiz is None
    assert attempt.title == "Practise my mistakes"


def test_mistakes_are_drawn_from_every_quiz_most_recent_first(trainee):
    quiz_a, quiz_b = make_quiz(questions=2), make_quiz(questions=2)
    take_quiz(trainee, quiz_a, [False, True])
    take_quiz(trainee, quiz_b, [True, False])

    attempt = mistakes_start(user=trainee)

    assert set_questions(attempt) == [questions_of(quiz_b)[1].pk, questions_of(quiz_a)[0].pk]


def test_mistakes_within_one_quiz_leave_the_others_out(trainee):
    quiz_a, quiz_b = make_quiz(questions=2), make_quiz(questions=2)
    take_quiz(trainee, quiz_a, [False, False])
    take_quiz(trainee, quiz_b, [False, False])

    attempt = mistakes_start(user=trainee, quiz=quiz_a)

    assert set_questions(attempt) == ids(reversed(questions_of(quiz_a)))
    assert attempt.quiz == quiz_a and attempt.title == f"Practise my mistakes: {quiz_a.title}"


def test_a_mistakes_set_takes_at_most_the_most_recent_twenty(trainee):
    quiz = make_quiz(questions=PRACTICE_SET_SIZE + 5)
    take_quiz(trainee, quiz, [False] * (PRACTICE_SET_SIZE + 5))

    attempt = mistakes_start(user=trainee)

    assert PRACTICE_SET_SIZE == 20
    assert set_questions(attempt) == ids(reversed(questions_of(quiz)))[:20]


def test_mistakes_in_unpublished_quizzes_are_left_out(trainee):
    withdrawn, published = make_quiz(questions=1), make_quiz(questions=1)
    take_quiz(trainee, withdrawn, [False])
    take_quiz(trainee, published, [False])
    Quiz.objects.filter(pk=withdrawn.pk).update(status=Quiz.Status.DRAFT)

    assert set_questions(mistakes_start(user=trainee)) == ids(questions_of(published))


def exam_answer(user, quiz, question, *, right):
    """An exam attempt holding one answer, as the exam pages save it (the verdict is not shown yet)."""
    attempt = Attempt.objects.create(
        user=user,
        quiz=quiz,
        mode=Attempt.Mode.EXAM,
        deadline=datetime.datetime.now(UTC) + datetime.timedelta(hours=1),
    )
    AttemptQuestion.objects.create(attempt=attempt, question=question, position=1)
    Response.objects.create(attempt=attempt, question=question, is_correct=right, points=10 if right else 0)
    return attempt


def test_an_unfinished_exams_answers_count_only_once_it_finishes(trainee, quiz):
    first = questions_of(quiz)[0]
    take_quiz(trainee, quiz, [True])
    exam = exam_answer(trainee, quiz, first, right=False)

    with pytest.raises(NothingToPractise):
        mistakes_start(user=trainee)  # the wrong exam answer is not final yet

    attempt_finish(attempt=exam)
    assert set_questions(mistakes_start(user=trainee)) == [first.pk]


def test_other_trainees_mistakes_are_not_mine(trainee, other_trainee, quiz):
    take_quiz(other_trainee, quiz, [False, False, False])
    take_quiz(trainee, quiz, [True, True, False])

    assert set_questions(mistakes_start(user=trainee)) == [questions_of(quiz)[2].pk]


def test_no_mistakes_means_no_set(trainee, quiz):
    take_quiz(trainee, quiz, [True, True, True])

    with pytest.raises(NothingToPractise, match="No mistakes to practise anywhere"):
        mistakes_start(user=trainee)
    with pytest.raises(NothingToPractise, match=f"No mistakes to practise in “{quiz.title}”"):
        mistakes_start(user=trainee, quiz=quiz)
    assert Attempt.objects.filter(kind=Attempt.Kind.MISTAKES).count() == 0


def test_putting_a_mistake_right_in_a_mistakes_set_takes_it_off(trainee, quiz):
    take_quiz(trainee, quiz, [False, False])
    practice = mistakes_start(user=trainee)
    most_recent = questions_of(quiz)[1]

    answer_submit(attempt=practice, question=most_recent, chosen=right_choices(most_recent))

    assert set_questions(mistakes_start(user=trainee)) == [questions_of(quiz)[0].pk]


# Due today


@pytest.fixture
def auckland(settings):
    # Far from UTC, so a day in the site's time zone and a day in UTC clearly differ.
    settings.TIME_ZONE = "Pacific/Auckland"


# 10:00 on Tuesday 6 January in Auckland (UTC+13 in summer) is 21:00 on Monday 5 January in UTC;
# the Auckland day ends at 11:00 UTC on the 6th.
AUCKLAND_TUESDAY_10AM = datetime.datetime(2026, 1, 5, 21, tzinfo=UTC)
AUCKLAND_MIDNIGHT = datetime.datetime(2026, 1, 6, 11, tzinfo=UTC)


def test_due_today_runs_to_midnight_in_the_sites_time_zone(auckland, trainee):
    quiz = make_quiz(questions=4)
    overdue, last_minute, at_midnight, earlier_today = questions_of(quiz)
    card_due(trainee, overdue, datetime.datetime(2026, 1, 1, 9, tzinfo=UTC))
    card_due(trainee, last_minute, AUCKLAND_MIDNIGHT - datetime.timedelta(minutes=1))
    card_due(trainee, at_midnight, AUCKLAND_MIDNIGHT)
    card_due(trainee, earlier_today, AUCKLAND_TUESDAY_10AM - datetime.timedelta(hours=1))

    attempt = review_start(user=trainee, now=AUCKLAND_TUESDAY_10AM)

    # Most overdue first; the card due at midnight belongs to tomorrow.
    assert set_questions(attempt) == [overdue.pk, earlier_today.pk, last_minute.pk]
    assert attempt.kind == Attempt.Kind.REVIEW and attempt.quiz is None and not attempt.is_ranked
    assert attempt.title == "Due today (spaced repetition)"


def test_the_due_summary_counts_today_and_gives_the_next_due(auckland, trainee):
    quiz = make_quiz(questions=3)
    first, second, third = questions_of(quiz)
    card_due(trainee, first, AUCKLAND_MIDNIGHT - datetime.timedelta(minutes=1))
    card_due(trainee, second, AUCKLAND_MIDNIGHT + datetime.timedelta(days=2))
    card_due(trainee, third, AUCKLAND_MIDNIGHT)

    summary = ReviewCard.objects.of(trainee).due_summary(AUCKLAND_TUESDAY_10AM)

    assert summary == {"due_today": 1, "due_soon": 0, "next_soon": None, "next_due": AUCKLAND_MIDNIGHT, "cards": 3}


def test_a_card_in_its_learning_step_is_due_soon_until_its_minutes_are_up(trainee, quiz):
    question = questions_of(quiz)[0]
    wrong_at = datetime.datetime(2026, 1, 5, 9, tzinfo=UTC)
    review_card_record(
        user_id=trainee.pk, question_id=question.pk, rating=ReviewCard.Rating.AGAIN, reviewed_at=wrong_at
    )
    back_at = wrong_at + datetime.timedelta(minutes=10)
    cards = ReviewCard.objects.of(trainee)

    soon = cards.due_summary(wrong_at + datetime.timedelta(minutes=1))
    due = cards.due_summary(back_at)

    assert soon["due_today"] == 0 and soon["due_soon"] == 1 and soon["next_soon"] == back_at
    assert due["due_today"] == 1 and due["due_soon"] == 0
    with pytest.raises(NothingToPractise):
        review_start(user=trainee, now=wrong_at + datetime.timedelta(minutes=1))
    assert set_questions(review_start(user=trainee, now=back_at)) == [question.pk]


def test_a_mistake_just_before_midnight_is_due_soon_not_tomorrow(trainee, quiz):
    question = questions_of(quiz)[0]
    wrong_at = datetime.datetime(2026, 1, 5, 23, 55, tzinfo=UTC)  # Dublin keeps UTC in January
    review_card_record(
        user_id=trainee.pk, question_id=question.pk, rating=ReviewCard.Rating.AGAIN, reviewed_at=wrong_at
    )

    soon = ReviewCard.objects.of(trainee).due_summary(wrong_at + datetime.timedelta(minutes=1))

    assert soon["due_soon"] == 1 and soon["next_soon"] == wrong_at + datetime.timedelta(minutes=10)
    assert soon["due_today"] == 0 and soon["next_due"] is None


def test_due_today_leaves_out_unpublished_quizzes_and_other_trainees_cards(trainee, other_trainee):
    now = datetime.datetime(2026, 1, 5, 9, tzinfo=UTC)
    published, withdrawn = make_quiz(questions=1), make_quiz(questions=1, status=Quiz.Status.DRAFT)
    card_due(trainee, questions_of(published)[0], now)
    card_due(trainee, questions_of(withdrawn)[0], now)
    card_due(other_trainee, questions_of(published)[0], now - datetime.timedelta(days=3))

    assert set_questions(review_start(user=trainee, now=now)) == ids(questions_of(published))


def test_due_today_takes_at_most_the_twenty_most_overdue(trainee):
    now = datetime.datetime(2026, 2, 1, 9, tzinfo=UTC)
    quiz = make_quiz(questions=PRACTICE_SET_SIZE + 3)
    questions = questions_of(quiz)
    for days_overdue, question in enumerate(questions, start=1):
        card_due(trainee, question, now - datetime.timedelta(days=days_overdue))

    attempt = review_start(user=trainee, now=now)

    assert set_questions(attempt) == ids(reversed(questions))[:PRACTICE_SET_SIZE]


def test_nothing_due_means_no_review(trainee, quiz):
    card_due(trainee, questions_of(quiz)[0], datetime.datetime(2026, 1, 9, 9, tzinfo=UTC))

    with pytest.raises(NothingToPractise, match="Nothing is due for review today"):
        review_start(user=trainee, now=datetime.datetime(2026, 1, 5, 9, tzinfo=UTC))
    assert not Attempt.objects.filter(kind=Attempt.Kind.REVIEW).exists()


def test_answering_a_review_reschedules_its_card(trainee, quiz):
    question = questions_of(quiz)[0]
    card_due(trainee, question, datetime.datetime(2026, 1, 1, 9, tzinfo=UTC))
    review = review_start(user=trainee)

    response = answer_submit(attempt=review, question=question, chosen=right_choices(question)).response

    card = ReviewCard.objects.get(user=trainee, question=question)
    assert card.reviews == 2 and card.last_review == response.answered_at
    assert card.due > response.answered_at + datetime.timedelta(days=1)
    assert review_start(user=trainee) == review  # one due-today set at a time: unfinished, it is resumed
    attempt_finish(attempt=review)
    with pytest.raises(NothingToPractise):
        review_start(user=trainee)


# Practise a tag


def test_a_tag_set_holds_the_tags_published_questions_across_published_quizzes_in_quiz_order(trainee):
    chest = Tag.objects.create(name="Chest", slug="chest")
    first, second, draft_quiz = make_quiz(order=1), make_quiz(order=2), make_quiz(status=Quiz.Status.DRAFT)
    a1, a2, a3 = questions_of(first)
    b1, _b2, _b3 = questions_of(second)
    for question in [b1, a3, a1, a2, *questions_of(draft_quiz)]:
        question.tags.add(chest)
    Question.objects.filter(pk=a2.pk).update(status=Question.Status.DRAFT)

    attempt = tag_practice_start(user=trainee, tag=chest)

    assert set_questions(attempt) == [a1.pk, a3.pk, b1.pk]
    assert (attempt.kind, attempt.mode, attempt.is_ranked, attempt.quiz, attempt.tag) == (
        Attempt.Kind.TAG,
        Attempt.Mode.TUTOR,
        False,
        None,
        chest,
    )
    assert attempt.title == "Practise a tag: Chest"


def test_a_tag_without_published_questions_starts_no_set(trainee, quiz):
    empty = Tag.objects.create(name="Empty", slug="empty")

    with pytest.raises(NothingToPractise, match="No published questions are tagged “Empty”"):
        tag_practice_start(user=trainee, tag=empty)
    assert not Attempt.objects.exists()


# Practise these


def test_practise_these_takes_an_attempts_questions_in_its_order(trainee, quiz):
    attempt = attempt_finish(attempt=take_quiz(trainee, quiz, [True, False]))

    every = these_start(user=trainee, attempt=attempt)
    wrong_or_unanswered = these_start(user=trainee, attempt=attempt, only_wrong=True)

    assert [q.order for q in Question.objects.in_attempt(every)] == [1, 2, 3]
    assert [q.order for q in Question.objects.in_attempt(wrong_or_unanswered)] == [2, 3]
    assert every.kind == wrong_or_unanswered.kind == Attempt.Kind.AGAIN and every.quiz == quiz
    assert not every.is_ranked and every.mode == Attempt.Mode.TUTOR


def test_practise_these_with_nothing_wrong_starts_nothing(trainee, quiz):
    attempt = attempt_finish(attempt=take_quiz(trainee, quiz, [True, True, True]))

    with pytest.raises(NothingToPractise, match="you got every one of these questions right"):
        these_start(user=trainee, attempt=attempt, only_wrong=True)
    assert Attempt.objects.count() == 1


def test_practise_these_refuses_an_unfinished_or_someone_elses_attempt(trainee, other_trainee, quiz):
    unfinished = take_quiz(trainee, quiz, [False])

    with pytest.raises(ValueError):
        these_start(user=trainee, attempt=unfinished)
    with pytest.raises(ValueError):
        these_start(user=other_trainee, attempt=attempt_finish(attempt=unfinished))


# Short answer and extended matching, as any other question


def test_a_short_answer_that_matched_nothing_is_a_mistake_until_put_right(trainee):
    quiz = make_quiz(questions=0)
    make_short_answer_question(quiz=quiz)
    question = questions_of(quiz)[0]
    answer_submit(attempt=attempt_start(user=trainee, quiz=quiz), question=question, typed="sarcoidosis")

    practice = mistakes_start(user=trainee)
    assert set_questions(practice) == [question.pk]

    answer_submit(attempt=practice, question=question, typed="Miliary metastases")
    with pytest.raises(NothingToPractise):
        mistakes_start(user=trainee)


def test_a_matching_question_answered_wrongly_comes_back_due_today(trainee):
    quiz = make_quiz(questions=0)
    make_matching_question(quiz=quiz)
    question = questions_of(quiz)[0]
    answered = datetime.datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    with time_is(answered):
        answer_submit(
            attempt=attempt_start(user=trainee, quiz=quiz), question=question, matches=stem_answers(question, right=2)
        )

    with time_is(answered + datetime.timedelta(minutes=11)):  # past the learning step of a wrong answer
        review = review_start(user=trainee)

    assert set_questions(review) == [question.pk]
