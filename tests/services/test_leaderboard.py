"""Leaderboard totals: which attempts count, what an answer adds, weeks, deletion, rebuild, and
the invariant that every total equals the sum over ranked responses, also under concurrent answers."""

import datetime
import io
import threading
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from quizzes.models import Attempt, LeaderboardEntry, Question, Response, User
from quizzes.refusals import AlreadyAnswered
from quizzes.services.attempts import answer_submit, attempt_finish, attempt_start
from quizzes.services.leaderboard import (
    Totals,
    leaderboard_discrepancies,
    leaderboard_rebuild,
    leaderboard_settings_update,
)
from tests.factories import (
    make_question,
    make_quiz,
    make_user,
    questions_of,
    right_choices,
    typed_and_matching_answered,
    wrong_choices,
)

pytestmark = pytest.mark.django_db
DUBLIN = ZoneInfo("Europe/Dublin")


def answer_all(attempt, right: int):
    """Answer every question of the attempt's quiz, the first `right` rightly and the rest wrongly, and
    finish it (no other attempt at the quiz starts beside an open counted one)."""
    for number, question in enumerate(questions_of(attempt.quiz)):
        chosen = right_choices(question) if number < right else wrong_choices(question)[:1]
        answer_submit(attempt=attempt, question=question, chosen=chosen)
    attempt_finish(attempt=attempt)


def sums_over_responses() -> dict:
    """What the totals must be, computed here the slow, obvious way, independently of the service."""
    expected = defaultdict(lambda: [0, 0, 0])
    for response in Response.objects.select_related("attempt"):
        if not response.attempt.is_ranked:
            continue
        day = response.answered_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
        monday = day - datetime.timedelta(days=day.weekday())
        for board in ("all", f"week-{monday.isoformat()}", f"quiz-{response.attempt.quiz_id}"):
            total = expected[(board, response.attempt.user_id)]
            total[0] += response.points
            total[1] += 1
            total[2] += int(response.is_correct)
    return {key: tuple(total) for key, total in expected.items()}


def stored_totals() -> dict:
    return {
        (entry.board, entry.user_id): (entry.points, entry.answered, entry.correct)
        for entry in LeaderboardEntry.objects.all()
    }


def assert_totals_equal_sums_over_responses():
    assert stored_totals() == sums_over_responses()
    assert leaderboard_discrepancies() == {}


def test_the_first_attempt_at_a_quiz_counts_and_later_ones_are_practice(trainee, quiz):
    first = attempt_finish(attempt=attempt_start(user=trainee, quiz=quiz))
    second = attempt_start(user=trainee, quiz=quiz)
    elsewhere = attempt_start(user=trainee, quiz=make_quiz())

    assert first.is_ranked and not second.is_ranked and elsewhere.is_ranked


def test_the_database_refuses_two_counted_attempts_at_one_quiz(trainee, quiz):
    Attempt.objects.create(user=trainee, quiz=quiz, is_ranked=True)

    with pytest.raises(IntegrityError):
        Attempt.objects.create(user=trainee, quiz=quiz, is_ranked=True)


def test_after_the_counted_attempt_is_deleted_the_next_new_attempt_counts(trainee, quiz):
    first = attempt_finish(attempt=attempt_start(user=trainee, quiz=quiz))
    practice = attempt_start(user=trainee, quiz=quiz)
    first.delete()

    again = attempt_start(user=trainee, quiz=quiz)

    practice.refresh_from_db()
    assert again.is_ranked and not practice.is_ranked


def test_a_counted_answer_adds_to_the_all_time_weekly_and_quiz_totals(trainee, quiz, travel):
    travel(datetime.datetime(2026, 3, 4, 12, 0, tzinfo=DUBLIN))  # a Wednesday
    attempt = attempt_start(user=trainee, quiz=quiz)

    answer_all(attempt, right=2)

    totals = {entry.board: (entry.points, entry.answered, entry.correct) for entry in trainee.leaderboard_entries.all()}
    assert totals == {"all": (20, 3, 2), "week-2026-03-02": (20, 3, 2), f"quiz-{quiz.pk}": (20, 3, 2)}


def test_practice_answers_do_not_count(trainee, quiz):
    answer_all(attempt_start(user=trainee, quiz=quiz), right=1)
    answer_all(attempt_start(user=trainee, quiz=quiz), right=3)

    assert trainee.leaderboard_entries.get(board="all").points == 10
    assert_totals_equal_sums_over_responses()


