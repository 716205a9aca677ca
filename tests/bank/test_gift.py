"""GIFT: good and broken banks, escapes and HTML, and the export (round trips: tests/bank/test_round_trip.py)."""

from decimal import Decimal

import pytest

from quizzes.bank import BankInvalid
from quizzes.bank.gift_reader import parse_gift
from quizzes.bank.gift_writer import export_gift
from quizzes.bank.quizpack import PackOption, PackQuestion
from quizzes.models import Question
from quizzes.services.questions import question_image_set
from tests.bank import FIXTURES, weights_set
from tests.factories import make_question, make_quiz, png_bytes

QUIZ = {"slug": "imported", "title": "Imported quiz", "topic": "Imports"}


def parse_text(content, file="bank.gift", **quiz):
    return parse_gift(content, file, **(QUIZ | quiz))


def problems_of(content, file="bank.gift", **quiz):
    with pytest.raises(BankInvalid) as invalid:
        parse_text(content, file, **quiz)
    return invalid.value.problems


def test_a_good_gift_file_parses_into_the_expected_questions():
    pack = parse_text((FIXTURES / "good.gift").read_text(encoding="utf-8"), "good.gift")

    source = []  # GIFT names no source, and the file's name is none
    assert pack.sources == []
    assert pack.questions == [
        PackQuestion(
            key="commonest-primary",
            kind="single",
            stem="Which primary **most often** causes miliary metastases?",
            options=[
                PackOption("Thyroid carcinoma", True, "Right: it is the classic cause."),
                PackOption("Basal cell carcinoma", False, "It almost never spreads."),
                PackOption("Glioma", False, "It rarely leaves the brain."),
            ],
            explanation="Thyroid cancer is the classic cause. Melanoma can do it too.",
            learning_point="Thyroid cancer is the classic cause.",
            sources=source,
        ),
        PackQuestion(
            key="routes-of-spread",
            kind="multiple",
            stem="Through which routes do cancer cells *usually* spread?",
            options=[
                PackOption("The blood", True, "Named by the page.", Decimal("0.5")),
                PackOption("The lymph system", True, "Also named.", Decimal("0.5")),
                PackOption("The nerves", False, "Not named.", Decimal("-1")),
            ],
            explanation="The blood or the lymph system.",
            learning_point="Blood and lymph are the usual routes.",
            sources=source,
        ),
        PackQuestion(
            key="miliary-size",
            kind="true_false",
            stem="Miliary nodules measure 1–4 mm {like millet}.",
            options=[
                PackOption("True", True, "Right, they are millet-seed sized."),
                PackOption("False", False, "They are tiny, so denying it is wrong."),
            ],
            explanation="Miliary nodules are tiny and uniform.",
            learning_point="Miliary nodules are tiny and uniform.",
            sources=source,
        ),
        PackQuestion(
            key="metastases-reach-the-lungs-mostly-through-the",
            kind="single",
            stem=r"Metastases reach the lungs mostly through the \_\_\_\_\_ stream.",
            options=[
                PackOption("blood", True, "Yes, by the blood."),
                PackOption("airways", False, "No, not the airways."),
            ],
            explanation="Most lung metastases arrive in the blood.",
            learning_point="Most lung metastases arrive in the blood.",
            sources=source,
        ),
        PackQuestion(
            key="commonest-primary-2",
            kind="single",
            stem="In men, which primary is commonest?",
            options=[PackOption("Prostate", True, "Common in men."), PackOption("Ovary", False, "Not in men.")],
            explanation="Prostate cancer is common in men.\nIt spreads to bone.",
            learning_point="Prostate cancer is common in men.",
            sources=source,
        ),
    ]


