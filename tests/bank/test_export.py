"""quizpack/1 export: what parse_pack reads back is the quiz that was saved, written for diffs."""

import dataclasses
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from PIL import Image

from quizzes.bank.quizpack_reader import parse_pack
from quizzes.bank.quizpack_writer import export_quizpack
from quizzes.content import CONTENT_DIR
from quizzes.downloads import bank_download
from quizzes.models import AcceptedAnswer, Choice, MatchStem, Question, Quiz
from quizzes.services.content import quiz_pack_save
from quizzes.services.questions import question_image_set
from tests.bank import FIXTURES, TYPED_AND_MATCHING, weights_set
from tests.factories import committed, make_question, make_quiz

pytestmark = pytest.mark.django_db


def comparable(pack, *, with_image_files=True):
    """The pack without what an export may rightly change: the file name, source order and, unless
    asked, the names of image files (a stored image is named by its content)."""
    questions = [
        dataclasses.replace(
            question,
            sources=sorted(question.sources),
            image_file=question.image_file if with_image_files else bool(question.image_file),
            match_stems=[
                dataclasses.replace(stem, image_file=stem.image_file if with_image_files else bool(stem.image_file))
                for stem in question.match_stems
            ],
        )
        for question in pack.questions
    ]
    return dataclasses.replace(
        pack, file="", sources=sorted(pack.sources, key=lambda source: source.key), questions=questions
    )


def round_trip(pack, images_dir):
    quiz = quiz_pack_save(pack=pack, images_dir=images_dir)
    return quiz, parse_pack(export_quizpack(quiz), f"{quiz.slug}.yaml")


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_exported_quiz_parses_back_into_the_same_pack(tmp_path):
    pack = parse_pack((FIXTURES / "good.yaml").read_text(encoding="utf-8"), "good.yaml")

    _quiz, exported = round_trip(pack, tmp_path)

    assert comparable(exported) == comparable(pack)


@pytest.mark.parametrize("path", sorted(CONTENT_DIR.glob("*.yaml")), ids=lambda path: path.stem)
def test_every_bundled_quiz_survives_export_and_reimport(path):
    pack = parse_pack(path.read_text(encoding="utf-8"), path.name, CONTENT_DIR / "images")

    quiz, exported = round_trip(pack, CONTENT_DIR / "images")

    assert comparable(exported, with_image_files=False) == comparable(pack, with_image_files=False)
    for question in quiz.questions.exclude(image=""):
        assert Path(question.image.name).name in [item.image_file for item in exported.questions]


def test_the_export_is_written_for_people_and_diffs(tmp_path):
    pack = parse_pack((FIXTURES / "good.yaml").read_text(encoding="utf-8"), "good.yaml")
    quiz = quiz_pack_save(pack=pack, images_dir=tmp_path)

    text = export_quizpack(quiz)

    assert text.startswith("format: quizpack/1\nquiz:\n  slug: bank-sample\n  title: 'Bank sample: every format'\n")
    assert (
        "  description: |-\n    A small quiz for the import and export tests.\n\n    It has two paragraphs.\n" in text
    )
    assert "    stem: |-\n      A nodule measures **4 mm**;" in text
    assert "1–4 mm across, like “millet seeds”." in text
    assert "    sources: [bank-doc, bank-other]\n" in text
    assert "\n\n  - key: routes\n" in text
    assert "      - text: 'yes'\n" in text
    assert "    date: 2020-02-29\n" in text
    question = yaml.safe_load(text)["questions"][0]
    assert list(question) == ["key", "kind", "stem", "options", "explanation", "learning_point", "sources"]
    assert list(yaml.safe_load(text)) == ["format", "quiz", "sources", "questions"]


def test_optional_fields_are_left_out_when_they_are_empty():
    quiz = make_quiz(questions=1)

    data = yaml.safe_load(export_quizpack(quiz))

    assert set(data["sources"][0]) == {"key", "title", "publisher"}
    assert "stage" not in data["questions"][0] and "image" not in data["questions"][0]


def test_text_typed_in_a_browser_is_written_as_a_block_with_plain_line_endings():
    quiz = make_quiz(questions=0)
    make_question(quiz=quiz, stem="First line.\r\nSecond line.\r\n", explanation="  Padded.  ")

    text = export_quizpack(quiz)
    question = parse_pack(text, "crlf.yaml").questions[0]

    assert "    stem: |-\n      First line.\n      Second line.\n" in text
    assert (question.stem, question.explanation) == ("First line.\nSecond line.", "Padded.")


def test_a_case_quiz_keeps_its_kind_and_every_stage(tmp_path):
    text = (FIXTURES / "good.yaml").read_text(encoding="utf-8").replace("kind: standard", "kind: case")
    text = text.replace("    stem:", "    stage: |\n      History for this stage.\n      More history.\n    stem:")
    pack = parse_pack(text, "case.yaml")

    _quiz, exported = round_trip(pack, tmp_path)

    assert exported.kind == "case"
    assert [question.stage for question in exported.questions] == ["History for this stage.\nMore history."] * 3
    assert comparable(exported) == comparable(pack)


def test_an_image_is_written_as_its_file_name_and_alt_text_and_imports_back(tmp_path):
    quiz = make_quiz(questions=1)
    question = quiz.questions.get()
    with committed():
        question_image_set(question=question, data=png_bytes(), name="film.png", alt="A plain white square.")
    question.refresh_from_db()
    images_dir = tmp_path / "images"
    images_dir.mkdir()
    (images_dir / Path(question.image.name).name).write_bytes(question.image.read())

    exported = parse_pack(export_quizpack(quiz), "with-image.yaml", images_dir)

    assert exported.questions[0].image_file == Path(question.image.name).name
    assert exported.questions[0].image_alt == "A plain white square."


