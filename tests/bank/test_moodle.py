"""Moodle XML: good and broken banks, refused DOCTYPEs, HTML made safe, and the export (round trips:
tests/bank/test_round_trip.py)."""

import base64
import itertools
from decimal import Decimal
from fractions import Fraction
from pathlib import PurePath
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest

from quizzes.bank import BankInvalid
from quizzes.bank.moodle_reader import parse_moodle_xml
from quizzes.bank.moodle_writer import MOODLE_GRADES, export_moodle_xml, moodle_fractions, percent
from quizzes.bank.quizpack import PackOption, PackQuestion
from quizzes.bank.text import html_to_markdown
from quizzes.models import Question
from quizzes.rules import MULTIPLE, SINGLE, TRUE_FALSE
from quizzes.scoring import partial_credit, weighted
from quizzes.services.questions import question_image_set
from tests.bank import FIXTURES, weights_set
from tests.factories import committed, make_question, make_quiz, png_bytes

QUIZ = {"slug": "imported", "title": "Imported quiz", "topic": "Imports"}


def parse_fixture(name, **quiz):
    return parse_moodle_xml((FIXTURES / name).read_bytes(), name, **(QUIZ | quiz))


def problems_of(content, file="bank.xml", **quiz):
    with pytest.raises(BankInvalid) as invalid:
        parse_moodle_xml(content, file, **(QUIZ | quiz))
    return invalid.value.problems


def one_question(question_text, *, text_format="html", answer_text="Right", feedback="Because."):
    """A Moodle file with one single-answer question whose fields hold the given text."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="multichoice">
    <name><text>Only</text></name>
    <questiontext format="{text_format}"><text>{question_text}</text></questiontext>
    <generalfeedback format="{text_format}"><text>{question_text} Explained.</text></generalfeedback>
    <answer fraction="100" format="{text_format}"><text>{answer_text}</text>
      <feedback format="{text_format}"><text>{feedback}</text></feedback></answer>
    <answer fraction="0" format="{text_format}"><text>Wrong</text>
      <feedback format="{text_format}"><text>{question_text}</text></feedback></answer>
  </question>
</quiz>
"""


def test_a_good_moodle_file_parses_into_the_expected_questions():
    pack = parse_fixture("good.xml")

    assert (pack.slug, pack.title, pack.topic, pack.kind, pack.status) == (
        "imported",
        "Imported quiz",
        "Imports",
        "standard",
        "draft",
    )
    source = []  # Moodle XML names no source, and the file's name is none
    assert pack.questions == [
        PackQuestion(
            key="commonest-primary",
            kind="single",
            stem="Which primary **most often** causes miliary metastases?\n\nChoose one & only one.",
            options=[
                PackOption("Thyroid carcinoma", True, "Right: it is the *classic* cause.", Decimal(1)),
                PackOption("Basal cell carcinoma", False, "It almost never spreads.", Decimal(0)),
                PackOption("Glioma", False, "It rarely leaves the brain.", Decimal(0)),
            ],
            explanation="Thyroid cancer is the classic cause. Melanoma and others can do it too.",
            learning_point="Thyroid cancer is the classic cause.",
            sources=source,
            warnings=[
                "combined feedback (correct) dropped: the site shows each option's feedback and the explanation instead",
                "the penalty for each retry (33%) dropped: a trainee answers once",
            ],
        ),
        PackQuestion(
            key="routes-of-spread",
            kind="multiple",
            stem="Through which routes do cancer cells *usually* spread?\n\n- Select all that apply.",
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
            stem="Miliary nodules measure 1–4 mm.",
            options=[
                PackOption("True", True, "Millet seeds are about that size.", Decimal(1)),
                PackOption("False", False, "They are tiny, not large.", Decimal(0)),
            ],
            explanation="They are named after millet seeds.",
            learning_point="They are named after millet seeds.",
            sources=source,
        ),
        PackQuestion(
            key="commonest-primary-2",
            kind="single",
            stem="In **men**, which primary is commonest?",
            options=[
                PackOption("Prostate & bladder", True, r"Common \*in men\* &lt;script>.", Decimal(1)),
                PackOption("Ovary", False, "Not in men.", Decimal(0)),
            ],
            explanation="Prostate cancer is common in men. It spreads to bone more often.",
            learning_point="Prostate cancer is common in men.",
            sources=source,
        ),
    ]


def test_no_source_is_named_after_the_file():
    pack = parse_fixture("good.xml")

    assert pack.sources == []
    assert all(question.sources == [] for question in pack.questions)


def test_a_file_given_as_text_parses_like_the_same_file_given_as_bytes():
    as_text = parse_moodle_xml((FIXTURES / "good.xml").read_text(encoding="utf-8"), "good.xml", **QUIZ)

    assert as_text == parse_fixture("good.xml")