def test_a_mixed_file_imports_what_it_can_and_names_every_skipped_question_with_its_line_and_why():
    pack = parse_text((FIXTURES / "bad.gift").read_text(encoding="utf-8"), "bad.gift")

    assert [(skip.line, skip.label, skip.kind, skip.reason) for skip in pack.skipped] == [
        (3, "No right answer", "multichoice", "A multiple-select question needs at least one right option."),
        (7, "Essay", "essay", "essay questions need a person to mark them; the site marks every answer itself"),
        (
            9,
            "Short answer",
            "shortanswer",
            "a short-answer question needs an accepted answer that earns full marks (weight 1)",
        ),
        (
            11,
            "Matching",
            "match",
            "pair 2 has no ->; write each pair as =stem -> option; a matching question needs at least 2 stems",
        ),
        (13, "Numerical", "numerical", "numerical (typed number) questions are not supported"),
        (19, "Unclosed", "unknown", "its answers are not enclosed in { and }"),
        (21, "Just a description, with no answers at…", "description", "a description holds no question to answer"),
        (23, "Bad weight", "multichoice", "option 1 has a weight 'abc' that is not a number"),
    ]
    assert (
        str(pack.skipped[5])
        == "bad.gift, line 19, question 'Unclosed' (unknown): its answers are not enclosed in { and }"
    )
    assert [(question.key, question.warnings) for question in pack.questions] == [
        (
            "two-right-answers",
            [
                "options 1 and 2 each earn full marks: option 1 is shown as the right answer, and each of them "
                "still scores full marks"
            ],
        ),
        ("missing-rationale", ["option 2 ('B') has no feedback: add why it is right or wrong before publishing"]),
        (
            "no-general-feedback",
            [
                "no general feedback (after ####): add the explanation (its first sentence becomes the learning "
                "point) before publishing"
            ],
        ),
        (
            "bare-true-false",
            [
                "option 1 ('True') has no feedback: add why it is right or wrong before publishing",
                "option 2 ('False') has no feedback: add why it is right or wrong before publishing",
            ],
        ),
    ]


def test_a_file_without_any_question_is_refused():
    assert [problem.message for problem in problems_of("// only a comment\n\n$CATEGORY: x\n")] == [
        "the file has no questions"
    ]


def test_escaped_characters_are_text_and_not_syntax():
    pack = parse_text(
        r"::A\: b:: Is 2 \= 2 \~ \{yes\} \#1 \\o/? {=Yes \~ sure#Right\#1. ~No#Wrong. ####It is\n\nTrue.}"
    )
    question = pack.questions[0]

    assert question.key == "a-b"
    assert question.stem == r"Is 2 = 2 ~ {yes} #1 \\o/?"  # Moodle's default format shows a backslash as written
    assert question.options == [PackOption("Yes ~ sure", True, "Right#1."), PackOption("No", False, "Wrong.")]
    assert (question.explanation, question.learning_point) == ("It is\n\nTrue.", "It is")


def test_comments_and_categories_are_ignored_and_keys_come_from_titles():
    content = "// a comment\n$CATEGORY: $course$/top/X\n\n::Q::\n// inside\nWhich? {=A#Yes. ~B#No. ####Because.}\n"

    pack = parse_text(content)

    assert [(question.key, question.stem) for question in pack.questions] == [("q", "Which?")]


@pytest.mark.parametrize(("answer", "true_is_right"), [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)])
def test_true_false_answers_give_each_option_its_own_rationale(answer, true_is_right):
    pack = parse_text(
        f"::TF:: The sky is blue. {{{answer}#Said to the wrong answer.#Said to the right answer.####Sky.}}"
    )

    right = "Said to the right answer."
    wrong = "Said to the wrong answer."
    assert pack.questions[0].kind == "true_false"
    assert pack.questions[0].options == [
        PackOption("True", true_is_right, right if true_is_right else wrong),
        PackOption("False", not true_is_right, wrong if true_is_right else right),
    ]


def test_weighted_answers_make_a_multiple_select_question_with_positive_weights_right():
    pack = parse_text("::W:: Which? {~%33.33333%A#a ~%66.66667%B#b ~%-100%C#c ~%0%D#d ####Because.}")

    assert pack.questions[0].kind == "multiple"
    assert [option.correct for option in pack.questions[0].options] == [True, True, False, False]


