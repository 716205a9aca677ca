"""Banks shaped like the ones educators bring: tests/fixtures/banks/realworld/ rebuilds, in our own
words, each structure that Moodle's own import fixtures, the GIFT documentation's examples and Moodle's
GIFT tests exercise (old image fields, files in feedback, HTML answers, grades Moodle does not list,
categories with ID numbers, every question type, two answers at 100%, escapes, missing-word questions,
Moodle's GIFT export with tabs, tags and ID numbers, Windows-1252 and ISO-8859-1 files; short-answer
and matching questions as Moodle 4 exports them, with CDATA, format attributes, usecase, embedded images,
extra wrong answers and combined feedback).

Every question of a type the site holds (multiple choice, true/false, short answer, matching) should
come in; every other question is named as skipped.
"""

from decimal import Decimal

import pytest

from quizzes.bank.gift_reader import parse_gift
from quizzes.bank.moodle_reader import parse_moodle_xml
from quizzes.services.content import quiz_pack_save
from tests.bank import FIXTURES
from tests.factories import committed

pytestmark = pytest.mark.django_db

REAL_WORLD = FIXTURES / "realworld"
# Each file's questions of the types the site holds, and all its questions (categories apart),
# counted by hand from the file.
QUESTIONS = {
    "gift-class-examples.gift": (12, 18),
    "gift-every-type.gift": (9, 12),
    "gift-moodle-export.gift": (4, 4),
    "gift-shortanswer-and-matching.gift": (5, 5),
    "gift-windows-1252.gift": (2, 2),
    "moodle-categories-and-types.xml": (5, 9),
    "moodle-images-everywhere.xml": (2, 2),
    "moodle-latin1.xml": (2, 2),
    "moodle-legacy-fields.xml": (1, 2),
    "moodle-shortanswer-and-match.xml": (4, 5),
}
HELD_TYPES = {"multichoice", "truefalse", "shortanswer", "match", "matching"}


def read(path):
    parse = parse_moodle_xml if path.suffix == ".xml" else parse_gift
    return parse(path.read_bytes(), path.name, slug=path.stem, title=path.stem, topic="Real-world banks")


def test_every_real_world_file_is_counted():
    assert sorted(path.name for path in REAL_WORLD.iterdir()) == sorted(QUESTIONS)


def test_real_world_banks_import_the_questions_the_site_holds_and_name_every_other_one(tmp_path):
    held_questions = imported = 0
    for path in sorted(REAL_WORLD.iterdir()):
        pack = read(path)
        quiz_pack_save(pack=pack, images_dir=tmp_path)  # saving raises nothing either

        held, total = QUESTIONS[path.name]
        held_questions += held
        imported += len(pack.questions)
        assert len(pack.questions) + len(pack.skipped) == total, path.name
        assert all(skip.file == path.name and skip.kind and skip.reason for skip in pack.skipped)
        assert all(skip.line or skip.label for skip in pack.skipped)
        assert len([skip for skip in pack.skipped if skip.kind not in HELD_TYPES]) == total - held, path.name

    # Three questions of held types are broken in the files (a matching question with one stem, two).
    assert imported >= 0.9 * held_questions, (imported, held_questions)


def test_two_answers_at_full_marks_stay_one_shown_answer_and_both_score_full_marks():
    question = next(q for q in read(REAL_WORLD / "moodle-categories-and-types.xml").questions if q.key == "two-keys")

    assert [(option.correct, option.weight) for option in question.options] == [(True, 1), (False, 1), (False, 0)]
    assert question.tags == ["pleura", "Projections"]


def test_an_embedded_sound_and_images_outside_the_question_text_are_named_as_dropped():
    sound, film = (
        question.warnings for question in reversed(read(REAL_WORLD / "moodle-images-everywhere.xml").questions)
    )

    assert "embedded file 'murmur.mp3' dropped: the site keeps only the question's image" in sound
    assert "image 'info.png' in the general feedback dropped: only the question text's image is imported" in film


def test_an_unclosed_bold_tag_leaves_no_stray_markers_in_the_stem():
    question = next(q for q in read(REAL_WORLD / "gift-class-examples.gift").questions if q.key == "q2-mc")

    assert question.stem == "Plain text &lt; > & ; ' \" &lt; > (answer is &lt;)"


# The accepted answers of "Name the pattern", the same question in the Moodle XML and the GIFT sample:
# weights, feedback from HTML, the wildcard, and an answer without feedback.
PATTERN_ANSWERS = [
    ("miliary metastases", 1, "Yes: **miliary** metastases."),
    ("miliary metastatic disease", 1, ""),
    ("metastases", Decimal("0.5"), "Be specific about the pattern."),
    ("*", 0, "Look at the size and spread of the nodules."),
]