def test_a_mixed_file_imports_what_it_can_and_names_every_skipped_question_with_its_line_type_and_why():
    pack = parse_fixture("bad.xml")

    assert [(skip.line, skip.label, skip.kind) for skip in pack.skipped] == [
        (6, "No right answer", "multichoice"),
        (14, "Describe the film", "essay"),
        (25, "Both true", "truefalse"),
        (38, "Name the organ", "shortanswer"),
        (42, "Select none", "multichoice"),
        (50, "Lonely option", "multichoice"),
    ]
    assert str(pack.skipped[0]) == (
        "bad.xml, line 6, question 'No right answer' (multichoice): "
        "A single-best-answer question needs exactly one right option, not 0."
    )
    assert "essay questions need a person to mark them" in pack.skipped[1].reason
    assert [(question.key, question.warnings) for question in pack.questions] == [
        ("missing-feedback", ["option 2 ('B') has no feedback: add why it is right or wrong before publishing"]),
        (
            "no-general-feedback",
            [
                "no general feedback: add the explanation (its first sentence becomes the learning point) before publishing"
            ],
        ),
        ("with-image", []),
    ]


def test_a_fraction_that_is_not_a_number_skips_the_question_with_the_reason():
    content = one_question("Which?").replace('fraction="100"', 'fraction="lots"')

    assert (
        parse_moodle_xml(content, "bank.xml", **QUIZ)
        .skipped[0]
        .reason.startswith("option 1 has a fraction 'lots' that is not a number")
    )


def test_a_doctype_with_an_external_entity_is_refused_before_it_is_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    content = (FIXTURES / "xxe.xml").read_text().replace("file:///etc/passwd", secret.as_uri())

    problems = problems_of(content, "xxe.xml")

    assert [(problem.line, problem.question) for problem in problems] == [(2, "")]
    assert "DOCTYPE and ENTITY declarations are not accepted" in problems[0].message
    assert "TOP-SECRET-VALUE" not in str(problems[0])


def test_the_xxe_fixture_is_refused_with_one_located_problem():
    problems = problems_of((FIXTURES / "xxe.xml").read_bytes(), "xxe.xml")

    assert [str(problem).split(":")[0] for problem in problems] == ["xxe.xml, line 2"]


def test_an_entity_expansion_bomb_is_refused():
    problems = problems_of((FIXTURES / "billion-laughs.xml").read_bytes(), "billion-laughs.xml")

    assert len(problems) == 1
    assert problems[0].line == 2
    assert "DOCTYPE" in problems[0].message


def test_xml_that_is_not_well_formed_is_reported_with_its_line():
    problems = problems_of("<quiz>\n  <question type='multichoice'>\n</quiz>\n")

    assert problems[0].line == 3
    assert problems[0].message.startswith("not well-formed XML")


def test_a_file_with_the_wrong_root_or_no_questions_is_refused():
    assert [problem.message for problem in problems_of("<questions/>")] == [
        "the root element must be <quiz>, not <questions>: this is not Moodle XML"
    ]
    assert [problem.message for problem in problems_of("<quiz/>")] == ["the file has no questions"]


def test_the_quiz_slug_title_and_topic_are_checked():
    messages = [problem.message for problem in problems_of(one_question("Which?"), slug="Not A Slug", title=" ")]

    assert "quiz slug must be lower-case letters, digits and hyphens" in messages
    assert "quiz title is missing" in messages


@pytest.mark.parametrize("text_format", ["html", "moodle_auto_format", "markdown", "plain_text"])
@pytest.mark.parametrize(
    "payload",
    [
        "<![CDATA[Which? <script>alert(1)</script>]]>",
        "<![CDATA[Which? <SCRIPT src=//evil.example></SCRIPT>]]>",
        "<![CDATA[Which? <scr<script>ipt>alert(1)</script>]]>",
        "<![CDATA[Which? <svg onload=alert(1)><script>x</script></svg><iframe srcdoc='<script>'></iframe>]]>",
        "Which? &lt;script&gt;alert(1)&lt;/script&gt;",
        "Which? <script>alert(1)</script>",
        "<![CDATA[Which? &lt;script&gt;alert(1)&lt;/script&gt;]]>",
    ],
)
def test_html_in_moodle_text_never_yields_a_script_tag(payload, text_format):
    content = one_question(payload, text_format=text_format, answer_text=payload, feedback=payload)

    question = parse_moodle_xml(content, "bank.xml", **QUIZ).questions[0]
    texts = [question.stem, question.explanation, question.learning_point] + [
        field for option in question.options for field in (option.text, option.rationale)
    ]

    assert not any("<script" in text.lower() for text in texts), texts
    assert all("Which?" in text for text in (question.stem, question.explanation))


