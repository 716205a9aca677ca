"""seed_benchmark: the numbers asked for, data that follows the rules, and totals equal to the responses."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django.utils import timezone

from quizzes.models import Attempt, LeaderboardEntry, Question, Quiz, Response, User
from quizzes.services.leaderboard import leaderboard_discrepancies

pytestmark = pytest.mark.django_db


def seed(**options):
    call_command("seed_benchmark", **{"users": 30, "questions": 25, "responses": 400, "stdout": None} | options)


def test_seed_benchmark_creates_the_numbers_asked_for():
    seed()

    assert User.objects.filter(username__startswith="bench-").count() == 30
    assert Quiz.objects.filter(slug__startswith="bench-").count() == 3  # 10, 10 and 5 questions
    assert Question.objects.count() == 25
    assert Response.objects.count() == 400
    assert Response.chosen.through.objects.count() == 400


def test_seeded_answers_follow_the_scoring_and_ranking_rules():
    seed(practice=0.3)

    assert set(Response.objects.values_list("is_correct", "points").distinct()) <= {(True, 10), (False, 0)}
    chosen_right = Response.objects.filter(chosen__is_correct=True).values_list("pk", flat=True)
    assert set(chosen_right) == set(Response.objects.filter(is_correct=True).values_list("pk", flat=True))
    finished = Attempt.objects.finished().annotate(total=Sum("responses__points"), answers=Count("responses"))
    assert all(a.score == a.total and a.max_score == 10 * a.answers for a in finished)
    ranked = Attempt.objects.filter(is_ranked=True).values("user", "quiz").annotate(n=Count("pk"))
    assert {row["n"] for row in ranked} == {1}
    assert Attempt.objects.filter(is_ranked=False).exists()  # some practice


def test_seeded_answers_spread_over_the_weeks_asked_for_up_to_now():
    seed(weeks=4)

    now = timezone.now()
    moments = Response.objects.values_list("answered_at", flat=True)
    assert all(now - datetime.timedelta(weeks=4) <= moment <= now for moment in moments)
    assert LeaderboardEntry.objects.filter(board__startswith="week-").values("board").distinct().count() >= 4


def test_seeded_leaderboard_totals_equal_the_sums_over_responses():
    seed()

    assert LeaderboardEntry.objects.filter(board="all").count() == 30
    assert leaderboard_discrepancies() == {}


def test_seed_benchmark_refuses_to_seed_the_same_prefix_twice():
    seed(users=2, questions=2, responses=4)

    with pytest.raises(CommandError, match="prefix"):
        seed(users=2, questions=2, responses=4)
    seed(users=2, questions=2, responses=4, prefix="again")
    assert User.objects.filter(username__startswith="again-").count() == 2
