"""Abuse limits: answers per user per minute (a clear 429 page or fragment) and failed log-ins
per username and per address (django-axes)."""

import threading
from datetime import timedelta

import pytest
from django.core.cache import cache, caches
from django.test import RequestFactory
from django.urls import reverse
from redis import Redis
from redis.connection import Connection

from quizzes.models import Response
from quizzes.options import presented_options
from quizzes.ratelimit import Rate, client_ip, rate_limit_hit
from quizzes.services.attempts import attempt_start
from tests.factories import HTMX, make_quiz, make_user, questions_of, recorded, right_choices


@pytest.fixture
def answer_limit(settings):
    """Answers are limited to 2 a minute; counters from earlier tests are gone."""
    settings.RATE_LIMITS = {"answer": "2/60s"}
    cache.clear()
    yield
    cache.clear()


def answer_each_question(client, user, quiz, **extra):
    """POST the right answer to every question of a new attempt; returns the HTTP responses."""
    attempt = attempt_start(user=user, quiz=quiz)
    replies = []
    for question in questions_of(quiz):
        label = next(
            o.label for o in presented_options(question, attempt.shuffle_seed) if o.choice == right_choices(question)[0]
        )
        replies.append(client.post(reverse("answer", args=[attempt.pk, question.pk]), {"answer": label}, **extra))
    return attempt, replies


# --- the rate itself ---------------------------------------------------------------------------


def test_a_rate_reads_as_count_per_seconds():
    assert Rate.parse("30/60s") == Rate(count=30, seconds=60)
    assert Rate.parse(" 5 / 1 s ") == Rate(count=5, seconds=1)


@pytest.mark.parametrize("text", ["30", "30/60", "0/60s", "30/0s", "-1/60s", "thirty/60s", ""])
def test_a_malformed_rate_is_refused_with_its_format(text):
    with pytest.raises(ValueError, match="30/60s"):
        Rate.parse(text)


def test_the_window_lets_requests_through_again_once_it_ends(answer_limit):
    rate = Rate(count=2, seconds=60)
    start = 6_000_000.0  # the start of a window

    assert rate_limit_hit(scope="t", identity="u", rate=rate, now=start) is None
    assert rate_limit_hit(scope="t", identity="u", rate=rate, now=start + 1) is None
    assert rate_limit_hit(scope="t", identity="u", rate=rate, now=start + 20) == 40
    assert rate_limit_hit(scope="t", identity="u", rate=rate, now=start + 60) is None