@pytest.mark.parametrize("text_format", ["html", "markdown"])
def test_an_image_that_is_not_in_the_file_is_a_named_warning_and_its_alt_text_stays_out_of_the_stem(text_format):
    content = one_question("<![CDATA[What is<img src=x onerror=alert(1) alt=film>shown?]]>", text_format=text_format)

    question = parse_moodle_xml(content, "bank.xml", **QUIZ).questions[0]

    assert question.stem == "What is shown?"
    assert question.image_data is None
    assert question.warnings == [
        "image 'x' is not in the file: add it in the admin",
        "image 'x' in option 2's feedback dropped: only the question text's image is imported",
        "image 'x' in the general feedback dropped: only the question text's image is imported",
    ]


def test_html_question_text_becomes_markdown_without_tags():
    html = (
        "<h3>Case</h3><p>A <b>68-year-old</b> has <em>many</em> nodules &amp; a cough.<br>"
        'See <a href="https://example.org/guide">the guide</a> or <a href="javascript:alert(1)">this</a>.</p>'
        "<ol><li>First</li><li>Second</li></ol><p># not a heading, 5*3</p><style>p {color: red}</style>"
    )

    assert html_to_markdown(html) == (
        "**Case**\n\nA **68-year-old** has *many* nodules & a cough.\n"
        "See [the guide](https://example.org/guide) or this.\n\n1. First\n2. Second\n\n\\# not a heading, 5\\*3"
    )


def test_an_explanation_without_a_marked_learning_point_gives_its_first_sentence():
    pack = parse_moodle_xml(one_question("Which one, e.g. this? Or that."), "bank.xml", **QUIZ)

    assert pack.questions[0].learning_point == "Which one, e.g. this?"


@pytest.mark.django_db
def test_export_grades_single_multiple_and_true_false_answers():
    quiz = make_quiz(questions=1)
    make_question(
        quiz=quiz,
        order=2,
        kind=Question.Kind.MULTIPLE,
        options=[("A", True), ("B", True), ("C", False), ("D", False), ("E", False), ("F", False)],
    )
    make_question(quiz=quiz, order=3, kind=Question.Kind.TRUE_FALSE, options=[("True", False), ("False", True)])

    root = ET.fromstring(export_moodle_xml(quiz))
    questions = root.findall("question")

    assert [question.get("type") for question in questions] == ["category", "multichoice", "multichoice", "truefalse"]
    assert [q.findtext("single") for q in questions[1:3]] == ["true", "false"]
    grades = [[answer.get("fraction") for answer in question.findall("answer")] for question in questions[1:]]
    # Multiple select: the site's partial credit, each wrong pick cancelling a right one.
    assert grades == [["100", "0", "0", "0"], ["50", "50", "-50", "-50", "-50", "-50"], ["0", "100"]]
    assert [answer.findtext("text") for answer in questions[3].findall("answer")] == ["true", "false"]


@pytest.mark.django_db
def test_export_escapes_markup_so_the_file_stays_well_formed_xml():
    quiz = make_quiz(questions=0, title="Nodules & masses / <draft>")
    make_question(quiz=quiz, stem="Is 3 < 5 & 7 > 2? ]]> <b>bold</b>", options=[("<i>yes</i>", True), ("no", False)])

    root = ET.fromstring(export_moodle_xml(quiz))

    assert root.find("question/category/text").text.endswith("/Nodules & masses // <draft>")
    assert root.find("question[@type='multichoice']/questiontext/text").text == "Is 3 < 5 & 7 > 2? ]]> <b>bold</b>"


@pytest.mark.django_db
def test_export_puts_a_case_stage_before_the_stem_and_the_learning_point_and_citation_in_the_general_feedback():
    quiz = make_quiz(questions=0, kind="case")
    saved = make_question(quiz=quiz, stage="A 60-year-old smoker.", stem="What next?", learning_point="Look again.")
    citation = saved.sources.get().citation

    question = ET.fromstring(export_moodle_xml(quiz)).find("question[@type='multichoice']")
    pack = parse_moodle_xml(export_moodle_xml(quiz), "again.xml", **QUIZ)

    assert question.findtext("questiontext/text") == "A 60-year-old smoker.\n\nWhat next?"
    assert question.findtext("generalfeedback/text") == (
        f"Explanation of question 1.\n\n**Learning point:** Look again.\n\n**Source:** {citation}"
    )
    # Read back, the explanation and learning point are as they were, and the citation a warning.
    imported = pack.questions[0]
    assert (imported.explanation, imported.learning_point) == ("Explanation of question 1.", "Look again.")
    assert f"the sources named in the general feedback ({citation}) are not linked: link them in the admin" in (
        imported.warnings
    )


