"""Moodle XML and GIFT round trips: a quiz written out and read back has the same questions."""

from decimal import Decimal

import pytest
from PIL import Image

from quizzes.bank.gift_reader import parse_gift
from quizzes.bank.gift_writer import export_gift
from quizzes.bank.moodle_reader import parse_moodle_xml
from quizzes.bank.moodle_writer import export_moodle_xml
from quizzes.bank.quizpack_reader import parse_pack
from quizzes.content import CONTENT_DIR
from quizzes.models import AcceptedAnswer, Choice, MatchStem, Question, Tag
from quizzes.scoring import option_weights
from quizzes.services.content import quiz_pack_save
from quizzes.services.questions import question_image_set
from tests.bank import FIXTURES, TYPED_AND_MATCHING, answers_and_stems, weights_set
from tests.factories import committed, make_question, make_quiz, png_bytes, questions_of

pytestmark = pytest.mark.django_db

# (writer, reader, file extension): both formats carry the same of a question, so one test serves both.
FORMATS = [
    pytest.param(export_moodle_xml, parse_moodle_xml, "xml", id="moodle"),
    pytest.param(export_gift, parse_gift, "gift", id="gift"),
]
# Hotspot questions are left out of these formats (tests/bank/test_export.py checks that they say so).
CHOICE_QUESTION_PACKS = [path for path in sorted(CONTENT_DIR.glob("*.yaml")) if "kind: hotspot" not in path.read_text()]


def pack_saved(**kwargs):
    """Save a pack and store its image files, as the commit that a test's transaction never makes would."""
    with committed():
        return quiz_pack_save(**kwargs)


def question_row(question):
    """What Moodle XML and GIFT can carry of a question's text and options."""
    return (
        question.key,
        question.kind,
        question.stem,
        question.explanation,
        question.learning_point,
        [(choice.text, choice.is_correct, choice.rationale) for choice in question.choices.all()],
    )


def question_rows(quiz):
    return [question_row(question) for question in questions_of(quiz)]


@pytest.fixture
def saved_quiz(tmp_path):
    pack = parse_pack((FIXTURES / "good.yaml").read_text(encoding="utf-8"), "good.yaml")
    return pack_saved(pack=pack, images_dir=tmp_path)


@pytest.mark.parametrize(("export", "parse", "extension"), FORMATS)
def test_a_quiz_exported_and_imported_again_has_the_same_questions(saved_quiz, tmp_path, export, parse, extension):
    exported = export(saved_quiz)

    pack = parse(exported, f"bank-sample.{extension}", slug="bank-sample-again", title="Again", topic="Imports")
    copy = pack_saved(pack=pack, images_dir=tmp_path)

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
    quiz = pack_saved(pack=pack, images_dir=tmp_path)

    assert quiz.pk == saved_quiz.pk
    assert question_rows(quiz) == rows
    assert sorted(Choice.objects.values_list("pk", flat=True)) == choice_ids


@pytest.mark.parametrize(("export", "parse", "extension"), FORMATS)
@pytest.mark.parametrize("path", CHOICE_QUESTION_PACKS, ids=lambda path: path.stem)
def test_every_bundled_quiz_survives_a_round_trip(path, tmp_path, export, parse, extension):
    pack = parse_pack(path.read_text(encoding="utf-8"), path.name, CONTENT_DIR / "images")
    quiz = pack_saved(pack=pack, images_dir=CONTENT_DIR / "images")

    again = parse(export(quiz), f"{path.stem}.{extension}", slug="again", title="Again", topic="Imports")
    copy = pack_saved(pack=again, images_dir=tmp_path)

    # Neither format has a stage, so a case stage travels at the head of the stem.
    expected = [
        ((f"{question.stage}\n\n{question.stem}" if question.stage else question.stem), *row[:2], *row[3:])
        for question, row in zip(quiz.questions.in_quiz_order(), question_rows(quiz), strict=False)
    ]
    assert [(row[2], *row[:2], *row[3:]) for row in question_rows(copy)] == expected


