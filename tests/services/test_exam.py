"""Exam answers: saved and changed until the exam finishes, refused after its time limit, flagged for review."""

import datetime

import pytest
from django.utils import timezone

from quizzes.models import Attempt, AttemptQuestion, LeaderboardEntry, Response, ResponseMatch, ReviewCard
from quizzes.refusals import AttemptAlreadyFinished, ModeNotOffered, NotAnExam, TimeIsUp
from quizzes.services.attempts import attempt_finish, attempt_start
from quizzes.services.exam import exam_answer_clear, exam_answer_save, exam_flag_set
from tests.factories import (
    make_matching_question,
    make_quiz,
    make_short_answer_question,
    questions_of,
    right_choices,
    stem_answers,
    time_is,
    wrong_choices,
)

pytestmark = pytest.mark.django_db
EXAM = Attempt.Mode.EXAM


@pytest.fixture
def exam_quiz(db):
    return make_quiz(questions=3, exam_minutes=20)


@pytest.fixture
def exam(trainee, exam_quiz):
    return attempt_start(user=trainee, quiz=exam_quiz, mode=EXAM)


def test_the_educators_time_limit_sets_the_exams_deadline(trainee, exam_quiz):
    started = timezone.now().replace(microsecond=0)

    with time_is(started):
        exam = attempt_start(user=trainee, quiz=exam_quiz, mode=EXAM)

    assert exam.started_at == started
    assert exam.deadline == started + datetime.timedelta(minutes=20)


@pytest.mark.parametrize("fields", [{"exam_minutes": None}, {"kind": "case"}])
def test_no_exam_for_case_quizzes_or_quizzes_without_a_time_limit(trainee, fields):
    quiz = make_quiz(questions=2, **fields)

    with pytest.raises(ModeNotOffered):
        attempt_start(user=trainee, quiz=quiz, mode=EXAM)

    assert not Attempt.objects.exists()


def test_saving_an_answer_records_it_scored_but_counts_nothing_yet(trainee, exam, exam_quiz):
    question = questions_of(exam_quiz)[0]

    response = exam_answer_save(attempt=exam, question=question, chosen=right_choices(question))

    assert response.is_correct and response.points == 10
    assert list(response.chosen.all()) == right_choices(question)
    assert not LeaderboardEntry.objects.exists()
    assert not ReviewCard.objects.exists()
    exam.refresh_from_db()
    assert exam.last_answered_at == response.answered_at and not exam.is_finished


def test_changing_an_answer_updates_the_one_response(trainee, exam, exam_quiz):
    question = questions_of(exam_quiz)[0]
    exam_answer_save(attempt=exam, question=question, chosen=right_choices(question))

    exam_answer_save(attempt=exam, question=question, chosen=wrong_choices(question)[:1])

    response = Response.objects.get()
    assert not response.is_correct and response.points == 0
    assert list(response.chosen.all()) == wrong_choices(question)[:1]


def test_clearing_an_answer_leaves_the_question_unanswered(trainee, exam, exam_quiz):
    question = questions_of(exam_quiz)[0]
    exam_answer_save(attempt=exam, question=question, chosen=right_choices(question))

    exam_answer_clear(attempt=exam, question=question)

    assert not Response.objects.exists()
    assert not Response.chosen.through.objects.exists()


def test_an_answer_after_the_deadline_is_refused_and_finishes_the_exam_as_of_its_deadline(trainee, exam, exam_quiz):
    first, second, _third = questions_of(exam_quiz)
    exam_answer_save(attempt=exam, question=first, chosen=right_choices(first))

    with time_is(exam.deadline + datetime.timedelta(seconds=1)), pytest.raises(TimeIsUp):
        exam_answer_save(attempt=exam, question=second, chosen=right_choices(second))

    exam.refresh_from_db()
    assert exam.finished_at == exam.deadline and exam.ran_out_of_time
    assert exam.score == 10 and exam.max_score == 30  # the answered question counted, the rest unanswered
    assert list(Response.objects.values_list("question", flat=True)) == [first.pk]