def test_a_moodle_shortanswer_comes_in_with_its_weighted_answers_their_feedback_and_its_image():
    question = next(
        q for q in read(REAL_WORLD / "moodle-shortanswer-and-match.xml").questions if q.kind == "short_answer"
    )

    assert [(a.text, a.weight, a.feedback) for a in question.accepted_answers] == PATTERN_ANSWERS
    assert (question.case_sensitive, question.forgive_typos) == (False, None)
    assert (question.idnumber, question.tags, question.image_alt) == (
        "CHEST-SA-1",
        ["chest", "rapid reporting"],
        "Frontal chest radiograph with innumerable tiny nodules",
    )
    assert (
        question.stem == "A 34-year-old woman had a thyroidectomy last year.\n\nWhat is the **most likely diagnosis**?"
    )
    assert question.warnings[:2] == [
        "accepted answer 5 has no text: left out, as Moodle leaves it out",
        "1 hint dropped: the site has no hints",
    ]


def test_a_case_sensitive_moodle_shortanswer_keeps_its_answers_as_typed_entities_decoded():
    question = next(
        q for q in read(REAL_WORLD / "moodle-shortanswer-and-match.xml").questions if q.key == "gene-symbol"
    )

    assert question.case_sensitive is True
    assert [(a.text, a.weight) for a in question.accepted_answers] == [
        ("BRAF", 1),
        ("B-Raf & RAS", Decimal("0.3333333")),
    ]


def test_a_moodle_match_takes_its_options_from_the_answers_and_an_image_only_stem_from_its_alt_text():
    question = next(q for q in read(REAL_WORLD / "moodle-shortanswer-and-match.xml").questions if q.kind == "matching")

    # The extra wrong answer (a subquestion without text) is an option; a repeated answer is one option.
    assert [option.text for option in question.options] == [
        "Squamous cell carcinoma",
        "Choriocarcinoma",
        "Osteosarcoma",
        "Colorectal carcinoma",
    ]
    assert [(stem.text, stem.answer, stem.image_alt, stem.image_data is not None) for stem in question.match_stems] == [
        ("Several nodules with **thick walls** and air inside", 0, "", False),
        ("CT: a nodule ringed by ground-glass haze", 1, "CT: a nodule ringed by ground-glass haze", True),
        ("Dense nodules &lt;bone-like> in a teenager", 2, "", False),  # plain_text: shown as written
    ]
    assert "stem 2 is an image: its alt text 'CT: a nodule ringed by ground-glass haze' stands in as its text" in (
        question.warnings
    )
    assert "Moodle's default mark of 3 dropped: every question here is worth the same" in question.warnings
    assert not any("embedded file" in warning for warning in question.warnings)


def test_gift_short_answers_and_matching_pairs_come_in_as_moodle_reads_them():
    questions = {q.key: q for q in read(REAL_WORLD / "gift-shortanswer-and-matching.gift").questions}

    pattern, blank, matching = (
        questions["name-the-pattern"],
        questions["blank-in-a-sentence"],
        questions["primaries-and-patterns"],
    )
    assert [(a.text, a.weight, a.feedback) for a in pattern.accepted_answers] == PATTERN_ANSWERS
    assert (pattern.case_sensitive, pattern.forgive_typos) == (None, None)
    assert blank.stem.endswith("make the \\_\\_\\_\\_\\_ pattern.")
    assert [(a.text, a.weight) for a in blank.accepted_answers] == [("miliary", 1), ("micronodular", Decimal("0.5"))]
    assert [option.text for option in matching.options][-1] == "Colorectal carcinoma"
    assert [(stem.text, stem.answer) for stem in matching.match_stems] == [
        ("Several nodules with **thick walls** and air inside", 0),
        ("Nodules ringed by ground-glass haze", 1),
        ("Dense nodules &lt;bone-like> in a teenager", 2),
    ]


def test_imported_short_answer_and_matching_questions_are_saved_with_their_images_or_as_drafts(tmp_path):
    with committed():
        quiz = quiz_pack_save(pack=read(REAL_WORLD / "moodle-shortanswer-and-match.xml"), images_dir=tmp_path)
        gift = quiz_pack_save(pack=read(REAL_WORLD / "gift-shortanswer-and-matching.gift"), images_dir=tmp_path)

    pattern, matching = (
        quiz.questions.get(key="name-the-pattern-film"),
        quiz.questions.get(key="primaries-and-patterns"),
    )
    assert pattern.image and pattern.accepted_answers.count() == 4 and not pattern.is_draft
    assert [bool(stem.image) for stem in matching.match_stems.all()] == [False, True, False]
    assert matching.choices.count() == 4 and not matching.is_draft
    # Without general feedback, or with no more options than stems and no reason, a question waits as a draft.
    assert sorted(gift.questions.filter(status="draft").values_list("key", flat=True)) == [
        "blank-in-a-sentence",
        "two-routes",
    ]
