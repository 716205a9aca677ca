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
from tests.factories import make_quiz, make_user, questions_of, right_choices, wrong_choices

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
    for number, q in enumerate(questions_of(quiz)):
        chosen = right_choices(q) if number else wrong_choices(q)[:1]
        answer_submit(attempt=finished, question=q, chosen=chosen)
    finished = attempt_finish(attempt=finished)
    ongoing = attempt_start(user=bob, quiz=quiz)
    first = questions_of(quiz)[0]
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

    with pytest.raises(RestoreRefused, match="could not be unpacked"):
        site_restore(archive=hostile)

    assert not User.objects.exists(), "refused before the database was touched"

    assert not (tmp_path / "escaped.txt").exists()
    assert not list(Path(settings.MEDIA_ROOT).rglob("escaped.txt"))


def test_an_archive_is_readable_by_its_owner_alone(working_site, tmp_path):
    archive = site_backup(output_dir=tmp_path)

    assert archive.stat().st_mode & 0o777 == 0o600


def rewritten(archive: Path, out: Path, change) -> Path:
    """A copy of `archive` whose data.json rows went through change(rows)."""
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as tar:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            if member.name == "data.json":
                rows = json.loads(content)
                change(rows)
                content = json.dumps(rows).encode()
                member.size = len(content)
            tar.addfile(member, io.BytesIO(content))
    return out


def test_a_value_longer_than_its_column_is_refused_naming_model_field_and_row(working_site, settings, tmp_path):
    # SQLite keeps such a value; PostgreSQL would fail part-way. The restore says which and where.
    question = working_site["question"]

    def overlong(rows):
        row = next(r for r in rows if r["model"] == "quizzes.question" and r["pk"] == question.pk)
        row["fields"]["image_alt"] = "x" * 301

    archive = rewritten(site_backup(output_dir=tmp_path / "backups"), tmp_path / "long.tar.gz", overlong)
    empty_the_site(Path(settings.MEDIA_ROOT))

    with pytest.raises(RestoreRefused) as refused:
        site_restore(archive=archive)

    assert f"quizzes.question (pk {question.pk}) field “image_alt” holds 301 characters; it takes at most 300" in str(
        refused.value
    )
    assert not User.objects.exists() and not any(Path(settings.MEDIA_ROOT).rglob("*.png"))


def test_a_media_failure_leaves_the_database_untouched_and_a_retry_succeeds(
    working_site, settings, tmp_path, monkeypatch
):
    from django.core.files.storage import FileSystemStorage

    media_root = Path(settings.MEDIA_ROOT)
    before = site_snapshot()
    images_before = {p.relative_to(media_root): p.read_bytes() for p in media_root.rglob("*") if p.is_file()}
    archive = site_backup(output_dir=tmp_path / "backups")
    empty_the_site(media_root)
    save, calls = FileSystemStorage.save, []

    def disk_full_on_the_second_file(storage, name, content, **kwargs):
        calls.append(name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return save(storage, name, content, **kwargs)

    monkeypatch.setattr(FileSystemStorage, "save", disk_full_on_the_second_file)
    with pytest.raises(OSError, match="No space left"):
        site_restore(archive=archive)
    assert not User.objects.exists() and not Question.objects.exists()

    monkeypatch.undo()
    counts = site_restore(archive=archive)

    assert counts["media files"] == 2 and site_snapshot() == before
    images_after = {p.relative_to(media_root): p.read_bytes() for p in media_root.rglob("*") if p.is_file()}
    assert images_after == images_before


def test_a_backup_made_on_sqlite_restores_here(settings):
    """The documented move from SQLite to PostgreSQL: CI runs the suite on both, and on the PostgreSQL run
    this restores into PostgreSQL an archive that site_backup wrote on SQLite from this module's
    working_site (committed in tests/fixtures/backups/). It must restore on either."""
    archive = Path(__file__).parent / "fixtures" / "backups" / "sqlite-site.tar.gz"
    with tarfile.open(archive) as tar:
        assert json.load(tar.extractfile("manifest.json"))["database"] == "sqlite"

    counts = site_restore(archive=archive)

    assert counts["media files"] == 2 and counts["quizzes.response"] == 4
    ada = User.objects.get(display_name="Ada")
    assert ada.check_password("a-long-test-password")
    finished = Attempt.objects.get(user=ada)
    assert finished.score == sum(finished.responses.values_list("points", flat=True)) > 0
    question = Question.objects.exclude(image="").get()
    assert question.image.storage.exists(question.image.name) and question.image_alt == "Chest radiograph"
