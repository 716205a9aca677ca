"""Losing Redis slows sessions down to the database; it does not take the signed-in site down."""

import pytest
from django.urls import reverse

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
