"""Many requests at once: the database, not luck, keeps one answer per question and loses none.

Each thread is its own client with its own database connection, released together by a barrier.
"""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from quizzes.models import Attempt, Question, QuestionVersion, Response, ReviewCard, User
from quizzes.options import presented_options
from quizzes.refusals import AttemptAlreadyFinished
from quizzes.services.attempts import answer_submit, attempt_finish, attempt_start
from quizzes.services.practice import these_start
from tests.factories import HTMX, educator_change, make_quiz, make_user, questions_of, right_choices, take_quiz

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (100 connections racing on the unique constraint); "
    "CI runs it with DATABASE_URL=postgres://...",
)
requires_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="about SQLite's single writer; PostgreSQL locks rows instead"
)


def all_at_once(count: int, work, *, connections_free: int | None = None) -> list:
    """Run work(i) in `count` threads released together; returns each result or the exception raised.

    With fewer free database connections than threads, at most that many requests are in the
    database at once and the rest wait for a connection, as requests wait for a server's workers.
    """
    limit = min(count, connections_free or count)
    barrier = threading.Barrier(count)
    slots = threading.BoundedSemaphore(limit)
    results: list = [None] * count

    def run(index):
        try:
            if limit == count:
                # Connect before the barrier, so the race is between requests, not between connects.
                connection.ensure_connection()
            barrier.wait(timeout=60)
            with slots:
                try:
                    results[index] = work(index)
                finally:
                    connections.close_all()
        except BaseException as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return results


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def right_label(attempt: Attempt, question) -> str:
    right = right_choices(question)[0]
    return next(option.label for option in presented_options(question, attempt.shuffle_seed) if option.choice == right)


def assert_no_errors(results):
    errors = [result for result in results if isinstance(result, BaseException)]
    assert errors == [], f"{len(errors)} requests raised, first: {errors[:1]!r}"
    server_errors = [result.status_code for result in results if result.status_code >= 500]
    assert server_errors == []


def postgresql_connections_free() -> int:
    """How many more connections PostgreSQL takes once this thread's own is closed."""
    with connection.cursor() as cursor:
        # The test database is this run's alone: an idle connection to it is a leftover of an
        # earlier test's thread, holding room this test needs.
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'"
        )
        cursor.execute(
            "SELECT current_setting('max_connections')::int"
            " - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')"
        )
        free = cursor.fetchone()[0] + 1
    connection.close()
    return free


@requires_postgresql
def test_100_identical_submissions_at_once_record_one_answer_and_one_score_change():
    trainee = make_user()
    quiz = make_quiz(questions=2)
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = questions_of(quiz)[0]
    url = reverse("answer", args=[attempt.pk, question.pk])
    data = {"answer": right_label(attempt, question)}
    clients = [client_for(trainee) for _ in range(100)]
    free = postgresql_connections_free()  # 100 in CI; fewer if someone else uses the same server

    results = all_at_once(100, lambda index: clients[index].post(url, data, **HTMX), connections_free=free)

    assert_no_errors(results)
    # One submission counted (200); the other 99 are refused (409) and show that first answer.
    statuses = sorted(result.status_code for result in results)
    assert statuses == [200] + [409] * 99, "exactly one submission is the one that counted"
    pages = [result.content.decode() for result in results]
    assert all("Correct" in page for page in pages)
    assert sum("already answered" in page for page in pages) == 99
    response = Response.objects.get(attempt=attempt)
    assert response.chosen.count() == 1 and response.is_correct
    tally = attempt.responses.tally()
    assert tally == {"answered": 1, "points": response.points}
    attempt.refresh_from_db()
    assert attempt.last_answered_at == response.answered_at
    assert (attempt.answered_count, attempt.points_so_far) == (1, response.points)  # the running tally too


@requires_postgresql
def test_100_identical_plain_submissions_at_once_all_land_on_the_feedback():
    trainee = make_user()
    quiz = make_quiz(questions=1)
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = questions_of(quiz)[0]
    url = reverse("answer", args=[attempt.pk, question.pk])
    clients = [client_for(trainee) for _ in range(100)]
    free = postgresql_connections_free()

    results = all_at_once(100, lambda index: clients[index].post(url, {"answer": "A"}), connections_free=free)

    assert_no_errors(results)
    expected = reverse("question_show", args=[attempt.pk, question.pk]) + "#feedback"
    assert {(result.status_code, result["Location"]) for result in results} == {(302, expected)}
    assert Response.objects.filter(attempt=attempt).count() == 1


def test_answers_to_different_questions_at_once_are_all_kept():
    # One trainee with an attempt open at each of 20 quizzes (questions within one attempt are
    # answered in order), answering all of them at once: every answer lands and every running
    # total of theirs counts all twenty.
    trainee = make_user()
    quizzes = [make_quiz(questions=1) for _ in range(20)]
    attempts = [attempt_start(user=trainee, quiz=quiz) for quiz in quizzes]
    questions = [questions_of(quiz)[0] for quiz in quizzes]
    clients = [client_for(trainee) for _ in questions]

    def answer(index):
        attempt, question = attempts[index], questions[index]
        url = reverse("answer", args=[attempt.pk, question.pk])
        return clients[index].post(url, {"answer": right_label(attempt, question)}, **HTMX)

    results = all_at_once(len(questions), answer)

    assert_no_errors(results)
    assert all(result.status_code == 200 and "Correct" in result.content.decode() for result in results)
    responses = Response.objects.filter(attempt__user=trainee)
    assert sorted(responses.values_list("question_id", flat=True)) == sorted(q.pk for q in questions)
    assert all(response.is_correct and response.chosen.count() == 1 for response in responses)
    for attempt in attempts:
        finished = attempt_finish(attempt=attempt)
        assert finished.score == sum(r.points for r in responses.filter(attempt=attempt))