@pytest.mark.django_db
def test_export_tells_moodle_to_shuffle_and_carries_the_idnumber_and_tags_back():
    quiz = make_quiz(questions=1)
    question = quiz.questions.get()
    question.idnumber = "CHEST-042"
    question.save()
    question.tags.create(name="Chest", slug="chest")

    element = ET.fromstring(export_moodle_xml(quiz)).find("question[@type='multichoice']")
    pack = parse_moodle_xml(export_moodle_xml(quiz), "again.xml", **QUIZ)

    assert element.findtext("shuffleanswers") == "1"
    assert (pack.questions[0].idnumber, pack.questions[0].tags) == ("CHEST-042", ["Chest"])


def moodle_share(grades, chosen) -> Fraction:
    """What Moodle gives a multiple-select answer: the chosen grades (as it stores them, to 7
    decimals) added up, within 0 and full marks."""
    total = sum((Fraction(Decimal(percent(grades[index])) / 100) for index in chosen), Fraction(0))
    return min(max(total, Fraction(0)), Fraction(1))


@pytest.mark.parametrize("right_options", range(1, 11))
@pytest.mark.parametrize("wrong_options", range(5))
def test_default_multiple_select_grades_score_in_moodle_as_the_site_scores(right_options, wrong_options):
    grades = moodle_fractions(MULTIPLE, [(True, None)] * right_options + [(False, None)] * wrong_options)

    assert all(grade in MOODLE_GRADES for grade in grades)
    for right_chosen, wrong_chosen in itertools.product(range(right_options + 1), range(wrong_options + 1)):
        chosen = [*range(right_chosen), *range(right_options, right_options + wrong_chosen)]
        assert weighted(moodle_share(grades, chosen)).points == partial_credit(
            right_chosen=right_chosen, wrong_chosen=wrong_chosen, right_options=right_options
        )


def test_single_answer_and_true_false_default_grades_are_all_or_nothing():
    for kind in (SINGLE, TRUE_FALSE):
        assert moodle_fractions(kind, [(False, None), (True, None), (False, None)]) == [0, 1, 0]


def test_weights_are_written_as_given_when_moodle_has_the_grade_else_as_its_nearest_grade():
    given = [(True, Decimal("1")), (False, Decimal("0.3333333")), (False, Decimal("-0.1428571")), (False, None)]

    assert moodle_fractions(SINGLE, given) == [1, Fraction(1, 3), Fraction(-1, 7), 0]
    assert [percent(grade) for grade in moodle_fractions(SINGLE, given)] == ["100", "33.33333", "-14.28571", "0"]
    assert moodle_fractions(MULTIPLE, [(True, Decimal("0.35")), (False, Decimal("-0.97"))]) == [
        Fraction(1, 3),
        Fraction(-1),
    ]
    # More right options than Moodle has a grade for (1/11): the nearest one it has.
    assert set(moodle_fractions(MULTIPLE, [(True, None)] * 11)) == {Fraction(1, 10)}


@pytest.mark.django_db
def test_export_writes_weights_and_embeds_the_image_shown_with_its_alt_text():
    quiz = make_quiz(questions=0)
    question = make_question(
        quiz=quiz, kind=Question.Kind.MULTIPLE, options=[("A", True), ("B", True), ("C", False)], stem="Which?"
    )
    weights_set(question, ["0.5", "0.5", "-1"])
    with committed():
        question_image_set(question=question, data=png_bytes(), name="film one.png", alt='A "grey" film & more')
    question.refresh_from_db()
    name = PurePath(question.image.name).name

    element = ET.fromstring(export_moodle_xml(quiz)).find("question[@type='multichoice']")
    imported = parse_moodle_xml(export_moodle_xml(quiz), "again.xml", **QUIZ).questions[0]

    assert [answer.get("fraction") for answer in element.findall("answer")] == ["50", "50", "-100"]
    text = element.findtext("questiontext/text")
    assert text.startswith(f'<img src="@@PLUGINFILE@@/{quote(name)}" alt="A &quot;grey&quot; film &amp; more">\n\n')
    file = element.find("questiontext/file")
    assert (file.get("name"), file.get("path"), file.get("encoding")) == (name, "/", "base64")
    with question.image.open("rb") as stored:
        assert base64.b64decode(file.text) == stored.read()
    assert (imported.stem, imported.image_alt, imported.image_file) == ("Which?", 'A "grey" film & more', name)
    assert [option.weight for option in imported.options] == [Decimal("0.5"), Decimal("0.5"), Decimal("-1")]
