"""Writing a quiz out as Moodle XML, which Moodle imports and moodle_reader reads back as the same questions.

Moodle has no field for some of what a quiz holds, so the writer puts it where a Moodle user still
sees it (see export_moodle_xml). The grades and category path are Moodle's, so the GIFT writer
(Moodle's plain-text format) uses them too.
"""

from __future__ import annotations

import base64
import html
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import PurePath
from typing import TYPE_CHECKING
from urllib.parse import quote

from quizzes.bank.embedded import PLUGINFILE
from quizzes.bank.text import join_general_feedback, question_text_with_stage
from quizzes.models import Question
from quizzes.rules import MULTIPLE, TRUE_FALSE

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

    from quizzes.models import Choice, MatchStem, Quiz

Kind = Question.Kind
# What the Moodle XML and GIFT writers read of each question.
EXPORTED_RELATIONS = ("choices", "tags", "sources", "accepted_answers", "match_stems__answer")

# The grades Moodle accepts for an answer (question_bank::fraction_options_full): p/q for q up to 6,
# tenths, 1/q for q up to 10 and 1/20, each also negative. Moodle's import refuses a question with
# any other grade unless the importer asks for the nearest one, so the writers write only these.
POSITIVE_GRADES = (
    {Fraction(p, q) for q in range(1, 7) for p in range(q + 1)}
    | {Fraction(p, 10) for p in range(11)}
    | {Fraction(1, q) for q in range(1, 11)}
    | {Fraction(1, 20)}
)
MOODLE_GRADES = sorted(POSITIVE_GRADES | {-grade for grade in POSITIVE_GRADES})


def moodle_grade(weight: Fraction) -> Fraction:
    """The Moodle grade nearest a weight (the weight itself when Moodle has it, to its 7 decimals)."""
    return min(MOODLE_GRADES, key=lambda grade: abs(grade - weight))


def moodle_fractions(kind: str, options: Sequence[tuple[bool, Decimal | None]]) -> list[Fraction]:
    """Each option's grade in Moodle, from (is right, weight) of the question's offered options.

    Options with weights keep them (an option without one weighs 0, as quizzes.scoring reads them).
    Without weights, the site's default rule as Moodle grades: single answer and true/false 100% for
    the right option, 0 for the others; multiple select 100% / R for each of the R right options and
    -100% / R for each wrong one, so that each wrong pick cancels a right one, as
    scoring.partial_credit scores it. Moodle has that grade for up to 10 right options; with more,
    the nearest grade it has.
    """
    if any(weight is not None for _right, weight in options):
        weights = [Fraction(weight or 0) for _right, weight in options]
    elif kind != MULTIPLE:
        weights = [Fraction(int(right)) for right, _weight in options]
    else:
        right_options = sum(right for right, _weight in options) or 1
        weights = [Fraction(1 if right else -1, right_options) for right, _weight in options]
    return [moodle_grade(weight) for weight in weights]


def percent(grade: Fraction) -> str:
    """A grade as Moodle writes a fraction: a percentage to 5 decimals, trailing zeros dropped."""
    return f"{float(grade * 100):.5f}".rstrip("0").rstrip(".")


def category_path(quiz: Quiz) -> str:
    """The quiz's Moodle question category: topic, then quiz title."""
    # Moodle separates categories with "/" and reads "//" as a slash within a name.
    return "$course$/top/" + "/".join(name.replace("/", "//") for name in (quiz.topic.name, quiz.title))


def citations(question: Question) -> list[str]:
    return [source.citation for source in question.sources.all()]


def export_moodle_xml(quiz: Quiz) -> str:
    """The quiz as Moodle XML: a category named after topic and quiz, then one question per question.

    Written in Moodle's markdown format (option texts as plain_text), so importing it back here
    gives the same stems, options, rationales and explanations. Each option's fraction is its weight,
    or the site's default rule in Moodle's grades (see moodle_fractions); Moodle shuffles the options.
    Tags and the ID number are Moodle's own fields. The question's image is embedded as a base64
    <file>, shown by an <img> with its alt text before the question text (a matching stem's before the
    stem's text). Short-answer questions are `shortanswer` (see short_answer_elements) and matching
    ones `match` (see matching_elements). Moodle has no learning
    point, sources or case stage: the general feedback ends with "**Learning point:** ..." and
    "**Source:** <citation>" (which parse_moodle_xml reads back), and a case stage goes before the
    stem. Hotspot questions are left out, with a comment in their place saying so.
    """
    root = ET.Element("quiz")
    category = ET.SubElement(root, "question", type="category")
    set_text(ET.SubElement(category, "category"), category_path(quiz))
    set_text(ET.SubElement(category, "info", format="markdown"), quiz.description)
    for question in quiz.questions.in_quiz_order().prefetch_related(*EXPORTED_RELATIONS):
        if question.is_hotspot:
            # This site's hotspot questions have no Moodle XML equivalent it could write and read back.
            root.append(
                ET.Comment(
                    f" Left out: {question.key!r} is a hotspot (click on the image) question, "
                    "which Moodle XML export does not support; export a quiz pack to keep it. "
                )
            )
            continue
        root.append(question_element(question))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# Each kind of question as the Moodle type that holds it.
MOODLE_TYPES = {
    Kind.SINGLE: "multichoice",
    Kind.MULTIPLE: "multichoice",
    Kind.TRUE_FALSE: "truefalse",
    Kind.SHORT_ANSWER: "shortanswer",
    Kind.MATCHING: "match",
}