def weights_of(question) -> list[float]:
    """Each option's share of full marks as the site scores it (its weight, or the default rule's),
    to the 6 decimals Moodle's 7-decimal grades agree on."""
    weights = option_weights(question)
    return [round(float(weights.get(choice.pk, 0)), 6) for choice in question.choices.all()]


def pixels(question):
    if not question.image:
        return None
    with question.image.open("rb") as file, Image.open(file) as picture:
        return picture.size, picture.convert("RGB").tobytes()


def full_rows(quiz):
    """Everything Moodle XML carries of each question: its text, options, weights, tags, ID number
    and image (compared by its pixels: an imported image is re-encoded, as an upload is)."""
    return [
        (
            *question_row(question),
            question.idnumber,
            sorted(tag.name for tag in question.tags.all()),
            weights_of(question),
            pixels(question),
            question.image_alt,
        )
        for question in quiz.questions.in_quiz_order().prefetch_related("choices", "tags")
    ]


@pytest.fixture
def quiz_with_everything():
    """Weights given and default, negative and partial ones, tags, ID numbers and an image."""
    quiz = make_quiz(questions=0)
    single = make_question(
        quiz=quiz, key="partial", idnumber="CHEST-1", options=[("Best", True), ("Close", False), ("Far", False)]
    )
    weights_set(single, ["1", "0.3333333", "0"])
    single.tags.add(Tag.objects.create(name="Chest", slug="chest"), Tag.objects.create(name="Nodules", slug="nodules"))
    with committed():
        question_image_set(question=single, data=png_bytes((40, 30), "teal"), name="film.png", alt="A teal film.")
    make_question(
        quiz=quiz,
        order=2,
        key="default-multiple",
        kind=Question.Kind.MULTIPLE,
        options=[("A", True), ("B", True), ("C", True), ("D", False)],
    )
    negative = make_question(
        quiz=quiz,
        order=3,
        key="negative",
        idnumber="NEG",
        kind=Question.Kind.MULTIPLE,
        options=[("A", True), ("B", True), ("C", False)],
    )
    weights_set(negative, ["0.5", "0.5", "-1"])
    negative.tags.add(Tag.objects.get(name="Chest"))
    make_question(
        quiz=quiz, order=4, key="tf", kind=Question.Kind.TRUE_FALSE, options=[("True", False), ("False", True)]
    )
    return quiz


@pytest.mark.parametrize(("export", "parse", "extension"), FORMATS)
def test_weights_tags_id_numbers_and_the_image_survive_export_and_import_into_a_new_quiz(
    quiz_with_everything, tmp_path, export, parse, extension
):
    pack = parse(export(quiz_with_everything), f"everything.{extension}", slug="copy", title="Copy", topic="Imports")
    copy = pack_saved(pack=pack, images_dir=tmp_path)

    expected = full_rows(quiz_with_everything)
    if extension == "gift":
        # GIFT carries no images (the export says so): everything else comes back.
        expected = [(*row[:-2], None, "") for row in expected]
    assert copy.pk != quiz_with_everything.pk
    assert full_rows(copy) == expected
    assert copy.questions.get(key="partial").choices.get(text="Close").weight == Decimal("0.3333333")


@pytest.fixture
def typed_and_matching():
    pack = parse_pack(TYPED_AND_MATCHING.read_text(encoding="utf-8"), TYPED_AND_MATCHING.name, CONTENT_DIR / "images")
    return pack_saved(pack=pack, images_dir=CONTENT_DIR / "images")


def typed_rows(quiz):
    """What Moodle XML and GIFT carry of short-answer and matching questions (stem images by their pixels)."""
    return [
        (
            question.key,
            question.kind,
            question.stem,
            question.explanation,
            question.learning_point,
            *answers_and_stems(question),
            [pixels(stem) for stem in question.match_stems.all()],
        )
        for question in quiz.questions.in_quiz_order().prefetch_related("accepted_answers", "choices", "match_stems")
    ]


