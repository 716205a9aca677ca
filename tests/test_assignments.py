"""When an assignment is done, done late, in progress or not started (read from the attempts), and how
its due date reads."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from quizzes.assignments import DONE, DONE_LATE, IN_PROGRESS, NOT_STARTED, Progress, due_phrase
from quizzes.models import Assignment, Attempt
from quizzes.services.attempts import attempt_finish, attempt_start
from quizzes.services.cohorts import assignment_create
from quizzes.services.practice import mistakes_start
from quizzes.views.cohorts import progress_of
from tests.factories import make_cohort, make_educator, make_quiz, make_user, take_quiz

DUBLIN = ZoneInfo("Europe/Dublin")
MONDAY_NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=DUBLIN)
DUE = datetime.datetime(2026, 3, 6, 17, 0, tzinfo=DUBLIN)  # Friday 17:00


def progress(*, done_at=None, in_progress=False, now=MONDAY_NOON, opened_at=MONDAY_NOON - datetime.timedelta(days=1)):
    return Progress(opened_at=opened_at, due_at=DUE, done_at=done_at, in_progress=in_progress, now=now)


# --- The rule on plain values ----------------------------------------------------------------------


def test_done_by_the_due_moment_is_done_and_after_it_done_late():
    assert progress(done_at=DUE).status == DONE
    assert progress(done_at=DUE + datetime.timedelta(seconds=1)).status == DONE_LATE
    assert progress(done_at=DUE + datetime.timedelta(seconds=1)).label == "Done late"


def test_without_a_counting_attempt_it_is_in_progress_or_not_started():
    assert progress(in_progress=True).status == IN_PROGRESS
    assert progress().status == NOT_STARTED


def test_the_due_phrase_counts_calendar_days_in_the_site_time_zone():
    assert due_phrase(DUE, MONDAY_NOON) == "due in 4 days"
    assert due_phrase(DUE, datetime.datetime(2026, 3, 5, 23, 30, tzinfo=DUBLIN)) == "due tomorrow"
    assert due_phrase(DUE, datetime.datetime(2026, 3, 6, 0, 30, tzinfo=DUBLIN)) == "due today"
    assert due_phrase(DUE, DUE) == "overdue"
    # 23:30 in Dublin on Thursday is already Friday in UTC+2: still "tomorrow" in the site's time zone.
    assert due_phrase(DUE, datetime.datetime(2026, 3, 5, 21, 30, tzinfo=datetime.UTC)) == "due tomorrow"


def test_due_soon_means_open_not_done_and_due_within_two_days_or_overdue():
    wednesday = datetime.datetime(2026, 3, 4, 9, 0, tzinfo=DUBLIN)
    assert not progress(now=MONDAY_NOON).is_due_soon  # due in 4 days
    assert progress(now=wednesday).is_due_soon  # due in 2 days
    assert progress(now=DUE + datetime.timedelta(days=3)).is_due_soon  # overdue
    assert progress(now=DUE + datetime.timedelta(days=3)).is_overdue
    assert not progress(now=wednesday, done_at=wednesday).is_due_soon
    assert not progress(now=wednesday, opened_at=wednesday + datetime.timedelta(hours=1)).is_due_soon  # not open


# --- Read from the attempts (quizzes/querysets.py: assignment_progress) -----------------------------


@pytest.fixture
def setting(db, travel):
    """A trainee in a cohort whose quiz (exam mode offered) opens on Monday at noon, due on Friday at 17:00."""
    travel(MONDAY_NOON - datetime.timedelta(days=3))
    educator = make_educator()
    quiz = make_quiz(questions=2, exam_minutes=30)
    trainee = make_user()
    cohort = make_cohort(owner=educator, members=[trainee])
    return {"educator": educator, "trainee": trainee, "quiz": quiz, "cohort": cohort, "travel": travel}


def assign(setting, mode=Attempt.Mode.TUTOR):
    return assignment_create(
        cohort=setting["cohort"],
        quiz=setting["quiz"],
        mode=mode,
        opens_at=MONDAY_NOON,
        due_at=DUE,
        assigned_by=setting["educator"],
    )


def standing(setting, now):
    assignment = Assignment.objects.with_progress_of(setting["trainee"], now).get()
    return progress_of(assignment, assignment, now)


def attempt_between(setting, start, end=None, mode=Attempt.Mode.TUTOR):
    """An attempt at the quiz started at `start` and, given `end`, finished then."""
    setting["travel"](start)
    attempt = attempt_start(user=setting["trainee"], quiz=setting["quiz"], mode=mode)
    if end is not None:
        setting["travel"](end)
        attempt_finish(attempt=attempt)
    return attempt


def test_an_assignment_nobody_touched_is_not_started(setting):
    assign(setting)

    assert standing(setting, DUE - datetime.timedelta(days=1)).status == NOT_STARTED


def test_an_open_attempt_is_in_progress_and_its_finish_by_the_due_moment_is_done(setting):
    assign(setting)
    attempt = attempt_between(setting, MONDAY_NOON + datetime.timedelta(hours=1))

    assert standing(setting, MONDAY_NOON + datetime.timedelta(hours=2)).status == IN_PROGRESS
    attempt_finish(attempt=attempt)
    assert standing(setting, MONDAY_NOON + datetime.timedelta(hours=2)).status == DONE


def test_finishing_after_the_due_moment_is_recorded_as_done_late(setting):
    assign(setting)
    late = DUE + datetime.timedelta(days=1)
    attempt_between(setting, late, late + datetime.timedelta(minutes=5))

    result = standing(setting, late + datetime.timedelta(hours=1))
    assert result.status == DONE_LATE and result.done_at == late + datetime.timedelta(minutes=5)


def test_an_attempt_that_ended_before_the_assignment_opened_does_not_count(setting):
    early = MONDAY_NOON - datetime.timedelta(days=1)
    attempt_between(setting, early, early + datetime.timedelta(minutes=5))
    assign(setting)

    assert standing(setting, MONDAY_NOON + datetime.timedelta(hours=1)).status == NOT_STARTED


def test_an_attempt_started_before_opening_counts_once_it_ends_after(setting):
    assign(setting)
    attempt_between(setting, MONDAY_NOON - datetime.timedelta(minutes=5), MONDAY_NOON + datetime.timedelta(minutes=5))

    assert standing(setting, DUE).status == DONE


def test_the_first_attempt_that_counts_decides_a_later_one_changes_nothing(setting):
    assign(setting)
    attempt_between(setting, DUE + datetime.timedelta(hours=1), DUE + datetime.timedelta(hours=2))
    attempt_between(setting, DUE + datetime.timedelta(hours=3), DUE + datetime.timedelta(hours=4))

    result = standing(setting, DUE + datetime.timedelta(days=1))
    assert result.status == DONE_LATE and result.done_at == DUE + datetime.timedelta(hours=2)


def test_a_tutor_attempt_does_not_do_an_exam_assignment(setting):
    assign(setting, mode=Attempt.Mode.EXAM)
    attempt_between(setting, MONDAY_NOON + datetime.timedelta(hours=1), MONDAY_NOON + datetime.timedelta(hours=2))

    assert standing(setting, MONDAY_NOON + datetime.timedelta(hours=3)).status == NOT_STARTED

    attempt_between(setting, MONDAY_NOON + datetime.timedelta(hours=4), mode=Attempt.Mode.EXAM)
    assert standing(setting, MONDAY_NOON + datetime.timedelta(hours=4, minutes=10)).status == IN_PROGRESS


def test_an_exam_does_a_tutor_assignment_too(setting):
    assign(setting)
    attempt_between(
        setting,
        MONDAY_NOON + datetime.timedelta(hours=1),
        MONDAY_NOON + datetime.timedelta(hours=1, minutes=20),
        "exam",
    )

    assert standing(setting, DUE).status == DONE


def test_an_exam_past_its_time_limit_is_done_at_its_deadline_before_any_request_finishes_it(setting):
    assign(setting, mode=Attempt.Mode.EXAM)
    exam = attempt_between(setting, DUE - datetime.timedelta(minutes=10), mode=Attempt.Mode.EXAM)  # 30 minutes

    during = standing(setting, DUE - datetime.timedelta(minutes=5))
    after = standing(setting, DUE + datetime.timedelta(hours=1))

    assert during.status == IN_PROGRESS
    assert after.status == DONE_LATE and after.done_at == exam.deadline
    assert Attempt.objects.get(pk=exam.pk).finished_at is None  # read, never written


def test_a_practice_set_drawn_from_the_quiz_does_not_count(setting):
    assign(setting)
    setting["travel"](MONDAY_NOON - datetime.timedelta(days=2))
    attempt_finish(attempt=take_quiz(setting["trainee"], setting["quiz"], [False, False]))  # before it opened
    setting["travel"](MONDAY_NOON + datetime.timedelta(hours=1))
    practice = mistakes_start(user=setting["trainee"], quiz=setting["quiz"])
    finished = MONDAY_NOON + datetime.timedelta(hours=1, minutes=5)
    Attempt.objects.filter(pk=practice.pk).update(started_at=finished, finished_at=finished, score=0, max_score=20)

    assert practice.kind == Attempt.Kind.MISTAKES and practice.quiz == setting["quiz"]
    assert standing(setting, MONDAY_NOON + datetime.timedelta(hours=2)).status == NOT_STARTED
