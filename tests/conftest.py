"""Fixtures shared by every test module."""

import os
import socket
import threading
from contextlib import ExitStack

import pytest

from quizzes.services.educators import educator_create
from tests.factories import make_quiz, make_user, time_is


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    # Uploaded and loaded images go to a throwaway folder, never the developer's media/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def trainee(db):
    return make_user()


@pytest.fixture
def other_trainee(db):
    return make_user()


@pytest.fixture
def quiz(db):
    return make_quiz(questions=3)


@pytest.fixture
def trainee_client(client, trainee):
    client.force_login(trainee)
    return client


@pytest.fixture
def educator(db):
    return educator_create(username="teacher", password="a-long-educator-pass-1", display_name="Dr Teacher")


@pytest.fixture
def educator_client(client, educator):
    client.force_login(educator)
    return client


@pytest.fixture
def as_in_production(settings, transactional_db):
    """Requests served as production serves them, for counting their queries: the session read from the
    cache, where production keeps it (quizsite/settings/production.py: cached_db over Redis), and no test
    transaction around the request, so a transaction the request opens is its own, not a savepoint."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.fixture
def travel():
    """Time travel for the rest of the test: from the call on, timezone.now() returns `moment`
    (tests/factories.py's time_is, held open until the test ends)."""
    with ExitStack() as stack:
        yield lambda moment: stack.enter_context(time_is(moment))


@pytest.fixture
def redis_url():
    """Redis on 127.0.0.1:6379 (database 15) for tests of the production caches: skipped without one, but
    failed under CI, whose .ci/run starts it."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        message = "no Redis on 127.0.0.1:6379 to test the production cache with"
        if os.environ.get("CI"):
            pytest.fail(message + " (.ci/run starts it)")
        pytest.skip(message)
    return "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_key_prefix():
    """A key prefix of this thread's own, so runs side by side do not share keys."""
    return f"quizsite-test-{os.getpid()}-{threading.get_ident()}"
