"""Losing Redis slows sessions down to the database; it does not take the signed-in site down."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from redis import Redis
from redis.connection import Connection

from tests.factories import recorded

# Nothing listens on port 1: every Redis call fails at once with a connection error.
UNREACHABLE_REDIS = {
    "BACKEND": "quizsite.cache.SessionCache",
    "LOCATION": "redis://127.0.0.1:1/0",
    "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
}


@pytest.fixture
def sessions_in_unreachable_redis(settings):
    settings.CACHES = {**settings.CACHES, "sessions": UNREACHABLE_REDIS}
    settings.SESSION_CACHE_ALIAS = "sessions"
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def test_a_trainee_signs_in_and_sees_their_pages_while_redis_is_down(
    sessions_in_unreachable_redis, client, trainee, caplog
):
    trainee.set_password("a-long-passphrase")
    trainee.save()

    signed_in = client.post(reverse("login"), {"username": trainee.username, "password": "a-long-passphrase"})
    home = client.get(reverse("home"))

    assert signed_in.status_code == 302
    assert home.status_code == 200 and home.context["user"] == trainee
    assert "Redis is unavailable" in caplog.text


def test_a_signed_in_session_is_read_back_from_the_database_when_redis_is_down(
    sessions_in_unreachable_redis, client, trainee
):
    client.force_login(trainee)

    assert client.get(reverse("my_progress")).status_code == 200


def test_a_signed_in_request_reads_its_session_in_one_redis_round_trip_and_no_query(
    settings, redis_url, redis_key_prefix, client, trainee, monkeypatch
):
    sessions = {"BACKEND": "quizsite.cache.SessionCache", "LOCATION": redis_url, "KEY_PREFIX": redis_key_prefix}
    settings.CACHES = {**settings.CACHES, "sessions": sessions}
    settings.SESSION_CACHE_ALIAS = "sessions"
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client.force_login(trainee)
    client.get(reverse("leaderboard_settings"))  # connects to Redis once
    sent, clients = [], []
    monkeypatch.setattr(Connection, "send_packed_command", recorded(Connection.send_packed_command, sent))
    monkeypatch.setattr(Redis, "__init__", recorded(Redis.__init__, clients))

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("leaderboard_settings"))

    assert page.status_code == 200 and page.context["user"] == trainee
    assert not [query for query in queries.captured_queries if "django_session" in query["sql"]]
    assert len(sent) == 1 and clients == []  # one GET, through the client the cache already had