def test_many_trainees_answering_at_once_lose_nothing():
    quiz = make_quiz(questions=3)
    trainees = [make_user() for _ in range(30)]
    attempts = [attempt_start(user=trainee, quiz=quiz) for trainee in trainees]
    clients = [client_for(trainee) for trainee in trainees]
    questions = questions_of(quiz)

    def answer_all(index):
        attempt, client = attempts[index], clients[index]
        for question in questions:
            reply = client.post(
                reverse("answer", args=[attempt.pk, question.pk]), {"answer": right_label(attempt, question)}
            )
            if reply.status_code != 302:
                return reply
        return client.post(reverse("attempt_finish", args=[attempt.pk]))

    results = all_at_once(len(trainees), answer_all)

    assert_no_errors(results)
    assert all(result.status_code == 302 for result in results)
    assert Response.objects.count() == 30 * 3
    assert not Attempt.objects.filter(finished_at__isnull=True).exists()


@requires_sqlite
def test_sqlite_with_many_concurrent_writers_never_reports_database_is_locked():
    """Sign-ups, log-ins, starts, answers and finishes all at once: every write waits its turn.

    The database is a file (see quizsite/settings/test.py) in WAL mode with IMMEDIATE transactions,
    as in production; an in-memory database would not have concurrent connections at all.
    """
    assert "memory" not in str(connection.settings_dict["NAME"])
    quiz = make_quiz(questions=4)
    questions = questions_of(quiz)

    def trainee_session(index):
        client = Client()
        password = "a-long-test-password-for-sqlite"
        signup = client.post(
            reverse("signup"),
            {
                "username": f"writer{index}",
                "display_name": f"Writer {index}",
                "password1": password,
                "password2": password,
            },
        )
        if signup.status_code != 302:
            return signup
        client.post(reverse("logout"))
        login = client.post(reverse("login"), {"username": f"writer{index}", "password": password})
        if login.status_code != 302:
            return login
        client.post(reverse("attempt_start", args=[quiz.slug]))
        attempt = Attempt.objects.get(user__username=f"writer{index}")
        for question in questions:
            reply = client.post(reverse("answer", args=[attempt.pk, question.pk]), {"answer": "A"}, **HTMX)
            if reply.status_code != 200:
                return reply
        return client.post(reverse("attempt_finish", args=[attempt.pk]))

    results = all_at_once(24, trainee_session)

    assert_no_errors(results)
    assert [result.status_code for result in results] == [302] * 24
    assert User.objects.filter(username__startswith="writer").count() == 24
    assert Response.objects.count() == 24 * 4
    assert Attempt.objects.filter(finished_at__isnull=False).count() == 24


def test_finishing_while_the_last_answer_lands_keeps_the_score_equal_to_the_sum_of_the_responses():
    # "Finish" racing the last tutor answer: finishing takes the lock answering takes, so the answer
    # either lands before the score is taken (and counts in it) or finds the attempt finished.
    trainee = make_user()
    mismatches = []
    for _ in range(15):
        quiz = make_quiz(questions=2)
        attempt = attempt_start(user=trainee, quiz=quiz)
        first, last = questions_of(quiz)
        answer_submit(attempt=attempt, question=first, chosen=right_choices(first))

        def race(index, attempt=attempt, last=last):
            if index == 0:
                return answer_submit(attempt=attempt, question=last, chosen=right_choices(last))
            return attempt_finish(attempt=attempt)

        results = all_at_once(2, race)

        assert [r for r in results if isinstance(r, BaseException) and not isinstance(r, AttemptAlreadyFinished)] == []
        attempt.refresh_from_db()
        summed = sum(attempt.responses.values_list("points", flat=True))
        if attempt.score != summed or attempt.points_so_far != summed:
            mismatches.append((attempt.score, attempt.points_so_far, summed))

    assert mismatches == [], "the score missed an answer that was recorded"


def test_answers_to_one_question_in_many_sets_at_once_each_review_its_card():
    # Each answer read the card with its question, before the others wrote it: none of the reviews is lost.
    trainee = make_user()
    quiz = make_quiz(questions=1)
    question = questions_of(quiz)[0]
    first = take_quiz(trainee, quiz, [True])
    attempt_finish(attempt=first)
    sets = [these_start(user=trainee, attempt=first) for _ in range(12)]
    clients = [client_for(trainee) for _ in sets]

    def answer(index):
        url = reverse("answer", args=[sets[index].pk, question.pk])
        return clients[index].post(url, {"answer": right_label(sets[index], question)}, **HTMX)

    results = all_at_once(len(sets), answer)

    assert_no_errors(results)
    assert all(result.status_code == 200 for result in results)
    assert ReviewCard.objects.get(user=trainee, question=question).reviews == 1 + len(sets)


def test_educators_changing_one_question_at_once_each_record_their_own_version():
    quiz = make_quiz(questions=1)
    attempt_finish(attempt=take_quiz(make_user(), quiz, [False]))
    question_id = questions_of(quiz)[0].pk

    def change(index):
        question = Question.objects.get(pk=question_id)  # loaded before the others' changes land
        with educator_change(question):
            question.stem = f"Wording {index}?"
            question.save()

    assert all_at_once(4, change) == [None] * 4  # no change raised

    versions = list(QuestionVersion.objects.filter(question=question_id).order_by("number"))
    assert [version.number for version in versions] == [1, 2, 3, 4, 5]
    assert sorted(version.snapshot["stem"] for version in versions[1:]) == [f"Wording {i}?" for i in range(4)]
    assert Question.objects.get(pk=question_id).version == 5