def question_element(question: Question) -> ET.Element:
    is_true_false = question.kind == TRUE_FALSE
    element = ET.Element("question", type=MOODLE_TYPES[question.kind])
    set_text(ET.SubElement(element, "name"), question.key)
    question_text = ET.SubElement(element, "questiontext", format="markdown")
    text_with_image(
        question_text, question_text_with_stage(question.stage, question.stem), question.image, question.image_alt
    )
    set_text(
        ET.SubElement(element, "generalfeedback", format="markdown"),
        join_general_feedback(question.explanation, question.learning_point, citations(question)),
    )
    ET.SubElement(element, "defaultgrade").text = "1.0000000"
    ET.SubElement(element, "penalty").text = "1.0000000" if is_true_false else "0.3333333"
    ET.SubElement(element, "hidden").text = "0"
    ET.SubElement(element, "idnumber").text = question.idnumber
    if question.kind == Kind.SHORT_ANSWER:
        short_answer_elements(element, question)
    elif question.kind == Kind.MATCHING:
        matching_elements(element, question)
    else:
        choice_elements(element, question)
    tags = [tag.name for tag in question.tags.all()]
    if tags:
        tags_element = ET.SubElement(element, "tags")
        for name in tags:
            set_text(ET.SubElement(tags_element, "tag"), name)
    return element


def text_with_image(parent: ET.Element, text: str, image: FieldFile, alt: str) -> None:
    """The text in `parent`, after an <img> of the image (if any), which is embedded as a base64 <file>."""
    if not image:
        set_text(parent, text)
        return
    name = PurePath(image.name).name
    # Moodle shows an embedded file where the text names it as @@PLUGINFILE@@/<url-encoded name>.
    shown = f'<img src="{PLUGINFILE}{quote(name)}" alt="{html.escape(alt, quote=True)}">'
    set_text(parent, f"{shown}\n\n{text}")
    with image.open("rb") as file:
        data = file.read()
    ET.SubElement(parent, "file", name=name, path="/", encoding="base64").text = base64.b64encode(data).decode("ascii")


def choice_elements(element: ET.Element, question: Question) -> None:
    is_true_false = question.kind == TRUE_FALSE
    if not is_true_false:
        ET.SubElement(element, "single").text = "false" if question.kind == MULTIPLE else "true"
        # Moodle shows answers in the stored order unless told to shuffle, and the stored order
        # (right answer first, often) would give the answer away.
        ET.SubElement(element, "shuffleanswers").text = "1"
        ET.SubElement(element, "answernumbering").text = "abc"
    choices = [choice for choice in question.choices.all() if not choice.retired]
    grades = moodle_fractions(question.kind, [(choice.is_correct, choice.weight) for choice in choices])
    for choice, grade in zip(choices, grades, strict=True):
        answer = ET.SubElement(
            element,
            "answer",
            fraction=percent(grade),
            format="moodle_auto_format" if is_true_false else "plain_text",
        )
        set_text(answer, choice.text.strip().lower() if is_true_false else choice.text)
        set_text(ET.SubElement(answer, "feedback", format="markdown"), choice.rationale)


def short_answer_elements(element: ET.Element, question: Question) -> None:
    """Moodle's <usecase> and an <answer> per accepted answer, its weight as the nearest Moodle grade.
    Moodle has no word for forgiving typing slips: it marks them wrong."""
    ET.SubElement(element, "usecase").text = "1" if question.case_sensitive else "0"
    for accepted in question.accepted_answers.all():
        answer = ET.SubElement(
            element, "answer", fraction=percent(moodle_grade(Fraction(accepted.weight))), format="moodle_auto_format"
        )
        set_text(answer, accepted.text)
        set_text(ET.SubElement(answer, "feedback", format="markdown"), accepted.feedback)


def matching_elements(element: ET.Element, question: Question) -> None:
    """A <subquestion> per stem (its image embedded in it) answered by its option's text, and one
    without text per option that answers no stem (Moodle's extra wrong answers), in the order
    matching_order gives. Moodle's matching questions have no feedback per option, so options'
    rationales stay behind."""
    ET.SubElement(element, "shuffleanswers").text = "1"
    before, stems, after = matching_order(question)
    for choice in before:
        extra_option_element(element, choice)
    for stem in stems:
        subquestion = ET.SubElement(element, "subquestion", format="markdown")
        text_with_image(subquestion, stem.text, stem.image, stem.image_alt)
        set_text(ET.SubElement(subquestion, "answer"), stem.answer.text)
    for choice in after:
        extra_option_element(element, choice)


def extra_option_element(element: ET.Element, choice: Choice) -> None:
    subquestion = ET.SubElement(element, "subquestion", format="markdown")
    set_text(subquestion, "")
    set_text(ET.SubElement(subquestion, "answer"), choice.text)


def matching_order(question: Question) -> tuple[list[Choice], list[MatchStem], list[Choice]]:
    """(options to write before the stems, the stems, options to write after them) for Moodle XML and GIFT.

    Moodle lists a matching question's options in the order their texts first appear among its
    subquestions, stems and extra wrong answers alike. When the stems name the options in the
    question's own order, the options that answer no stem follow the stems; otherwise every option is
    written first, as an extra wrong answer, so the order survives (Moodle counts a text once).
    """
    stems = list(question.match_stems.all())
    offered = [choice for choice in question.choices.all() if not choice.retired]
    named = list(dict.fromkeys(stem.answer_id for stem in stems))
    if [choice.pk for choice in offered[: len(named)]] == named:
        return [], stems, [choice for choice in offered if choice.pk not in named]
    return offered, stems, []


def set_text(parent: ET.Element, text: str) -> None:
    ET.SubElement(parent, "text").text = text.strip().replace("\r\n", "\n")
