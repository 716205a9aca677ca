"""Fixtures shared by every test module."""

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
def travel():
    """Time travel for the rest of the test: from the call on, timezone.now() returns `moment`
    (tests/factories.py's time_is, held open until the test ends)."""
    with ExitStack() as stack:
        yield lambda moment: stack.enter_context(time_is(moment))