def test_concurrent_requests_cannot_all_slip_under_the_limit(answer_limit):
    rate = Rate(count=10, seconds=60)
    allowed = []
    barrier = threading.Barrier(50)

    def one_request():
        barrier.wait()
        if rate_limit_hit(scope="race", identity="u", rate=rate) is None:
            allowed.append(1)

    threads = [threading.Thread(target=one_request) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(allowed) == 10


@pytest.fixture
def redis_cache(settings, redis_url, redis_key_prefix):
    """The default cache in Redis, as in production."""
    settings.CACHES = {
        "default": {"BACKEND": "quizsite.cache.RedisCache", "LOCATION": redis_url, "KEY_PREFIX": redis_key_prefix}
    }
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()


def test_the_limit_holds_across_processes_sharing_redis(redis_cache):
    rate = Rate(count=3, seconds=60)
    results = [rate_limit_hit(scope="redis", identity="u", rate=rate) for _ in range(5)]

    assert results[:3] == [None, None, None]
    assert all(isinstance(seconds, int) and seconds > 0 for seconds in results[3:])


def test_with_redis_a_request_is_counted_in_one_round_trip_through_the_caches_client(redis_cache, monkeypatch):
    rate, now = Rate(count=3, seconds=60), 6_000_000.0
    rate_limit_hit(scope="trips", identity="u", rate=rate, now=now)  # connects (and selects the database) once
    sent, clients = [], []
    monkeypatch.setattr(Connection, "send_packed_command", recorded(Connection.send_packed_command, sent))
    monkeypatch.setattr(Redis, "__init__", recorded(Redis.__init__, clients))

    rate_limit_hit(scope="trips", identity="u", rate=rate, now=now)

    assert len(sent) == 1 and clients == []
    assert redis_cache.get(f"ratelimit:trips:u:{int(now // 60)}") == 2  # the key Django's cache API reads


def test_a_redis_outage_lets_answers_through(settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "quizsite.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }

    assert rate_limit_hit(scope="answer", identity="u", rate=Rate(count=1, seconds=60)) is None
    assert "cache is unavailable" in caplog.text


def test_a_cache_outage_lets_answers_through(answer_limit, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "add", broken)

    assert rate_limit_hit(scope="answer", identity="u", rate=Rate(count=1, seconds=60)) is None
    assert "cache is unavailable" in caplog.text


# --- the answer endpoint -----------------------------------------------------------------------


@pytest.mark.django_db
def test_answers_past_the_limit_get_a_429_page_and_are_not_recorded(answer_limit, trainee_client, trainee):
    quiz = make_quiz(questions=3)

    attempt, replies = answer_each_question(trainee_client, trainee, quiz)

    assert [reply.status_code for reply in replies] == [302, 302, 429]
    page = replies[2].content.decode()
    assert "<html" in page and "Too many answers" in page and "was not recorded" in page
    assert 0 < int(replies[2]["Retry-After"]) <= 60
    third = quiz.questions.in_quiz_order()[2]
    assert reverse("question_show", args=[attempt.pk, third.pk]) in page
    assert Response.objects.filter(attempt=attempt).count() == 2


@pytest.mark.django_db
def test_htmx_gets_a_429_fragment_that_replaces_the_question_region(answer_limit, trainee_client, trainee):
    quiz = make_quiz(questions=3)

    attempt, replies = answer_each_question(trainee_client, trainee, quiz, **HTMX)

    limited = replies[2]
    html = limited.content.decode()
    assert limited.status_code == 429
    assert "<html" not in html and html.strip().startswith('<section id="question"')
    assert 'role="alert"' in html and "was not recorded" in html
    assert limited["HX-Retarget"] == "#question" and limited["HX-Reswap"] == "outerHTML"
    assert "Retry-After" in limited
    assert Response.objects.filter(attempt=attempt).count() == 2


@pytest.mark.django_db
def test_one_trainees_limit_does_not_touch_anothers(answer_limit, client, trainee, other_trainee):
    quiz = make_quiz(questions=3)
    client.force_login(trainee)
    answer_each_question(client, trainee, quiz)

    client.force_login(other_trainee)
    _, replies = answer_each_question(client, other_trainee, make_quiz(questions=2))

    assert [reply.status_code for reply in replies] == [302, 302]


# --- failed log-ins (django-axes) --------------------------------------------------------------


@pytest.fixture
def login_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def log_in(client, username, password, address="203.0.113.5"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_a_username_is_locked_after_repeated_failures_from_any_address(login_limit, client):
    user = make_user()
    for number in range(3):
        log_in(client, user.username, "wrong-password", address=f"198.51.100.{number}")

    locked = log_in(client, user.username, user.raw_password, address="192.0.2.77")

    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode() and "15 minutes" in locked.content.decode()
    assert locked["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_address_is_locked_after_repeated_failures_for_any_usernames(login_limit, client):
    for number in range(3):
        log_in(client, f"guess{number}", "wrong-password", address="203.0.113.9")
    user = make_user()

    from_there = log_in(client, user.username, user.raw_password, address="203.0.113.9")
    from_elsewhere = log_in(client, user.username, user.raw_password, address="192.0.2.8")

    assert from_there.status_code == 429
    assert from_elsewhere.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_a_few_mistakes_then_the_right_password_logs_in_and_forgets_the_mistakes(login_limit, client):
    user = make_user()
    log_in(client, user.username, "wrong-password")
    log_in(client, user.username, "wrong-password")

    assert log_in(client, user.username, user.raw_password).status_code == 302
    client.logout()
    log_in(client, user.username, "wrong-password")
    log_in(client, user.username, "wrong-password")
    assert log_in(client, user.username, user.raw_password).status_code == 302


def test_the_client_address_is_the_socket_address_when_no_proxy_is_trusted(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")

    assert client_ip(request) == "127.0.0.1"


def test_behind_one_proxy_the_client_address_is_the_one_the_proxy_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client claimed 6.6.6.6; nginx appended the address it really saw.
    spoofed = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20")
    direct = RequestFactory().get("/", REMOTE_ADDR="198.51.100.21")

    assert client_ip(spoofed) == "198.51.100.20"
    assert client_ip(direct) == "198.51.100.21"