def test_reimporting_an_export_under_the_same_slug_changes_nothing(tmp_path):
    pack = parse_pack((FIXTURES / "good.yaml").read_text(encoding="utf-8"), "good.yaml")
    _quiz, exported = round_trip(pack, tmp_path)
    before = (list(Question.objects.values()), list(Choice.objects.values()), list(Quiz.objects.values()))

    quiz_pack_save(pack=exported, images_dir=tmp_path)

    assert (list(Question.objects.values()), list(Choice.objects.values()), list(Quiz.objects.values())) == before


def test_a_hotspot_question_exports_and_imports_back_with_its_regions(tmp_path):
    from quizzes.bank.gift_writer import export_gift
    from quizzes.bank.moodle_writer import export_moodle_xml
    from tests.factories import make_hotspot_question

    quiz = make_quiz(questions=1)
    polygon = {
        "shape": "polygon",
        "geometry": {"points": [[0.1, 0.1], [0.3, 0.1], [0.2, 0.3]]},
        "feedback": "Line one.\nLine two.",
    }
    question = make_hotspot_question(quiz=quiz, order=2, regions=[polygon], allow_no_abnormality=True)
    images_dir = tmp_path / "images"
    images_dir.mkdir()
    (images_dir / Path(question.image.name).name).write_bytes(question.image.read())

    text = export_quizpack(quiz)
    exported = parse_pack(text, "hotspot.yaml", images_dir)

    assert "geometry: {points: [[0.1, 0.1], [0.3, 0.1], [0.2, 0.3]]}" in text
    hotspot = exported.questions[1]
    assert (hotspot.kind, hotspot.allow_no_abnormality, hotspot.options) == ("hotspot", True, [])
    assert [(r.shape, r.geometry, r.feedback) for r in hotspot.regions] == [
        ("polygon", polygon["geometry"], "Line one.\nLine two.")
    ]
    # Saved again under a new slug, the copy is a hotspot question with the same regions.
    copy = quiz_pack_save(pack=dataclasses.replace(exported, slug="hotspot-copy"), images_dir=images_dir)
    saved = copy.questions.get(key=question.key)
    assert saved.is_hotspot and saved.image and [r.geometry for r in saved.regions.all()] == [polygon["geometry"]]
    # Moodle XML and GIFT cannot hold it: they leave it out and say so.
    for written in (export_moodle_xml(quiz), export_gift(quiz)):
        assert f"Left out: '{question.key}' is a hotspot" in written


def test_weights_id_numbers_and_tags_are_written_and_read_back():
    quiz = make_quiz(questions=0)
    question = make_question(quiz=quiz, idnumber="CHEST-1")
    question.tags.create(name="Nodules", slug="nodules")
    weights_set(question, ["1", "-0.3333333", "0.5", None])

    text = export_quizpack(quiz)
    exported = parse_pack(text, "weighted.yaml").questions[0]

    assert "    idnumber: CHEST-1\n" in text and "    tags: [Nodules]\n" in text
    assert "weight: -0.3333333\n" in text
    assert [option.weight for option in exported.options] == [Decimal("1"), Decimal("-0.3333333"), Decimal("0.5"), None]
    assert (exported.idnumber, exported.tags) == ("CHEST-1", ["Nodules"])


def test_short_answer_and_matching_questions_export_and_parse_back_the_same_with_their_stem_images(tmp_path):
    pack = parse_pack(TYPED_AND_MATCHING.read_text(encoding="utf-8"), TYPED_AND_MATCHING.name, CONTENT_DIR / "images")
    with committed():
        quiz = quiz_pack_save(pack=pack, images_dir=CONTENT_DIR / "images")

    _name, content, _type = bank_download([quiz], "quizpack")
    archive = zipfile.ZipFile(io.BytesIO(content))
    archive.extractall(tmp_path)
    text = (tmp_path / "typed-and-matching.yaml").read_text(encoding="utf-8")
    # parse_pack finds every image the file names in the archive's images folder.
    exported = parse_pack(text, "typed.yaml", tmp_path / "images")

    assert comparable(exported, with_image_files=False) == comparable(pack, with_image_files=False)
    stem = MatchStem.objects.exclude(image="").get()
    assert archive.namelist() == ["typed-and-matching.yaml", f"images/{Path(stem.image.name).name}"]
    assert "      - text: metastases\n        weight: 0.5\n        feedback: Be specific about the pattern.\n" in text
    assert "    case_sensitive: true\n    forgive_typos: false\n" in text
    assert "        answer: Choriocarcinoma\n        image:\n" in text
    assert "correct" not in text.split("key: match-the-pattern")[1]


def test_reimporting_a_quiz_pack_of_short_answer_and_matching_questions_changes_nothing():
    pack = parse_pack(TYPED_AND_MATCHING.read_text(encoding="utf-8"), TYPED_AND_MATCHING.name, CONTENT_DIR / "images")
    with committed():
        quiz_pack_save(pack=pack, images_dir=CONTENT_DIR / "images")
    rows = (list(AcceptedAnswer.objects.values()), list(MatchStem.objects.values()), list(Question.objects.values()))

    with committed():
        quiz_pack_save(pack=pack, images_dir=CONTENT_DIR / "images")

    assert (
        list(AcceptedAnswer.objects.values()),
        list(MatchStem.objects.values()),
        list(Question.objects.values()),
    ) == rows