@pytest.mark.parametrize(("export", "parse", "extension"), FORMATS)
def test_short_answer_and_matching_questions_exported_and_imported_again_are_the_same(
    typed_and_matching, tmp_path, export, parse, extension
):
    pack = parse(export(typed_and_matching), f"typed.{extension}", slug="typed-again", title="Again", topic="Imports")
    copy = pack_saved(pack=pack, images_dir=tmp_path)

    expected = typed_rows(typed_and_matching)
    if extension == "gift":
        # GIFT carries no images (the export says so): a stem comes back without its image.
        expected = [
            (*row[:-2], [(text, answer, "") for text, answer, _alt in row[-2]], [None] * len(row[-1]))
            for row in expected
        ]
    assert not pack.skipped
    assert typed_rows(copy) == expected
    assert [row[1] for row in expected] == ["short_answer", "short_answer", "matching", "matching"]
    # Moodle has "case sensitive"; neither format says whether typing slips are forgiven, nor why a
    # matching question offers no more options than stems: a new question takes the site's defaults,
    # and the one without its reason waits as a draft.
    gene = copy.questions.get(key="name-the-gene")
    assert (gene.case_sensitive, gene.forgive_typos) == (extension == "xml", True)
    assert list(copy.questions.filter(status=Question.Status.DRAFT).values_list("key", flat=True)) == ["match-two"]


@pytest.mark.parametrize(("export", "parse", "extension"), FORMATS)
def test_reimporting_short_answer_and_matching_questions_keeps_their_answers_stems_and_what_the_format_lacks(
    typed_and_matching, tmp_path, export, parse, extension
):
    rows, quiz = typed_rows(typed_and_matching), typed_and_matching
    identities = (
        sorted(AcceptedAnswer.objects.values_list("pk", flat=True)),
        sorted(MatchStem.objects.values_list("pk", flat=True)),
    )

    pack = parse(export(quiz), f"typed.{extension}", slug=quiz.slug, title=quiz.title, topic=quiz.topic.name)
    # As the admin imports Moodle XML and GIFT: formats that hold questions only.
    pack_saved(pack=pack, images_dir=tmp_path, complete=False)

    assert typed_rows(quiz) == rows
    assert (
        sorted(AcceptedAnswer.objects.values_list("pk", flat=True)),
        sorted(MatchStem.objects.values_list("pk", flat=True)),
    ) == identities
    gene, pair = quiz.questions.get(key="name-the-gene"), quiz.questions.get(key="match-two")
    assert (gene.case_sensitive, gene.forgive_typos) == (True, False)
    assert (pair.fewer_options_reason, pair.status) == (
        "There are only two routes to choose from.",
        Question.Status.PUBLISHED,
    )


@pytest.mark.parametrize(("export", "parse", "extension"), FORMATS)
def test_a_matching_questions_options_keep_their_order_when_its_stems_name_them_out_of_order(
    tmp_path, export, parse, extension
):
    pack = parse_pack(TYPED_AND_MATCHING.read_text(encoding="utf-8"), TYPED_AND_MATCHING.name, CONTENT_DIR / "images")
    pack.questions[2].match_stems.reverse()  # the stems now name the third option first
    quiz = pack_saved(pack=pack, images_dir=CONTENT_DIR / "images")

    again = parse(export(quiz), f"typed.{extension}", slug="typed-again", title="Again", topic="Imports")
    copy = pack_saved(pack=again, images_dir=tmp_path)

    original, copied = (q.questions.get(key="match-the-pattern") for q in (quiz, copy))
    _answers, options, stems = answers_and_stems(original)
    assert options[0] == "Squamous cell carcinoma of the head and neck" and stems[0][1] == "Osteosarcoma"
    assert answers_and_stems(copied)[1] == options
    assert [(text, answer) for text, answer, _alt in answers_and_stems(copied)[2]] == [(t, a) for t, a, _ in stems]


def test_a_question_without_a_source_makes_a_quiz_pack_round_trip_citing_none(tmp_path):
    from quizzes.bank.quizpack_writer import export_quizpack

    quiz = make_quiz(questions=2)
    uncited = questions_of(quiz)[1]
    uncited.sources.clear()

    pack = parse_pack(export_quizpack(quiz), "exported.yaml")
    copy = pack_saved(pack=pack, images_dir=tmp_path)

    assert [question.sources == [] for question in pack.questions] == [False, True]
    assert [question.sources.exists() for question in questions_of(copy)] == [True, False]