def test_partial_credit_adds_points_but_not_a_correct_answer(trainee):
    quiz = make_quiz(questions=0)
    question = make_question(quiz=quiz, kind=Question.Kind.MULTIPLE, options=[("A", True), ("B", True), ("C", False)])
    attempt = attempt_start(user=trainee, quiz=quiz)

    answer_submit(attempt=attempt, question=question, chosen=[question.choices.get(text="A")])

    entry = trainee.leaderboard_entries.get(board="all")
    assert (entry.points, entry.answered, entry.correct, entry.accuracy) == (5, 1, 0, 0)


def test_a_refused_second_submission_is_not_counted_twice(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = questions_of(quiz)[0]
    answer_submit(attempt=attempt, question=question, chosen=right_choices(question))

    with pytest.raises(AlreadyAnswered):
        answer_submit(attempt=attempt, question=question, chosen=right_choices(question))

    assert trainee.leaderboard_entries.get(board="all").answered == 1
    assert_totals_equal_sums_over_responses()


def test_finishing_an_attempt_changes_no_totals(trainee, quiz):
    attempt = attempt_start(user=trainee, quiz=quiz)
    answer_all(attempt, right=2)
    before = stored_totals()

    attempt_finish(attempt=attempt)

    assert stored_totals() == before


def test_answers_late_on_sunday_and_early_on_monday_count_in_different_weeks(trainee, quiz, travel):
    first, second, third = questions_of(quiz)
    attempt = attempt_start(user=trainee, quiz=quiz)
    # Irish summer time: 23:59 on Sunday in Dublin is 22:59 UTC, still the week that began on Monday 22 June.
    travel(datetime.datetime(2026, 6, 28, 23, 59, tzinfo=DUBLIN))
    answer_submit(attempt=attempt, question=first, chosen=right_choices(first))
    travel(datetime.datetime(2026, 6, 29, 0, 1, tzinfo=DUBLIN))  # Monday: 23:01 UTC on Sunday
    answer_submit(attempt=attempt, question=second, chosen=right_choices(second))
    travel(datetime.datetime(2026, 7, 5, 23, 30, tzinfo=datetime.UTC))  # 00:30 on Monday 6 July in Dublin
    answer_submit(attempt=attempt, question=third, chosen=right_choices(third))

    weeks = dict(trainee.leaderboard_entries.filter(board__startswith="week-").values_list("board", "points"))
    assert weeks == {"week-2026-06-22": 10, "week-2026-06-29": 10, "week-2026-07-06": 10}
    assert trainee.leaderboard_entries.get(board="all").points == 30
    assert_totals_equal_sums_over_responses()


def test_week_of_runs_monday_to_sunday_in_the_site_time_zone():
    monday = datetime.date(2026, 10, 19)
    # The clocks go back on Sunday 25 October 2026: the week is still Monday to Sunday, local time.
    assert LeaderboardEntry.week_of(datetime.datetime(2026, 10, 19, 0, 0, tzinfo=DUBLIN)) == monday
    assert LeaderboardEntry.week_of(datetime.datetime(2026, 10, 25, 23, 59, tzinfo=DUBLIN)) == monday
    next_monday = monday + datetime.timedelta(days=7)
    assert LeaderboardEntry.week_of(datetime.datetime(2026, 10, 26, 0, 0, tzinfo=DUBLIN)) == next_monday
    assert LeaderboardEntry.week_of(datetime.datetime(2026, 10, 18, 23, 30, tzinfo=datetime.UTC)) == monday


def test_deleting_a_counted_attempt_takes_its_answers_off_every_total(trainee, other_trainee, quiz, travel):
    other_quiz = make_quiz(questions=2)
    first, second, third = questions_of(quiz)
    travel(datetime.datetime(2026, 3, 1, 12, 0, tzinfo=DUBLIN))  # a Sunday
    answer_all(attempt_start(user=trainee, quiz=other_quiz), right=2)
    doomed = attempt_start(user=trainee, quiz=quiz)
    answer_submit(attempt=doomed, question=first, chosen=right_choices(first))
    travel(datetime.datetime(2026, 3, 2, 12, 0, tzinfo=DUBLIN))  # Monday: the attempt spans two weeks
    answer_submit(attempt=doomed, question=second, chosen=right_choices(second))
    answer_submit(attempt=doomed, question=third, chosen=wrong_choices(third)[:1])
    answer_all(attempt_start(user=other_trainee, quiz=quiz), right=3)

    doomed.delete()

    totals = {entry.board: entry.points for entry in trainee.leaderboard_entries.all()}
    assert totals == {"all": 20, "week-2026-02-23": 20, f"quiz-{other_quiz.pk}": 20}  # emptied rows are gone
    assert_totals_equal_sums_over_responses()


def test_deleting_attempts_in_bulk_or_through_their_user_keeps_totals_right(trainee, other_trainee, quiz):
    for user in (trainee, other_trainee):
        answer_all(attempt_start(user=user, quiz=quiz), right=2)
        answer_all(attempt_start(user=user, quiz=make_quiz(questions=2)), right=1)
        answer_all(attempt_start(user=user, quiz=quiz), right=3)  # practice

    Attempt.objects.filter(user=trainee, quiz=quiz).delete()  # as the admin's "delete selected" does
    assert_totals_equal_sums_over_responses()
    User.objects.filter(pk=other_trainee.pk).delete()
    assert_totals_equal_sums_over_responses()
    assert not LeaderboardEntry.objects.filter(user=other_trainee.pk).exists()


def test_deleting_a_practice_attempt_changes_no_totals(trainee, quiz):
    answer_all(attempt_start(user=trainee, quiz=quiz), right=2)
    practice = attempt_start(user=trainee, quiz=quiz)
    answer_all(practice, right=3)
    before = stored_totals()

    practice.delete()

    assert stored_totals() == before


def test_the_database_refuses_a_total_below_zero_or_beyond_its_answers(trainee, quiz):
    answer_all(attempt_start(user=trainee, quiz=quiz), right=1)
    entry = trainee.leaderboard_entries.get(board="all")

    for change in ({"points": -1}, {"correct": 4}, {"points": 31}):
        with pytest.raises(IntegrityError), transaction.atomic():
            LeaderboardEntry.objects.filter(pk=entry.pk).update(**change)


def test_rebuild_repairs_totals_that_drifted_from_the_responses(trainee, other_trainee, quiz):
    answer_all(attempt_start(user=trainee, quiz=quiz), right=2)
    answer_all(attempt_start(user=other_trainee, quiz=quiz), right=1)
    LeaderboardEntry.objects.filter(user=trainee, board="all").update(points=0, correct=0)
    LeaderboardEntry.objects.create(board="week-2020-01-06", user=other_trainee, points=10, answered=1, correct=1)

    drift = leaderboard_discrepancies()
    count = leaderboard_rebuild()

    assert drift == {
        ("all", trainee.pk): (Totals(0, 3, 0), Totals(20, 3, 2)),
        ("week-2020-01-06", other_trainee.pk): (Totals(10, 1, 1), None),
    }
    assert count == 6  # two trainees on three boards each
    assert_totals_equal_sums_over_responses()


def test_the_rebuild_command_checks_without_writing_then_repairs(trainee, quiz):
    answer_all(attempt_start(user=trainee, quiz=quiz), right=2)
    LeaderboardEntry.objects.filter(user=trainee, board="all").update(points=0, correct=0)
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 leaderboard totals differ"):
        call_command("leaderboard_rebuild", "--check", stdout=out)
    assert "stored 0 points, 3 answered, 0 correct, responses say 20 points, 3 answered, 2 correct" in out.getvalue()
    assert trainee.leaderboard_entries.get(board="all").points == 0  # --check wrote nothing
    call_command("leaderboard_rebuild", stdout=out)
    call_command("leaderboard_rebuild", "--check", stdout=out)

    assert "Rebuilt 3 leaderboard totals (1 had differed)" in out.getvalue()
    assert_totals_equal_sums_over_responses()


def test_settings_update_changes_the_display_name_and_hiding(trainee):
    leaderboard_settings_update(user=trainee, display_name="Dr Hidden", hide_from_leaderboard=True)

    trainee.refresh_from_db()
    assert trainee.display_name == "Dr Hidden" and trainee.hide_from_leaderboard


@pytest.mark.django_db(transaction=True)
def test_concurrent_answers_keep_every_total_equal_to_the_sum_over_responses():
    """Threads, each with its own database connection, answer at once: several trainees on the same
    quiz (the same weekly and quiz boards), one trainee in two quizzes at once (the same all-time
    and weekly rows), and two threads racing to answer the same questions of one attempt."""
    quiz, second_quiz = make_quiz(questions=6), make_quiz(questions=6)
    trainees = [make_user() for _ in range(4)]
    attempts = [attempt_start(user=user, quiz=quiz) for user in trainees]
    attempts.append(attempt_start(user=trainees[0], quiz=second_quiz))
    raced = attempts[1]
    jobs = [(attempt, number % 2) for number, attempt in enumerate(attempts)] + [(raced, 0)]
    start = threading.Barrier(len(jobs))
    errors, refused = [], []

    def answer_in_thread(attempt_id, offset):
        try:
            attempt = Attempt.objects.select_related("quiz").get(pk=attempt_id)
            start.wait()
            for number, question in enumerate(questions_of(attempt.quiz)):
                chosen = right_choices(question) if (number + offset) % 3 else wrong_choices(question)[:1]
                try:
                    answer_submit(attempt=attempt, question=question, chosen=chosen)
                except AlreadyAnswered:
                    refused.append(question.pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer_in_thread, args=(attempt.pk, offset)) for attempt, offset in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(refused) == 6  # each of the raced attempt's questions was answered once, refused once
    assert Response.objects.count() == 5 * 6
    assert_totals_equal_sums_over_responses()
    assert LeaderboardEntry.objects.get(board="all", user=trainees[0]).answered == 12


@pytest.mark.django_db(transaction=True)
def test_the_migration_rescores_old_answers_ranks_first_attempts_and_totals_them():
    """Answers recorded before the leaderboard (1 point for a right answer) come out under the new
    rules: 10 points a question with partial credit, first attempts ranked, totals summed."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("quizzes", "0001_initial")])
    old = executor.loader.project_state([("quizzes", "0001_initial")]).apps
    OldUser, OldTopic, OldQuiz = (old.get_model("quizzes", name) for name in ("User", "Topic", "Quiz"))
    OldQuestion, OldChoice = old.get_model("quizzes", "Question"), old.get_model("quizzes", "Choice")
    OldAttempt, OldResponse = old.get_model("quizzes", "Attempt"), old.get_model("quizzes", "Response")
    user = OldUser.objects.create(username="before", display_name="Before")
    quiz = OldQuiz.objects.create(title="Old", slug="old", topic=OldTopic.objects.create(name="T", slug="t"))
    single = OldQuestion.objects.create(quiz=quiz, key="single", order=1, stem="?", explanation=".", learning_point=".")
    multiple = OldQuestion.objects.create(
        quiz=quiz, key="multiple", order=2, kind="multiple", stem="?", explanation=".", learning_point="."
    )
    right = OldChoice.objects.create(question=single, text="Right", is_correct=True, rationale=".")
    a, _b, _c = (OldChoice.objects.create(question=multiple, text=t, is_correct=t != "C", rationale=".") for t in "ABC")
    start = timezone.now() - datetime.timedelta(days=1)
    first = OldAttempt.objects.create(user=user, quiz=quiz, started_at=start, finished_at=start, score=1, max_score=2)
    later = OldAttempt.objects.create(user=user, quiz=quiz, started_at=timezone.now())
    OldResponse.objects.create(attempt=first, question=single, is_correct=True, points=1).chosen.set([right])
    OldResponse.objects.create(attempt=first, question=multiple, is_correct=False, points=0).chosen.set([a])
    OldResponse.objects.create(attempt=later, question=single, is_correct=True, points=1).chosen.set([right])

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert dict(Response.objects.filter(attempt=first.pk).values_list("question__key", "points")) == {
        "single": 10,
        "multiple": 5,  # partial credit: one of the two right options
    }
    first_now = Attempt.objects.get(pk=first.pk)
    assert (first_now.score, first_now.max_score, first_now.is_ranked) == (15, 20, True)
    assert not Attempt.objects.get(pk=later.pk).is_ranked
    assert LeaderboardEntry.objects.get(board="all", user=user.pk).points == 15
    assert_totals_equal_sums_over_responses()


def test_short_answer_and_matching_answers_count_their_points_and_only_full_marks_as_correct(trainee):
    typed_and_matching_answered(trainee, typed="miliary metastases", right=3)

    entry = trainee.leaderboard_entries.get(board="all")
    assert (entry.points, entry.answered, entry.correct) == (17, 2, 1)
    assert_totals_equal_sums_over_responses()
