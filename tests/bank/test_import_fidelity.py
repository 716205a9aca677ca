"""Moodle XML and GIFT read question by question and kept as written: weights, text formats, tags,
ID numbers, embedded images and encodings (the files are written from the formats' descriptions)."""

import base64
from decimal import Decimal

import pytest

from quizzes.bank import BankInvalid
from quizzes.bank.gift_reader import parse_gift
from quizzes.bank.moodle_reader import parse_moodle_xml
from tests.bank import FIXTURES

QUIZ = {"slug": "imported", "title": "Imported quiz", "topic": "Imports"}
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
READERS = [
    pytest.param(parse_moodle_xml, "moodle-mixed.xml", id="moodle"),
    pytest.param(parse_gift, "gift-mixed.gift", id="gift"),
]


def read(parse, name):
    return parse((FIXTURES / name).read_bytes(), name, **QUIZ)


@pytest.mark.parametrize(("parse", "name"), READERS)
def test_a_mixed_file_imports_every_kind_the_site_has_and_skips_the_rest_by_name_and_type(parse, name):
    pack = read(parse, name)

    imported = {question.key: question.kind for question in pack.questions}
    assert imported["cannonball-film"] == "single" and imported["routes"] == "multiple"
    assert {"true_false", "short_answer", "matching"} <= set(imported.values())
    assert pack.skipped and not {skip.kind for skip in pack.skipped} & {"shortanswer", "match"}
    assert all(skip.file == name and skip.line and skip.reason for skip in pack.skipped)


@pytest.mark.parametrize(("parse", "name"), READERS)
def test_weights_are_kept_exactly_negative_and_decimal_ones_too(parse, name):
    questions = {question.key: question for question in read(parse, name).questions}

    assert [(option.weight, option.correct) for option in questions["cannonball-film"].options] == [
        (Decimal("1"), True),
        (Decimal("0.3333333"), False),
        (Decimal("0"), False),
    ]
    assert [(option.weight, option.correct) for option in questions["routes"].options] == [
        (Decimal("0.5"), True),
        (Decimal("0.5"), True),
        (Decimal("-0.25"), False),
    ]


@pytest.mark.parametrize(("parse", "name"), READERS)
def test_tags_idnumbers_and_the_embedded_image_with_its_alt_text_come_in(parse, name):
    question = read(parse, name).questions[0]

    assert (question.idnumber, question.tags) == ("CHEST-042", ["chest", "Metastases"])
    assert question.image_data == PNG
    assert question.image_alt.startswith("Frontal chest film")
    # The alt text is the image's, never part of the stem, and the paragraphs stay apart.
    assert question.stem == (
        "A 50-year-old has many round nodules.\n\nWhich primary is likeliest?"
        if parse is parse_moodle_xml
        else "Many round nodules.\n\nWhich primary?"
    )


def test_moodle_names_the_embedded_file_by_its_original_name_only_for_the_record():
    assert read(parse_moodle_xml, "moodle-mixed.xml").questions[0].image_file == "chest film.png"


def test_moodle_hints_combined_feedback_and_show_number_correct_are_named_as_dropped():
    routes = next(q for q in read(parse_moodle_xml, "moodle-mixed.xml").questions if q.key == "routes")

    assert routes.warnings[:3] == [
        "1 hint dropped: the site has no hints",
        "combined feedback (correct, incorrect) dropped: the site shows each option's feedback and the explanation "
        "instead",
        '"show the number of correct responses" dropped: the site shows which options were right',
    ]
    assert routes.stem == "Which routes?\nChoose all that apply."  # moodle_auto_format keeps its line break


def test_moodle_plain_text_and_markdown_formats_are_respected():
    question = next(q for q in read(parse_moodle_xml, "moodle-mixed.xml").questions if q.key == "plain-true-false")

    assert question.stem == r"Is 2 \* 3 > 5?"
    assert question.explanation == "It is **6**."
    assert [(option.text, option.correct) for option in question.options] == [("True", True), ("False", False)]


def test_gift_format_markers_are_removed_from_every_text_and_respected():
    question = read(parse_gift, "gift-mixed.gift").questions[0]

    assert question.options[0].text == "Renal cell *carcinoma*"  # [plain]: as written
    assert question.options[0].rationale == "**Classic**."  # [html]
    assert question.explanation == "Renal cell carcinoma gives **cannonball** metastases."  # [markdown]
    assert not any("[" in text for text in [question.stem] + [option.text for option in question.options])


def test_gift_escapes_and_the_moodle_default_format():
    question = next(q for q in read(parse_gift, "gift-mixed.gift").questions if q.key == "miliary")

    assert question.stem == "Miliary nodules are 1–4 mm: like millet {seeds}."
    assert [(option.text, option.correct, option.rationale) for option in question.options] == [
        ("True", True, "Right."),
        ("False", False, "Not so."),
    ]


def test_a_remote_image_is_a_named_warning_and_tags_come_from_a_tags_comment_too():
    question = next(q for q in read(parse_gift, "gift-mixed.gift").questions if q.key == "remote-image")

    assert question.image_data is None
    assert question.warnings == [
        "remote image https://example.org/film.png not fetched: download it and add it in the admin"
    ]
    assert question.tags == ["case", "CT"]
    assert question.stem == "Which side?"


def test_a_second_image_is_dropped_with_a_warning():
    data = base64.b64encode(PNG).decode()
    text = (
        f'::Two::[html]<img src="data:image/png;base64,{data}" alt="first"> and '
        f'<img src="data:image/png;base64,{data}" alt="second"> Which? {{=A#a ~B#b ####Why.}}'
    )

    question = parse_gift(text, "two.gift", **QUIZ).questions[0]

    assert (question.image_data, question.image_alt, question.stem) == (PNG, "first", "and Which?")
    assert question.warnings == ["second image embedded-image.png dropped: a question has one image"]


GIFT_QUESTION = "::Café::[markdown]Is café spelt right? {T#Non.#Oui.####It is.}\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (GIFT_QUESTION.encode(), "UTF-8"),
        (b"\xef\xbb\xbf" + GIFT_QUESTION.replace("\n", "\r\n").encode(), "UTF-8 with BOM"),
        (GIFT_QUESTION.replace("\n", "\r\n").encode("cp1252"), "Windows-1252"),
    ],
)
def test_gift_is_read_in_utf8_with_or_without_bom_or_windows_1252_saying_which(data, encoding):
    pack = parse_gift(data, "cafe.gift", **QUIZ)

    assert pack.encoding == encoding
    assert pack.questions[0].stem == "Is café spelt right?"


def test_moodle_xml_without_a_declared_encoding_is_read_as_windows_1252_when_utf8_fails():
    xml = (FIXTURES / "moodle-mixed.xml").read_text(encoding="utf-8").replace("Sarcoma", "Sarcóma")

    pack = parse_moodle_xml(xml.encode("cp1252"), "old.xml", **QUIZ)

    assert pack.encoding == "Windows-1252"
    assert pack.questions[0].options[1].text == "Sarcóma"


def test_a_file_that_is_not_text_is_refused_whole_with_the_reason():
    with pytest.raises(BankInvalid) as invalid:
        parse_gift(b"\x81\x8d\x00binary", "image.gift", **QUIZ)

    assert [problem.message for problem in invalid.value.problems] == [
        "the file is not text in UTF-8 or Windows-1252; save it as UTF-8 and upload it again"
    ]
