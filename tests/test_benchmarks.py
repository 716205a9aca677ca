"""The benchmarks keep working: they answer every kind of question as the site accepts, and both scripts
run end to end for a moment (slow: each builds a site and serves it with gunicorn)."""

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from benchmarks.harness import FORMS, answer_form
from benchmarks.profiling import OTHER, area_of
from benchmarks.seeding import KEYS, answer_key
from quizzes.models import Question, Quiz
from quizzes.scoring import Answer, answer_scored
from quizzes.services.attempts import attempt_start
from tests.factories import HTMX, questions_of

ROOT = Path(__file__).resolve().parent.parent


def test_every_kind_of_question_has_an_answer_key_and_a_form():
    assert set(Question.Kind.values) <= set(KEYS) & set(FORMS)


@pytest.mark.django_db
def test_the_benchmarks_answer_every_bundled_question_as_the_site_accepts(trainee_client, trainee):
    call_command("load_content", verbosity=0)
    kinds = set()
    for quiz in Quiz.objects.published():
        attempt = attempt_start(user=trainee, quiz=quiz)
        for question in questions_of(quiz):
            form = answer_form(answer_key(question), random.Random(question.pk))
            reply = trainee_client.post(reverse("answer", args=[attempt.pk, question.pk]), form, **HTMX)
            assert reply.status_code == 200, (question.key, form, reply.content.decode()[:500])
            kinds.add(question.kind)
    assert {"single", "multiple", "hotspot", "short_answer", "matching"} <= kinds


@pytest.mark.django_db
def test_a_hotspot_answer_is_a_point_inside_a_target(trainee):
    call_command("load_content", verbosity=0)
    hotspots = Question.objects.filter(kind=Question.Kind.HOTSPOT).prefetch_related("regions")
    assert hotspots

    for question in hotspots:
        form = answer_form(answer_key(question), random.Random(0))
        point = (float(form["x"]), float(form["y"])) if "x" in form else None
        assert answer_scored(question=question, answer=Answer(chosen=[], point=point)).is_correct


def run(script: str, *args: str) -> str:
    finished = subprocess.run(
        [sys.executable, f"benchmarks/{script}", "--redis-url", "", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    return finished.stdout


@pytest.mark.slow
def test_the_answer_benchmark_runs_end_to_end():
    out = run(
        "answer.py",
        *("--trainees", "4", "--connections", "2", "--cohort", "20", "--warmup", "0.5", "--seconds", "1.5"),
        *("--rates", "5", "--step-seconds", "1", "--timeout", "60"),
    )

    for endpoint in [
        "constant, anonymous",
        "constant, signed in",
        "question page",
        "answer (htmx POST)",
        "leaderboard",
    ]:
        assert f"| {endpoint} |" in out
    assert "| 5 |" in out and "commit" in out and "cores" in out


@pytest.mark.slow
def test_the_answer_benchmark_says_where_an_answers_time_goes_when_asked_to_profile():
    out = run(
        "answer.py",
        *("--trainees", "4", "--connections", "2", "--cohort", "20", "--warmup", "0.5", "--seconds", "1.5"),
        *("--timeout", "60", "--profile"),
    )

    areas = re.findall(r"^\| ([^|]+) \| ([\d.]+)% \| [\d.]+ \|$", out, re.M)
    assert {"templates", "the app's own code"} <= {area.strip() for area, _share in areas}
    assert 99 <= sum(float(share) for _area, share in areas) <= 101
    assert "Open loop" not in out


def test_each_function_counts_in_the_area_of_its_code():
    assert area_of(("~", 0, "<method 'execute' of 'sqlite3.Cursor' objects>")).startswith("database driver")
    assert area_of(("/venv/django/db/models/sql/compiler.py", 1, "as_sql")).startswith("ORM: building")
    assert area_of(("/venv/django/template/base.py", 1, "render")) == "templates"
    assert area_of(("/work/quizzes/scoring.py", 1, "answer_scored")) == "the app's own code"
    assert area_of(("/usr/lib/python3.13/json/decoder.py", 1, "decode")) == OTHER


@pytest.mark.slow
def test_the_load_test_runs_end_to_end():
    out = run(
        "loadtest.py",
        *("--trainees", "4", "--interval", "1", "--sign-ins", "1", "--sign-in-rate", "5"),
        *("--baseline-seconds", "1", "--warmup", "1", "--seconds", "2", "--timeout", "60"),
    )

    assert "trainees: answer (htmx POST)" in out and "baseline: healthz (GET)" in out
