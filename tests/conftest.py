"""Fixtures shared by every test module."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import make_quiz, make_user


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
def travel(monkeypatch):
    """Time travel: from the call on, timezone.now() (answers, the week shown) returns `moment`."""

    def to(moment: datetime.datetime):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return to
