"""Writing a quiz out as Moodle XML, which moodle_reader reads back as the same questions.

Moodle has no field for some of what a quiz holds, so the writer puts it where a Moodle user still
sees it (see export_moodle_xml). The grades and category path are Moodle's, so the GIFT writer
(Moodle's plain-text format) uses them too.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from quizzes.bank.text import join_general_feedback, question_text_with_stage
from quizzes.rules import MULTIPLE, TRUE_FALSE

if TYPE_CHECKING:
    from quizzes.models import Quiz


def answer_fractions(kind: str, correct: list[bool]) -> list[str]:
    """Moodle grade percentages for each option, right ones first-class and wrong ones penalised.

    single and true/false: 100 for the right option, 0 for the others. multiple: the right options
    share 100 and the wrong ones share -100, so ticking everything scores 0. Moodle accepts only
    its own grade steps (100/n for n up to 10, among others), which covers up to ten of each.
    """
    if kind != MULTIPLE:
        return ["100" if is_correct else "0" for is_correct in correct]
    right = sum(correct)
    wrong = len(correct) - right
    return [percent(100 / right) if is_correct else percent(-100 / wrong) for is_correct in correct]


def percent(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def category_path(quiz: Quiz) -> str:
    """The quiz's Moodle question category: topic, then quiz title."""
    # Moodle separates categories with "/" and reads "//" as a slash within a name.
    return "$course$/top/" + "/".join(name.replace("/", "//") for name in (quiz.topic.name, quiz.title))


def export_moodle_xml(quiz: Quiz) -> str:
    """The quiz as Moodle XML: a category named after topic and quiz, then one question per question.

    Written in Moodle's markdown format (option texts as plain_text), so importing it back here
    gives the same stems, options, rationales and explanations. Moodle has no learning point, so it
    ends the general feedback as "**Learning point:** ..." (which parse_moodle_xml reads back); a
    case stage goes before the stem; sources and images are not written. Hotspot questions are left
    out, with a comment in their place saying so.
    """
    root = ET.Element("quiz")
    category = ET.SubElement(root, "question", type="category")
    set_text(ET.SubElement(category, "category"), category_path(quiz))
    set_text(ET.SubElement(category, "info", format="markdown"), quiz.description)
    for question in quiz.questions.in_quiz_order().prefetch_related("choices", "tags"):
        if question.is_hotspot:
            # This site's hotspot questions have no Moodle XML equivalent it could write and read back.
            root.append(
                ET.Comment(
                    f" Left out: {question.key!r} is a hotspot (click on the image) question, "
                    "which Moodle XML export does not support; export a quiz pack to keep it. "
                )
            )
            continue
        is_true_false = question.kind == TRUE_FALSE
        element = ET.SubElement(root, "question", type="truefalse" if is_true_false else "multichoice")
        set_text(ET.SubElement(element, "name"), question.key)
        set_text(
            ET.SubElement(element, "questiontext", format="markdown"),
            question_text_with_stage(question.stage, question.stem),
        )
        set_text(
            ET.SubElement(element, "generalfeedback", format="markdown"),
            join_general_feedback(question.explanation, question.learning_point),
        )
        ET.SubElement(element, "defaultgrade").text = "1.0000000"
        ET.SubElement(element, "penalty").text = "1.0000000" if is_true_false else "0.3333333"
        ET.SubElement(element, "hidden").text = "0"
        ET.SubElement(element, "idnumber").text = question.idnumber
        if not is_true_false:
            ET.SubElement(element, "single").text = "false" if question.kind == MULTIPLE else "true"
            # Moodle shows answers in the stored order unless told to shuffle, and the stored order
            # (right answer first, often) would give the answer away.
            ET.SubElement(element, "shuffleanswers").text = "1"
            ET.SubElement(element, "answernumbering").text = "abc"
        choices = list(question.choices.all())
        for choice, grade in zip(
            choices, answer_fractions(question.kind, [c.is_correct for c in choices]), strict=False
        ):
            answer = ET.SubElement(
                element, "answer", fraction=grade, format="moodle_auto_format" if is_true_false else "plain_text"
            )
            set_text(answer, choice.text.strip().lower() if is_true_false else choice.text)
            set_text(ET.SubElement(answer, "feedback", format="markdown"), choice.rationale)
        tags = [tag.name for tag in question.tags.all()]
        if tags:
            tags_element = ET.SubElement(element, "tags")
            for name in tags:
                set_text(ET.SubElement(tags_element, "tag"), name)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def set_text(parent: ET.Element, text: str) -> None:
    ET.SubElement(parent, "text").text = text.strip().replace("\r\n", "\n")