def test_an_answer_at_the_deadline_itself_is_refused(trainee, exam, exam_quiz):
    question = questions_of(exam_quiz)[0]

    with time_is(exam.deadline), pytest.raises(TimeIsUp):
        exam_answer_save(attempt=exam, question=question, chosen=right_choices(question))

    assert not Response.objects.exists()


def test_an_answer_a_moment_before_the_deadline_is_saved(trainee, exam, exam_quiz):
    question = questions_of(exam_quiz)[0]

    with time_is(exam.deadline - datetime.timedelta(milliseconds=1)):
        exam_answer_save(attempt=exam, question=question, chosen=right_choices(question))

    assert Response.objects.count() == 1


def test_a_finished_exam_takes_no_more_changes(trainee, exam, exam_quiz):
    question = questions_of(exam_quiz)[0]
    exam_answer_save(attempt=exam, question=question, chosen=wrong_choices(question)[:1])
    attempt_finish(attempt=exam)

    with pytest.raises(AttemptAlreadyFinished):
        exam_answer_save(attempt=exam, question=question, chosen=right_choices(question))
    with pytest.raises(AttemptAlreadyFinished):
        exam_answer_clear(attempt=exam, question=question)
    with pytest.raises(AttemptAlreadyFinished):
        exam_flag_set(attempt=exam, question=question, flagged=True)

    response = Response.objects.get()
    assert not response.is_correct and list(response.chosen.all()) == wrong_choices(question)[:1]


def test_the_leaderboard_counts_an_exam_only_when_it_finishes(trainee, exam, exam_quiz):
    first, second, _third = questions_of(exam_quiz)
    exam_answer_save(attempt=exam, question=first, chosen=right_choices(first))
    exam_answer_save(attempt=exam, question=second, chosen=wrong_choices(second)[:1])
    assert not LeaderboardEntry.objects.exists()

    attempt_finish(attempt=exam)

    entry = LeaderboardEntry.objects.get(board=LeaderboardEntry.ALL_TIME, user=trainee)
    assert (entry.points, entry.answered, entry.correct) == (exam.score, 2, 1) == (10, 2, 1)
    assert ReviewCard.objects.filter(user=trainee).count() == 2


def test_flagging_and_unflagging_a_question(trainee, exam, exam_quiz):
    question = questions_of(exam_quiz)[1]

    exam_flag_set(attempt=exam, question=question, flagged=True)
    assert AttemptQuestion.objects.get(attempt=exam, question=question).is_flagged

    exam_flag_set(attempt=exam, question=question, flagged=False)
    assert not AttemptQuestion.objects.filter(is_flagged=True).exists()


def test_flagging_after_the_deadline_is_refused_and_finishes_the_exam(trainee, exam, exam_quiz):
    question = questions_of(exam_quiz)[0]

    with time_is(exam.deadline + datetime.timedelta(minutes=5)), pytest.raises(TimeIsUp):
        exam_flag_set(attempt=exam, question=question, flagged=True)

    exam.refresh_from_db()
    assert exam.finished_at == exam.deadline and exam.score == 0
    assert not AttemptQuestion.objects.filter(is_flagged=True).exists()


def test_a_question_outside_the_exam_is_refused(trainee, exam):
    stranger = questions_of(make_quiz(questions=1))[0]

    with pytest.raises(ValueError):
        exam_answer_save(attempt=exam, question=stranger, chosen=right_choices(stranger))
    with pytest.raises(ValueError):
        exam_flag_set(attempt=exam, question=stranger, flagged=True)

    assert not Response.objects.exists()


def test_options_of_another_question_are_refused(trainee, exam, exam_quiz):
    first, second, _third = questions_of(exam_quiz)

    with pytest.raises(ValueError):
        exam_answer_save(attempt=exam, question=first, chosen=right_choices(second))

    assert not Response.objects.exists()


