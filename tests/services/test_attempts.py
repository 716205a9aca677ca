"""The attempt services: start, submit (right, wrong, multiple select, twice), finish."""

import pytest
from django.db import IntegrityError
from django.utils import timezone

from quizzes.models import POINTS_PER_QUESTION, Attempt, LeaderboardEntry, Question, Response, ResponseMatch, ReviewCard
from quizzes.refusals import AlreadyAnswered, AttemptAlreadyFinished, QuestionNotOpenYet
from quizzes.services.attempts import answer_submit, attempt_finish, attempt_start
from tests.factories import (
    make_matching_question,
    make_question,
    make_quiz,
    make_short_answer_question,
    questions_of,
    right_choices,
    stem_answers,
    wrong_choices,
)

pytestmark = pytest.mark.django_db


def first_question(quiz):
    return questions_of(quiz)[0]


def test_attempt_start_creates_an_unfinished_tutor_attempt(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)

    assert attempt.user == trainee and attempt.quiz == quiz
    assert attempt.mode == Attempt.Mode.TUTOR
    assert attempt.finished_at is None and attempt.score is None


def test_submitting_the_right_option_records_a_correct_response_worth_full_points(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = first_question(quiz)

    result = answer_submit(attempt=attempt, question=question, chosen=right_choices(question))

    response = Response.objects.get(pk=result.response.pk)
    assert response.is_correct and response.points == POINTS_PER_QUESTION == 10
    assert set(response.chosen.all()) == set(right_choices(question))


def test_submitting_a_wrong_option_records_an_incorrect_response_worth_nothing(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = first_question(quiz)

    result = answer_submit(attempt=attempt, question=question, chosen=wrong_choices(question)[:1])

    assert not result.response.is_correct and result.response.points == 0
    assert list(result.response.chosen.all()) == wrong_choices(question)[:1]


@pytest.mark.parametrize(
    ("picked", "expected", "points"),
    [
        (["A", "B"], True, 10),  # exactly the right ones
        (["A"], False, 5),  # only some of the right ones: partial credit
        (["A", "B", "C"], False, 5),  # the right ones and a wrong one: the wrong one cancels a right one
        (["A", "C"], False, 0),  # one right, one wrong
        (["A", "B", "C", "D"], False, 0),  # every option
        (["C"], False, 0),  # only a wrong one
    ],
)
def test_multiple_select_is_right_only_with_exactly_the_right_options(trainee, picked, expected, points):
    quiz = make_quiz(questions=0)
    question = make_question(
        quiz=quiz, kind=Question.Kind.MULTIPLE, options=[("A", True), ("B", True), ("C", False), ("D", False)]
    )
    attempt = attempt_start(user=trainee, quiz=quiz)
    chosen = [choice for choice in question.choices.all() if choice.text in picked]

    result = answer_submit(attempt=attempt, question=question, chosen=chosen)

    assert result.response.is_correct is expected
    assert result.response.points == points


def test_second_submission_is_refused_and_changes_nothing(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = first_question(quiz)
    answer_submit(attempt=attempt, question=question, chosen=wrong_choices(question)[:1])

    with pytest.raises(AlreadyAnswered):
        answer_submit(attempt=attempt, question=question, chosen=right_choices(question))

    response = Response.objects.get(attempt=attempt, question=question)
    assert not response.is_correct
    assert list(response.chosen.all()) == wrong_choices(question)[:1]
    assert Response.objects.count() == 1


def test_the_database_refuses_a_second_response_to_the_same_question(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = first_question(quiz)
    Response.objects.create(attempt=attempt, question=question, is_correct=True, points=1)

    with pytest.raises(IntegrityError):
        Response.objects.create(attempt=attempt, question=question, is_correct=False, points=0)


def test_seconds_taken_counts_from_the_previous_answer(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    attempt.started_at = timezone.now() - timezone.timedelta(seconds=40)
    attempt.save()
    first, second = questions_of(quiz)[:2]

    answer_submit(attempt=attempt, question=first, chosen=right_choices(first))
    result = answer_submit(attempt=attempt, question=second, chosen=right_choices(second))

    assert Response.objects.get(question=first).seconds_taken == 40
    assert result.response.seconds_taken == 0


def test_attempt_finish_scores_from_the_responses(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    first, second, _third = questions_of(quiz)
    answer_submit(attempt=attempt, question=first, chosen=right_choices(first))
    answer_submit(attempt=attempt, question=second, chosen=wrong_choices(second)[:1])

    finished = attempt_finish(attempt=attempt)

    assert finished.finished_at is not None
    assert (finished.score, finished.max_score, finished.percent) == (10, 30, 33)


def test_finishing_twice_keeps_the_first_finish(trainee, quiz):
    attempt = attempt_finish(attempt=attempt_start(user=trainee, quiz=quiz))
    first_finish = attempt.finished_at

    again = attempt_finish(attempt=attempt)

    assert again.finished_at == first_finish


def test_a_finished_attempt_takes_no_more_answers(trainee, quiz):
    attempt = attempt_finish(attempt=attempt_start(user=trainee, quiz=quiz))
    question = first_question(quiz)

    with pytest.raises(AttemptAlreadyFinished):
        answer_submit(attempt=attempt, question=question, chosen=right_choices(question))
    assert not Response.objects.exists()


def test_options_from_another_question_are_refused(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    first, second, _ = questions_of(quiz)

    with pytest.raises(ValueError):
        answer_submit(attempt=attempt, question=first, chosen=right_choices(second))
    assert not Response.objects.exists()


def test_the_database_keeps_scores_within_zero_and_the_maximum(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)

    with pytest.raises(IntegrityError):
        Attempt.objects.filter(pk=attempt.pk).update(score=5, max_score=3)


# --- Short answer and extended matching --------------------------------------------------------------


def test_a_short_answer_records_what_was_typed_and_the_accepted_answer_it_matched(trainee):
    quiz = make_quiz(questions=0)
    question = questions_of_quiz_with(make_short_answer_question, quiz)
    attempt = attempt_start(user=trainee, quiz=quiz)

    answer_submit(attempt=attempt, question=question, typed="Metastases")

    response = Response.objects.select_related("matched_answer").get()
    assert (response.typed_answer, response.matched_answer.text) == ("Metastases", "metastases")
    assert (response.is_correct, response.points) == (False, 5)  # half marks: "be specific"
    assert not response.chosen.exists()


def test_a_short_answer_that_matches_nothing_records_no_accepted_answer(trainee):
    quiz = make_quiz(questions=0)
    question = questions_of_quiz_with(make_short_answer_question, quiz)

    answer_submit(attempt=attempt_start(user=trainee, quiz=quiz), question=question, typed="sarcoidosis")

    response = Response.objects.get()
    assert (response.typed_answer, response.matched_answer, response.points) == ("sarcoidosis", None, 0)


def test_a_matching_answer_records_each_stems_option_and_earns_partial_credit(trainee):
    quiz = make_quiz(questions=0)
    question = questions_of_quiz_with(make_matching_question, quiz)
    matches = stem_answers(question, right=3)

    result = answer_submit(attempt=attempt_start(user=trainee, quiz=quiz), question=question, matches=matches)

    response = Response.objects.get()
    assert {match.stem_id: match.choice_id for match in ResponseMatch.objects.filter(response=response)} == matches
    assert (response.is_correct, response.points) == (False, 7)
    assert result.matches == matches and result.chosen_ids == set(matches.values())


def test_a_matching_answer_all_right_is_correct_and_reviews_its_card_as_good(trainee):
    quiz = make_quiz(questions=0)
    question = questions_of_quiz_with(make_matching_question, quiz)

    answer_submit(attempt=attempt_start(user=trainee, quiz=quiz), question=question, matches=stem_answers(question))

    assert Response.objects.get().points == 10
    assert ReviewCard.objects.get(user=trainee, question=question).last_rating == ReviewCard.Rating.GOOD


def test_partial_credit_on_a_matching_answer_is_a_mistake_for_the_review_card(trainee):
    quiz = make_quiz(questions=0)
    question = questions_of_quiz_with(make_matching_question, quiz)

    answer_submit(
        attempt=attempt_start(user=trainee, quiz=quiz), question=question, matches=stem_answers(question, right=3)
    )

    assert ReviewCard.objects.get(user=trainee, question=question).last_rating == ReviewCard.Rating.AGAIN


def test_stems_or_options_of_another_question_are_refused_and_nothing_is_recorded(trainee):
    quiz = make_quiz(questions=0)
    question = questions_of_quiz_with(make_matching_question, quiz)
    other = questions_of(make_quiz(questions=1))[0]
    stem = question.match_stems.first()

    attempt = attempt_start(user=trainee, quiz=quiz)
    for matches in ({stem.pk: other.choices.first().pk}, {stem.pk + 1000: stem.answer_id}):
        with pytest.raises(ValueError):
            answer_submit(attempt=attempt, question=question, matches=matches)

    assert not Response.objects.exists()


def questions_of_quiz_with(make, quiz):
    """A question made by `make` in `quiz`, read back as services get it (its kind's parts prefetched)."""
    made = make(quiz=quiz)
    return next(question for question in questions_of(quiz) if question.pk == made.pk)


def tally_of(attempt) -> tuple[int, int]:
    attempt.refresh_from_db()
    return attempt.answered_count, attempt.points_so_far


def test_an_answer_adds_to_the_attempts_running_tally_as_the_responses_add_up(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    first, second, _third = questions_of(quiz)

    answer_submit(attempt=attempt, question=first, chosen=right_choices(first))
    answer_submit(attempt=attempt, question=second, chosen=wrong_choices(second)[:1])

    responses = attempt.responses.tally()
    assert tally_of(attempt) == (responses["answered"], responses["points"]) == (2, 10)


def test_the_attempt_in_memory_has_the_tally_and_stamp_the_answer_left(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = first_question(quiz)

    result = answer_submit(attempt=attempt, question=question, chosen=right_choices(question))

    assert (attempt.answered_count, attempt.points_so_far) == (1, 10)
    assert attempt.last_answered_at == result.response.answered_at


def test_a_refused_second_answer_leaves_the_tally_alone(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = first_question(quiz)
    answer_submit(attempt=attempt, question=question, chosen=right_choices(question))

    with pytest.raises(AlreadyAnswered):
        answer_submit(attempt=Attempt.objects.get(pk=attempt.pk), question=question, chosen=right_choices(question))

    assert tally_of(attempt) == (1, 10)


def test_a_question_is_answered_only_once_every_earlier_one_is(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    first, second, third = questions_of(quiz)

    with pytest.raises(QuestionNotOpenYet):
        answer_submit(attempt=attempt, question=second, chosen=right_choices(second))
    answer_submit(attempt=attempt, question=first, chosen=right_choices(first))
    with pytest.raises(QuestionNotOpenYet):
        answer_submit(attempt=attempt, question=third, chosen=right_choices(third))

    assert list(Response.objects.values_list("question", flat=True)) == [first.pk]
    assert tally_of(attempt) == (1, 10)


def test_a_question_that_is_not_the_attempts_is_refused_and_nothing_is_recorded(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    stranger = first_question(make_quiz(questions=1))

    with pytest.raises(ValueError, match="one of the attempt's questions"):
        answer_submit(attempt=attempt, question=stranger, chosen=right_choices(stranger))

    assert not Response.objects.exists() and tally_of(attempt) == (0, 0)
    assert not LeaderboardEntry.objects.exists() and not ReviewCard.objects.exists()


def test_a_deleted_question_leaves_no_gap_in_the_order(trainee, quiz):
    # An unanswered question taken out of the quiz goes from the attempt too: the next one opens.
    attempt = attempt_start(user=trainee, quiz=quiz)
    first, second, third = questions_of(quiz)
    answer_submit(attempt=attempt, question=first, chosen=right_choices(first))

    second.delete()
    answer_submit(attempt=attempt, question=third, chosen=right_choices(third))

    assert tally_of(attempt) == (2, 20)
