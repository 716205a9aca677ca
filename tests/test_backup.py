"""Backup and restore: an archive taken from a working site, loaded into an empty database and
media folder, gives back the same users, content, attempts, responses and images."""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management import CommandError, call_command
from PIL import Image

from quizzes.backup import RestoreRefused, site_backup, site_restore
from quizzes.images import image_prepare
from quizzes.models import Attempt, Question, Quiz, Response, Source, Topic, User
from quizzes.services.attempts import answer_submit, attempt_finish, attempt_start
from quizzes.services.educators import educator_create
from tests.factories import make_quiz, make_user, right_choices, wrong_choices

pytestmark = pytest.mark.django_db


def site_snapshot() -> dict[str, list]:
    """Every row of every model the site owns, as backup_site writes it (natural keys, sorted)."""
    models = [*apps.get_app_config("quizzes").get_models(), Group]
    snapshot = {}
    for model in models:
        rows = serializers.serialize(
            "python", model.objects.order_by("pk"), use_natural_foreign_keys=True, use_natural_primary_keys=True
        )
        for row in rows:
            if hasattr(model, "natural_key"):
                row.pop("pk", None)  # restored by natural key, so the number may differ
        snapshot[model._meta.label] = sorted(rows, key=lambda row: json.dumps(row, sort_keys=True, default=str))
    return snapshot


def empty_the_site(media_root: Path) -> None:
    for model in [Response, Attempt, Question, Quiz, Topic, Source, User]:
        model.objects.all().delete()
    Group.objects.exclude(name="Educators").delete()
    for path in sorted(media_root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


@pytest.fixture
def working_site(settings):
    """Two trainees part-way and all the way through a quiz with an image, and an educator."""
    quiz = make_quiz(questions=3, title="Cannonball metastases", description="A *Markdown* description.")
    draft = make_quiz(questions=1, status=Quiz.Status.DRAFT)
    question = quiz.questions.in_quiz_order().first()
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, format="PNG")
    prepared = image_prepare(buffer.getvalue(), "chest.png")
    question.image, question.thumbnail, question.image_alt = prepared.image, prepared.thumbnail, "Chest radiograph"
    question.save()
    educator_create(username="educator", password="an-educator-password", display_name="Dr Educator")

    ada, bob = make_user(display_name="Ada"), make_user(display_name="Bob")
    finished = attempt_start(user=ada, quiz=quiz)
    for number, q in enumerate(quiz.questions.in_quiz_order().prefetch_related("choices")):
        chosen = right_choices(q) if number else wrong_choices(q)[:1]
        answer_submit(attempt=finished, question=q, chosen=chosen)
    finished = attempt_finish(attempt=finished)
    ongoing = attempt_start(user=bob, quiz=quiz)
    first = quiz.questions.in_quiz_order().prefetch_related("choices").first()
    answer_submit(attempt=ongoing, question=first, chosen=right_choices(first))
    return {"quiz": quiz, "draft": draft, "question": question, "ada": ada, "score": finished.score}


def test_a_backup_restored_into_an_empty_site_gives_back_everything(working_site, settings, tmp_path):
    media_root = Path(settings.MEDIA_ROOT)
    before = site_snapshot()
    images_before = {p.relative_to(media_root): p.read_bytes() for p in media_root.rglob("*") if p.is_file()}
    assert before["quizzes.Response"] and before["quizzes.Attempt"] and len(images_before) == 2

    archive = site_backup(output_dir=tmp_path / "backups")
    empty_the_site(media_root)
    assert not User.objects.exists() and not any(media_root.rglob("*.png"))
    counts = site_restore(archive=archive)

    after = site_snapshot()
    for model, rows in before.items():
        assert after[model] == rows, model
    images_after = {p.relative_to(media_root): p.read_bytes() for p in media_root.rglob("*") if p.is_file()}
    assert images_after == images_before
    assert counts["quizzes.response"] == 4 and counts["quizzes.user"] == 3 and counts["media files"] == 2
    # The restored site works: passwords, scores and the educator's permissions came back.
    ada = User.objects.get(username=working_site["ada"].username)
    assert ada.check_password("a-long-test-password")
    assert Attempt.objects.get(user=ada).score == working_site["score"] > 0
    assert User.objects.get(username="educator").has_perm("quizzes.change_question")


def test_the_archive_is_named_by_time_and_leaves_out_sessions_and_rebuildable_tables(working_site, client, tmp_path):
    client.force_login(working_site["ada"])

    archive = site_backup(output_dir=tmp_path)

    assert archive.name.startswith("quizsite-") and archive.name.endswith(".tar.gz")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        models = {row["model"] for row in json.load(tar.extractfile("data.json"))}
        manifest = json.load(tar.extractfile("manifest.json"))
    assert {"manifest.json", "data.json"} <= set(names)
    assert manifest["format"] == "quizsite-backup/1"
    assert {"quizzes.user", "quizzes.quiz", "quizzes.attempt", "quizzes.response", "auth.group"} <= models
    assert not models & {"sessions.session", "contenttypes.contenttype", "auth.permission"}
    assert not any(model.startswith("axes.") for model in models)


def test_the_commands_write_and_read_the_archive(working_site, settings, tmp_path):
    out = io.StringIO()
    call_command("backup_site", output_dir=str(tmp_path), stdout=out)
    archive = Path(out.getvalue().strip().removeprefix("Backup written to "))
    empty_the_site(Path(settings.MEDIA_ROOT))

    out = io.StringIO()
    call_command("restore_site", str(archive), stdout=out)

    assert "Restored" in out.getvalue() and "4 quizzes.response" in out.getvalue()
    assert Response.objects.count() == 4


def test_restoring_over_existing_data_is_refused_and_changes_nothing(working_site, tmp_path):
    archive = site_backup(output_dir=tmp_path)
    before = site_snapshot()

    with pytest.raises(RestoreRefused, match=r"already holds data .*3 users.*restored into an empty database"):
        site_restore(archive=archive)

    assert site_snapshot() == before


def test_the_restore_command_reports_a_refusal_as_a_command_error(working_site, tmp_path):
    archive = site_backup(output_dir=tmp_path)

    with pytest.raises(CommandError, match=r"already holds data .*3 users"):
        call_command("restore_site", str(archive))


def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    stray = tmp_path / "stray.tar.gz"
    with tarfile.open(stray, "w:gz") as tar:
        tar.addfile(tarfile.TarInfo("notes.txt"), io.BytesIO(b""))

    with pytest.raises(RestoreRefused, match=r"no manifest\.json"):
        site_restore(archive=stray)
    with pytest.raises(RestoreRefused, match="No backup at"):
        site_restore(archive=tmp_path / "missing.tar.gz")


def test_an_archive_cannot_write_outside_the_media_folder(working_site, settings, tmp_path):
    archive = site_backup(output_dir=tmp_path / "backups")
    hostile = tmp_path / "hostile.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(hostile, "w:gz") as tar:
        for member in source.getmembers():
            tar.addfile(member, source.extractfile(member))
        escape = tarfile.TarInfo("media/../../escaped.txt")
        escape.size = 3
        tar.addfile(escape, io.BytesIO(b"bad"))
    empty_the_site(Path(settings.MEDIA_ROOT))

    with pytest.raises(tarfile.OutsideDestinationError):
        site_restore(archive=hostile)

    assert not (tmp_path / "escaped.txt").exists()
    assert not list(Path(settings.MEDIA_ROOT).rglob("escaped.txt"))
