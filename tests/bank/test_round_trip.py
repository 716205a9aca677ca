"""Moodle XML and GIFT round trips: a quiz written out and read back has the same questions."""

import pytest

from quizzes.bank.gift_reader import parse_gift
from quizzes.bank.gift_writer import export_gift
from quizzes.bank.moodle_reader import parse_moodle_xml
from quizzes.bank.moodle_writer import export_moodle_xml
from quizzes.bank.quizpack_reader import parse_pack
from quizzes.content import CONTENT_DIR
from quizzes.models import Choice
from quizzes.services.content import quiz_pack_save
from tests.bank import FIXTURES

pytestmark = pytest.mark.django_db

# (writer, reader, file extension): both formats carry the same of a question, so one test serves both.
FORMATS = [
    pytest.param(export_moodle_xml, parse_moodle_xml, "xml", id="moodle"),
    pytest.param(export_gift, parse_gift, "gift", id="gift"),
]
# Hotspot questions are left out of these formats (tests/bank/test_export.py checks that they say so).
CHOICE_QUESTION_PACKS = [path for path in sorted(CONTENT_DIR.glob("*.yaml")) if "kind: hotspot" not in path.read_text()]


def question_rows(quiz):
    """What Moodle XML and GIFT can carry of each question, in quiz order."""
    return [
        (
            question.key,
            question.kind,
            question.stem,
            question.explanation,
            question.learning_point,
            [(choice.text, choice.is_correct, choice.rationale) for choice in question.choices.all()],
        )
        for question in quiz.questions.in_quiz_order().prefetch_related("choices")
    ]


@pytest.fixture
def saved_quiz(tmp_path):
    pack = parse_pack((FIXTURES / "good.yaml").read_text(encoding="utf-8"), "good.yaml")
    return quiz_pack_save(pack=pack, images_dir=tmp_path)


@pytest.mark.parametrize(("export", "parse", "extension"), FORMATS)
def test_a_quiz_exported_and_imported_again_has_the_same_questions(saved_quiz, tmp_path, export, parse, extension):
    exported = export(saved_quiz)

    pack = parse(exported, f"bank-sample.{extension}", slug="bank-sample-again", title="Again", topic="Imports")
    copy = quiz_pack_save(pack=pack, images_dir=tmp_path)

    assert copy.pk != saved_quiz.pk
    assert question_rows(copy) == question_rows(saved_quiz)
    assert [row[1] for row in question_rows(copy)] == ["single", "multiple", "true_false"]


@pytest.mark.parametrize(("export", "parse", "extension"), FORMATS)
def test_reimporting_an_export_under_the_same_slug_updates_the_questions_in_place(
    saved_quiz, tmp_path, export, parse, extension
):
    rows, choice_ids = question_rows(saved_quiz), sorted(Choice.objects.values_list("pk", flat=True))

    pack = parse(
        export(saved_quiz),
        f"bank-sample.{extension}",
        slug=saved_quiz.slug,
        title=saved_quiz.title,
        topic=saved_quiz.topic.name,
    )
    quiz = quiz_pack_save(pack=pack, images_dir=tmp_path)

    assert quiz.pk == saved_quiz.pk
    assert question_rows(quiz) == rows
    assert sorted(Choice.objects.values_list("pk", flat=True)) == choice_ids


@pytest.mark.parametrize(("export", "parse", "extension"), FORMATS)
@pytest.mark.parametrize("path", CHOICE_QUESTION_PACKS, ids=lambda path: path.stem)
def test_every_bundled_quiz_survives_a_round_trip(path, tmp_path, export, parse, extension):
    pack = parse_pack(path.read_text(encoding="utf-8"), path.name, CONTENT_DIR / "images")
    quiz = quiz_pack_save(pack=pack, images_dir=CONTENT_DIR / "images")

    again = parse(export(quiz), f"{path.stem}.{extension}", slug="again", title="Again", topic="Imports")
    copy = quiz_pack_save(pack=again, images_dir=tmp_path)

    # Neither format has a stage, so a case stage travels at the head of the stem.
    expected = [
        ((f"{question.stage}\n\n{question.stem}" if question.stage else question.stem), *row[:2], *row[3:])
        for question, row in zip(quiz.questions.in_quiz_order(), question_rows(quiz), strict=False)
    ]
    assert [(row[2], *row[:2], *row[3:]) for row in question_rows(copy)] == expected