@pytest.mark.parametrize("text_format", ["[html]", "[markdown]", "[plain]", "[moodle]", ""])
def test_html_in_gift_text_never_yields_a_script_tag(text_format):
    payload = "Which? <script>alert(1)</script> <scr<script>ipt>x</script> &lt;script&gt;"
    pack = parse_text(f"::Q::{text_format}{payload} {{={payload}#{payload} ~No#{payload} ####{payload}}}")
    question = pack.questions[0]
    texts = [question.stem, question.explanation, question.learning_point] + [
        field for option in question.options for field in (option.text, option.rationale)
    ]

    assert not any("<script" in text.lower() for text in texts), texts


def test_html_question_text_becomes_markdown():
    pack = parse_text("::Q::[html]<p>A <b>bold</b> &amp; <i>odd</i> claim</p><p>Second</p> {=A#Yes. ~B#No. ####Why.}")

    assert pack.questions[0].stem == "A **bold** & *odd* claim\n\nSecond"


@pytest.mark.django_db
def test_export_writes_each_kind_in_gift_syntax():
    quiz = make_quiz(questions=0, title="Quiz / one")
    make_question(
        quiz=quiz,
        key="single",
        stem="Which: {this}?",
        options=[("A = a", True), ("B ~ b", False)],
        explanation="Line one.\n\nLine two.",
        learning_point="Point.",
    )
    make_question(
        quiz=quiz, order=2, key="multi", kind=Question.Kind.MULTIPLE, options=[("A", True), ("B", True), ("C", False)]
    )
    make_question(
        quiz=quiz, order=3, key="tf", kind=Question.Kind.TRUE_FALSE, options=[("True", False), ("False", True)]
    )

    text = export_gift(quiz)

    assert f"$CATEGORY: $course$/top/{quiz.topic.name}/Quiz // one" in text
    # Every text carries its format: [markdown], and [plain] for options (the site shows them as written).
    assert "::single::[markdown]Which\\: \\{this\\}? {\n=[plain]A \\= a#[markdown]" in text
    assert "\n~[plain]B \\~ b#[markdown]" in text
    assert "####[markdown]Line one.\\n\\nLine two.\\n\\n**Learning point\\:** Point." in text
    # The site's partial credit as weights: each wrong pick cancels a right one.
    assert "\n~%50%[plain]A#" in text and "\n~%-50%[plain]C#" in text
    assert "::tf::[markdown]Stem of question 3? {\nFALSE#[markdown]Rationale for True" in text


@pytest.mark.django_db
def test_export_writes_weights_id_number_and_tags_as_moodle_does_and_says_images_are_left_out():
    quiz = make_quiz(questions=0)
    question = make_question(
        quiz=quiz, key="weighted", options=[("Best", True), ("Half", False), ("Wrong", False)], idnumber="CH]1"
    )
    weights_set(question, ["1", "0.5", "0"])
    question.tags.create(name="Chest", slug="chest")
    question_image_set(question=question, data=png_bytes(), name="film.png", alt="A grey film.")

    text = export_gift(quiz)
    imported = parse_gift(text, "again.gift", **QUIZ).questions[0]

    assert "\n// Image left out: A grey film.\n// [id:CH\\]1] [tag:Chest]\n::weighted::" in text
    assert "{\n=[plain]Best#[markdown]" in text and "\n~%50%[plain]Half#" in text and "\n~[plain]Wrong#" in text
    assert "// Images are not in this file (GIFT cannot carry them); export Moodle XML to keep them." in text
    assert (imported.idnumber, imported.tags, imported.image_data) == ("CH]1", ["Chest"], None)
    assert [option.weight for option in imported.options] == [Decimal(1), Decimal("0.5"), Decimal(0)]
