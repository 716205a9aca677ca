"""The learning-modes migration keeps every existing attempt and answer meaningful."""

import datetime
import random

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.slow

BEFORE = [("quizzes", "0002_leaderboard")]
AFTER = [("quizzes", "0003_learning_modes_and_hotspots")]


@pytest.fixture
def migrator(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_attempts_get_their_quiz_questions_and_answers_become_review_cards(migrator):
    old = migrator.loader.project_state(BEFORE).apps
    user = old.get_model("quizzes", "User").objects.create(username="before")
    topic = old.get_model("quizzes", "Topic").objects.create(name="T", slug="t")
    quiz = old.get_model("quizzes", "Quiz").objects.create(title="Q", slug="q", topic=topic, status="published")
    Question = old.get_model("quizzes", "Question")
    second = Question.objects.create(quiz=quiz, key="second", order=2, stem="?", explanation=".", learning_point=".")
    first = Question.objects.create(quiz=quiz, key="first", order=1, stem="?", explanation=".", learning_point=".")
    started = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)
    attempt = old.get_model("quizzes", "Attempt").objects.create(
        user=user, quiz=quiz, mode="exam", started_at=started, is_ranked=True
    )
    Response = old.get_model("quizzes", "Response")
    Response.objects.create(attempt=attempt, question=first, is_correct=True, points=10, answered_at=started)
    Response.objects.create(attempt=attempt, question=second, is_correct=False, points=0, answered_at=started)

    migrator.loader.build_graph()
    migrator.migrate(AFTER)
    new = migrator.loader.project_state(AFTER).apps

    migrated = new.get_model("quizzes", "Attempt").objects.get(pk=attempt.pk)
    assert (migrated.kind, migrated.mode, migrated.deadline) == ("quiz", "tutor", None)
    items = new.get_model("quizzes", "AttemptQuestion").objects.filter(attempt=attempt.pk).order_by("position")
    assert [(item.position, item.question_id) for item in items] == [(1, first.pk), (2, second.pk)]
    cards = {card.question_id: card for card in new.get_model("quizzes", "ReviewCard").objects.all()}
    # A right answer without a confidence is "Good" (due two days later), a wrong one "Again" (next day).
    assert cards[first.pk].due == started + datetime.timedelta(days=2)
    assert cards[second.pk].due == started + datetime.timedelta(days=1)
    assert {card.reviews for card in cards.values()} == {1}


def migrated_to(before):
    """The database migrated back to `before`: (executor, the models as they were, a user, a published quiz)."""
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    user = old.get_model("quizzes", "User").objects.create(username="mid-quiz")
    topic = old.get_model("quizzes", "Topic").objects.create(name="T", slug="t")
    quiz = old.get_model("quizzes", "Quiz").objects.create(title="Q", slug="q", topic=topic, status="published")
    return executor, old, user, quiz


def test_attempts_started_before_the_stored_shuffle_seed_keep_their_option_order(transactional_db):
    before, after = [("quizzes", "0004_source_url_http_only")], [("quizzes", "0005_attempt_shuffle_seed")]
    executor, old, user, quiz = migrated_to(before)
    question = old.get_model("quizzes", "Question").objects.create(
        quiz=quiz, key="q", stem="?", explanation=".", learning_point="."
    )
    Choice = old.get_model("quizzes", "Choice")
    for n in range(6):
        Choice.objects.create(question=question, text=f"Option {n}", is_correct=n == 0, rationale=".", order=n)
    attempts = [
        old.get_model("quizzes", "Attempt").objects.create(user=user, quiz=quiz, mode="tutor") for _ in range(3)
    ]
    shown_before = {}
    for attempt in attempts:
        # How options.py ordered them before the seed was stored: seeded by the attempt and question ids.
        ids = sorted(Choice.objects.filter(question=question).values_list("pk", flat=True))
        random.Random(f"{attempt.pk}:{question.pk}").shuffle(ids)
        shown_before[attempt.pk] = ids

    executor.loader.build_graph()
    executor.migrate(after)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from quizzes.models import Attempt, Question
    from quizzes.options import presented_options

    migrated = Question.objects.prefetch_related("choices").get(pk=question.pk)
    for attempt in Attempt.objects.filter(pk__in=shown_before):
        assert [o.choice.pk for o in presented_options(migrated, attempt.shuffle_seed)] == shown_before[attempt.pk]


def test_sources_named_after_an_imported_file_are_forgotten_and_real_ones_kept(transactional_db):
    before, after = [("quizzes", "0007_trainee_flow")], [("quizzes", "0008_optional_sources_authorship")]
    executor, old, _user, quiz = migrated_to(before)
    Source = old.get_model("quizzes", "Source")
    question = old.get_model("quizzes", "Question").objects.create(
        quiz=quiz, key="q", stem="?", explanation=".", learning_point="."
    )
    named_after_files = [
        Source.objects.create(key="gift-import-q", title="bank.gift", publisher="Imported from GIFT"),
        Source.objects.create(key="moodle-import-q", title="bank.xml", publisher="Imported from Moodle XML"),
    ]
    # Edited by an educator into a real citation since: kept.
    edited = Source.objects.create(key="gift-import-r", title="Chest notes", publisher="St Elsewhere Radiology")
    question.sources.set([*named_after_files, edited])

    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    migrated = new.get_model("quizzes", "Question").objects.get(pk=question.pk)
    assert list(migrated.sources.values_list("key", flat=True)) == ["gift-import-r"]
    assert list(new.get_model("quizzes", "Source").objects.values_list("key", flat=True)) == ["gift-import-r"]


def test_existing_attempts_start_with_a_running_tally_equal_to_their_responses(transactional_db):
    before, after = [("quizzes", "0010_cohorts")], [("quizzes", "0011_attempt_running_tally")]
    executor, old, user, quiz = migrated_to(before)
    Question = old.get_model("quizzes", "Question")
    questions = [
        Question.objects.create(quiz=quiz, key=f"q{n}", order=n, stem="?", explanation=".", learning_point=".")
        for n in range(3)
    ]
    Attempt, Response = old.get_model("quizzes", "Attempt"), old.get_model("quizzes", "Response")
    answered = Attempt.objects.create(user=user, quiz=quiz, mode="tutor", shuffle_seed="a")
    for question, points in zip(questions, (10, 5, 0), strict=True):
        Response.objects.create(attempt=answered, question=question, is_correct=points == 10, points=points)
    untouched = Attempt.objects.create(user=user, quiz=quiz, mode="tutor", shuffle_seed="b")

    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    tallies = dict(new.get_model("quizzes", "Attempt").objects.values_list("pk", "answered_count"))
    points = dict(new.get_model("quizzes", "Attempt").objects.values_list("pk", "points_so_far"))
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert (tallies[answered.pk], points[answered.pk]) == (3, 15)
    assert (tallies[untouched.pk], points[untouched.pk]) == (0, 0)