def test_a_tutor_attempt_is_not_changed_through_the_exam_service(trainee, exam_quiz):
    tutor = attempt_start(user=trainee, quiz=exam_quiz)
    question = questions_of(exam_quiz)[0]

    with pytest.raises(NotAnExam):
        exam_answer_save(attempt=tutor, question=question, chosen=right_choices(question))

    assert not Response.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_answers_saved_as_the_exam_finishes_are_either_in_its_score_or_refused(trainee):
    from tests.test_concurrency import all_at_once

    quiz = make_quiz(questions=8, exam_minutes=20)
    exam = attempt_start(user=trainee, quiz=quiz, mode=EXAM)
    questions = questions_of(quiz)

    def work(index):
        attempt = Attempt.objects.get(pk=exam.pk)
        if index == 0:
            return attempt_finish(attempt=attempt)
        question = questions[index - 1]
        return exam_answer_save(attempt=attempt, question=question, chosen=right_choices(question))

    results = all_at_once(len(questions) + 1, work)

    saved = [result for result in results[1:] if isinstance(result, Response)]
    refused = [result for result in results[1:] if isinstance(result, AttemptAlreadyFinished)]
    assert len(saved) + len(refused) == len(questions), results
    exam.refresh_from_db()
    # Nothing the trainee was told was saved is missing from the score, and nothing refused is kept.
    assert exam.score == 10 * len(saved) == 10 * Response.objects.filter(attempt=exam).count()


# --- Short answer and extended matching --------------------------------------------------------------


def test_changing_a_short_answer_in_an_exam_rescores_it_and_records_the_new_match(trainee):
    quiz = make_quiz(questions=0, exam_minutes=20)
    make_short_answer_question(quiz=quiz)
    question = questions_of(quiz)[0]
    exam = attempt_start(user=trainee, quiz=quiz, mode=EXAM)

    exam_answer_save(attempt=exam, question=question, typed="metastases")
    exam_answer_save(attempt=exam, question=question, typed="Miliary metastases")

    response = Response.objects.select_related("matched_answer").get()
    assert (response.typed_answer, response.matched_answer.text, response.points) == (
        "Miliary metastases",
        "miliary metastases",
        10,
    )


def test_changing_a_matching_answer_in_an_exam_replaces_its_matches(trainee):
    quiz = make_quiz(questions=0, exam_minutes=20)
    make_matching_question(quiz=quiz)
    question = questions_of(quiz)[0]
    exam = attempt_start(user=trainee, quiz=quiz, mode=EXAM)
    everything = stem_answers(question)
    one_stem = dict(list(stem_answers(question, right=0).items())[:1])

    exam_answer_save(attempt=exam, question=question, matches=everything)
    exam_answer_save(attempt=exam, question=question, matches=one_stem)

    response = Response.objects.get()
    assert {match.stem_id: match.choice_id for match in ResponseMatch.objects.all()} == one_stem
    assert (response.is_correct, response.points) == (False, 0)
    assert not ReviewCard.objects.exists()  # nothing counts until the exam finishes

    exam_answer_clear(attempt=exam, question=question)
    assert not ResponseMatch.objects.exists()


def test_saving_changing_and_clearing_answers_keep_the_running_tally_equal_to_the_responses(trainee, exam, exam_quiz):
    first, second, _third = questions_of(exam_quiz)

    def tally():
        exam.refresh_from_db()
        responses = exam.responses.tally()
        assert (exam.answered_count, exam.points_so_far) == (responses["answered"], responses["points"])
        return responses["answered"], responses["points"]

    exam_answer_save(attempt=exam, question=first, chosen=right_choices(first))
    exam_answer_save(attempt=exam, question=second, chosen=right_choices(second))
    assert tally() == (2, 20)
    exam_answer_save(attempt=exam, question=first, chosen=wrong_choices(first)[:1])
    assert tally() == (2, 10)
    exam_answer_clear(attempt=exam, question=second)
    assert tally() == (1, 0)
    exam_answer_clear(attempt=exam, question=second)  # nothing left to clear
    assert tally() == (1, 0)


def test_a_question_outside_the_exam_changes_no_tally(trainee, exam):
    stranger = questions_of(make_quiz(questions=1))[0]

    with pytest.raises(ValueError):
        exam_answer_save(attempt=exam, question=stranger, chosen=right_choices(stranger))

    exam.refresh_from_db()
    assert (exam.answered_count, exam.points_so_far, exam.last_answered_at) == (0, 0, None)
