"""Files follow the database: an image is written, and a replaced one removed, only when the
transaction that names it commits; media_orphans finds (and with --delete removes) what no row names."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction

from quizzes.models import Question
from quizzes.services import content
from quizzes.services.questions import match_stem_image_set, question_image_set
from quizzes.stored_files import orphans, stored_names
from tests.factories import (
    educator_change,
    make_question,
    make_quiz,
    make_user,
    png_bytes,
    typed_and_matching_answered,
)

# on_commit callbacks run only when a transaction really commits, which the default test transaction never does.
pytestmark = pytest.mark.django_db(transaction=True)


class ImportFailed(Exception):
    pass


def stored_files() -> dict[str, bytes]:
    return {name: default_storage.open(name).read() for name in stored_names(default_storage)}


def question_with_image(colour="gray") -> Question:
    question = make_question(quiz=make_quiz(questions=0))
    return question_image_set(question=question, data=png_bytes(colour=colour), name="chest.png", alt="A chest")


def test_replacing_an_image_writes_the_new_files_and_removes_the_old_ones_on_commit():
    question = question_with_image("gray")
    white = png_bytes(colour="white")

    question_image_set(question=question, data=white, name="chest.png", alt="A chest")

    question.refresh_from_db()
    assert set(stored_files()) == {question.image.name, question.thumbnail.name}
    assert stored_files()[question.image.name] == white


def test_a_failed_import_leaves_every_file_as_it_was_and_no_orphans():
    question = question_with_image("gray")
    before = stored_files()
    names = (question.image.name, question.thumbnail.name)

    with pytest.raises(ImportFailed), transaction.atomic():
        question_image_set(question=question, data=png_bytes(colour="white"), name="other.png", alt="Other")
        other = question_with_image("black")
        question_image_set(question=other, data=None)
        raise ImportFailed("a later question of the bank was broken")

    question.refresh_from_db()
    assert (question.image.name, question.thumbnail.name) == names
    assert stored_files() == before


def test_a_failed_pack_import_after_an_image_was_replaced_keeps_the_old_image(monkeypatch, tmp_path):
    question = question_with_image("gray")
    before = stored_files()
    (tmp_path / "new.png").write_bytes(png_bytes(colour="white"))
    calls = []

    def save_then_fail(*, pack, images_dir, complete=True):
        calls.append(pack)
        if len(calls) == 2:
            raise ImportFailed("the second pack is broken")
        question_image_set(question=question, data=(images_dir / "new.png").read_bytes(), name="new.png", alt="x")

    monkeypatch.setattr(content, "quiz_pack_save", save_then_fail)

    with pytest.raises(ImportFailed):
        content.quiz_packs_save(packs=["first pack", "second pack"], images_dir=tmp_path)

    assert stored_files() == before
    question.refresh_from_db()
    assert default_storage.exists(question.image.name)


def test_removing_an_image_removes_its_files_on_commit():
    question = question_with_image()

    question_image_set(question=question, data=None)

    assert stored_files() == {}


def test_a_file_another_row_still_names_is_not_removed():
    question = question_with_image()
    twin = make_question(quiz=question.quiz, order=2)
    Question.objects.filter(pk=twin.pk).update(
        image=question.image.name, thumbnail=question.thumbnail.name, image_alt="A chest"
    )

    shared = {question.image.name, question.thumbnail.name}

    question_image_set(question=question, data=None)

    assert set(stored_files()) == shared


def test_media_orphans_lists_unreferenced_files_and_deletes_them_only_when_asked(capsys):
    question = question_with_image()
    kept = set(stored_files())
    default_storage.save("questions/left-behind.png", ContentFile(png_bytes()))

    call_command("media_orphans", "--older-than", "0")

    assert "questions/left-behind.png" in capsys.readouterr().out
    assert default_storage.exists("questions/left-behind.png")

    call_command("media_orphans", "--older-than", "0", "--delete")

    assert set(stored_files()) == kept
    question.refresh_from_db()
    assert default_storage.exists(question.image.name)


def test_a_file_younger_than_the_margin_is_not_an_orphan_yet():
    default_storage.save("questions/just-written.png", ContentFile(png_bytes()))

    assert orphans(older_than=datetime.timedelta(minutes=60)) == []
    assert orphans(older_than=datetime.timedelta(0)) == ["questions/just-written.png"]


def test_a_replaced_stem_image_stays_while_a_version_trainees_answered_shows_it():
    _attempt, _typed, matching = typed_and_matching_answered(make_user(), typed="metastases", right=2)
    stem = matching.match_stems.first()
    match_stem_image_set(stem=stem, data=png_bytes(colour="gray"), name="cavity.png", alt="A cavitating nodule")
    stem.refresh_from_db()
    answered_image = stem.image.name

    with educator_change(matching):
        match_stem_image_set(stem=stem, data=png_bytes(colour="white"), name="cavity.png", alt="Another nodule")

    stem.refresh_from_db()
    assert stem.image.name != answered_image
    assert {answered_image, stem.image.name} <= set(stored_files())
    assert answered_image not in orphans(older_than=datetime.timedelta(0))
    version = matching.versions.get(number=1)
    assert version.snapshot["stems"][0]["image"] == answered_image
