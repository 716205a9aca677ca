"""Uploads kept across a refused form: held under pending/, named by a signed token, used once, released
on commit, and removed by media_orphans once abandoned for a day."""

import datetime
import time

import pytest
from django.core import signing
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from quizzes.kept_uploads import KEPT_FOR, kept_upload_read, kept_upload_release, upload_keep, upload_kept
from tests.factories import png_bytes, time_is

pytestmark = pytest.mark.django_db


def test_a_kept_upload_is_found_again_by_its_token_with_its_name_and_bytes():
    data = png_bytes()

    kept = upload_keep(filename="../../lesion.png", data=data)

    found = upload_kept(kept.token)
    assert found == kept and found.filename == "lesion.png" and kept_upload_read(found) == data
    assert kept.stored_name.startswith("pending/") and "lesion" not in kept.stored_name


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-token",
        signing.dumps({"name": "questions/someone-elses.png", "filename": "x.png"}),  # signed, but not for this
        signing.dumps({"name": "questions/someone-elses.png", "filename": "x.png"}, salt="quizzes.other"),
    ],
    ids=["missing", "garbage", "no salt", "other salt"],
)
def test_a_token_the_site_did_not_give_names_nothing(token):
    assert upload_kept(token) is None


def test_a_tampered_token_names_nothing():
    kept = upload_keep(filename="lesion.png", data=b"bank")
    payload, signature = kept.token.rsplit(":", 1)

    assert upload_kept(f"{payload}:{signature[::-1]}") is None


def test_a_token_expires_with_the_day_its_file_is_kept_for(monkeypatch):
    kept = upload_keep(filename="bank.gift", data=b"::Q:: What? {=A ~B}")
    a_day_later = time.time() + KEPT_FOR.total_seconds() + 60

    monkeypatch.setattr(signing.time, "time", lambda: a_day_later)  # signing's clock, not Django's timezone

    assert upload_kept(kept.token) is None


def test_releasing_removes_the_file_once_the_save_commits(django_capture_on_commit_callbacks):
    kept = upload_keep(filename="lesion.png", data=png_bytes())

    with django_capture_on_commit_callbacks(execute=True):
        kept_upload_release(kept)
        assert default_storage.exists(kept.stored_name)  # not before the commit

    assert not default_storage.exists(kept.stored_name) and upload_kept(kept.token) is None


def test_media_orphans_leaves_a_kept_upload_for_a_day_then_removes_it(capsys):
    kept = upload_keep(filename="lesion.png", data=png_bytes())

    call_command("media_orphans", "--older-than", "0", "--delete")
    assert default_storage.exists(kept.stored_name)

    with time_is(timezone.now() + KEPT_FOR + datetime.timedelta(minutes=1)):
        call_command("media_orphans", "--older-than", "0", "--delete")

    assert f"Deleted: {kept.stored_name}" in capsys.readouterr().out
    assert not default_storage.exists(kept.stored_name)
