"""Writing a quiz out as GIFT, which Moodle imports and gift_reader reads back as the same questions."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from quizzes.bank.gift_reader import ESCAPABLE
from quizzes.bank.moodle_writer import (
    EXPORTED_RELATIONS,
    Kind,
    category_path,
    citations,
    matching_order,
    moodle_fractions,
    moodle_grade,
    percent,
)
from quizzes.bank.text import join_general_feedback, question_text_with_stage
from quizzes.rules import MULTIPLE, TRUE_FALSE

if TYPE_CHECKING:
    from quizzes.models import Choice, Question, Quiz


def gift_escape(text: str) -> str:
    """Text as GIFT writes it: special characters escaped, line breaks as \\n, on one line."""
    text = text.strip().replace("\r\n", "\n").replace("\\", "\\\\")
    for char in ESCAPABLE:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def markdown(text: str) -> str:
    return "[markdown]" + gift_escape(text)


def export_gift(quiz: Quiz) -> str:
    """The quiz as GIFT: a category named after topic and quiz, then one question per question.

    Every question is titled with its key, with its text on one line (line breaks as \\n); every
    text carries its format, [markdown] (option texts [plain], as the site shows them), so Moodle
    and parse_gift read it as written. A comment line before a question gives its ID number and
    tags as Moodle writes them (`// [id:...] [tag:...]`). GIFT has no learning point or sources:
    the general feedback ends with "**Learning point:** ..." and "**Source:** <citation>" (which
    parse_gift reads back), and a case stage goes before the stem. Weights are written as `%n%`
    where they differ from plain right and wrong (see gift_answers).

    Short-answer questions are `{=answer#feedback =%50%partial answer#feedback}` and matching ones
    `{=stem -> option = -> extra option}` (see gift_answers). GIFT cannot say that a short answer is
    case sensitive (Moodle then ignores case): a comment says so.

    Images (a question's or a matching stem's) are left out, and the file says so: GIFT carries no
    files, and Moodle removes a data: image from the HTML it shows, so an image written into the text
    would reach no one. Hotspot questions are left out too, with a comment in their place.
    """
    lines = [
        f"// {quiz.title} ({quiz.slug}), exported from the quiz site.",
        "// Question titles are the question keys; keep them to update the same questions on re-import.",
        "// Images are not in this file (GIFT cannot carry them); export Moodle XML to keep them.",
        "",
        f"$CATEGORY: {category_path(quiz)}",
        "",
    ]
    for question in quiz.questions.in_quiz_order().prefetch_related(*EXPORTED_RELATIONS):
        if question.is_hotspot:
            lines.extend(
                [
                    f"// Left out: {question.key!r} is a hotspot (click on the image) question, which GIFT "
                    "cannot hold; export a quiz pack to keep it.",
                    "",
                ]
            )
            continue
        if question.image:
            lines.append(f"// Image left out: {' '.join(question.image_alt.split()) or 'the question image'}")
        lines.extend(
            f"// Image of stem {number} left out: {' '.join(stem.image_alt.split())}"
            for number, stem in enumerate(question.match_stems.all(), start=1)
            if stem.image
        )
        if question.kind == Kind.SHORT_ANSWER and question.case_sensitive:
            lines.append("// Case sensitive on the site: GIFT cannot say so, and Moodle will ignore case.")
        if identity := comment_identity(question):
            lines.append(f"// {identity}")
        lines.append(
            f"::{gift_escape(question.key)}::{markdown(question_text_with_stage(question.stage, question.stem))} {{"
        )
        lines.extend(gift_answers(question, [choice for choice in question.choices.all() if not choice.retired]))
        feedback = join_general_feedback(question.explanation, question.learning_point, citations(question))
        lines.append(f"####{markdown(feedback)}")
        lines.extend(["}", ""])
    return "\n".join(lines)


def comment_identity(question: Question) -> str:
    """The ID number and tags as Moodle's GIFT writes them in a comment, with "]" escaped."""
    values = [("id", question.idnumber)] if question.idnumber else []
    values += [("tag", tag.name) for tag in question.tags.all()]
    return " ".join(f"[{name}:{bracket_escaped(value)}]" for name, value in values)


def bracket_escaped(value: str) -> str:
    return value.replace("]", "\\]")


def gift_answers(question: Question, choices: list[Choice]) -> list[str]:
    """The answer lines: `=right`, `~wrong`, and `~%n%option` where a weight is not plain right or wrong;
    a short answer's `=answer` and `=%n%answer`; a matching question's pairs (see matching_lines).

    True/false is `TRUE` or `FALSE` with the wrong answer's feedback, then the right one's. A
    multiple-select question always has weights (GIFT makes answers without any `=` a multiple-select
    question, in which an unweighted answer is worth nothing); a single-answer one only when an
    option's weight is not 100% for the right option and 0 for the others. Weights are Moodle's
    grades (see moodle_fractions), as Moodle's GIFT import accepts only those.
    """
    if question.kind == Kind.SHORT_ANSWER:
        return [
            f"={'' if answer.weight == 1 else f'%{percent(moodle_grade(Fraction(answer.weight)))}%'}"
            f"[plain]{gift_escape(answer.text)}#{markdown(answer.feedback)}"
            for answer in question.accepted_answers.all()
        ]
    if question.kind == Kind.MATCHING:
        return matching_lines(question)
    if question.kind == TRUE_FALSE:
        right = next((choice for choice in choices if choice.is_correct), None)
        wrong = next((choice for choice in choices if not choice.is_correct), None)
        value = "TRUE" if right is not None and right.text.strip().lower() == "true" else "FALSE"
        return [f"{value}#{markdown(wrong.rationale if wrong else '')}#{markdown(right.rationale if right else '')}"]
    grades = moodle_fractions(question.kind, [(choice.is_correct, choice.weight) for choice in choices])
    plain = question.kind != MULTIPLE and all(
        grade == (1 if choice.is_correct else 0) for choice, grade in zip(choices, grades, strict=True)
    )
    lines = []
    for choice, grade in zip(choices, grades, strict=True):
        if plain or (question.kind != MULTIPLE and choice.is_correct and grade == 1):
            marker = "=" if choice.is_correct else "~"
        else:
            marker = f"~%{percent(grade)}%" if grade else "~"
        lines.append(f"{marker}[plain]{gift_escape(choice.text)}#{markdown(choice.rationale)}")
    return lines


def matching_lines(question: Question) -> list[str]:
    """`=stem -> option` for each stem and `= -> option` for an option answering none, in the order
    moodle_writer.matching_order gives.

    An option is written as Moodle reads it, with no format marker. GIFT has no escape for "->", so a
    stem's "->" is written "-\\>" (Markdown's escaped ">", which shows as the same arrow).
    """
    before, stems, after = matching_order(question)
    pairs = [f"={markdown(stem.text).replace('->', '-\\>')} -> {gift_escape(stem.answer.text)}" for stem in stems]
    return (
        [f"= -> {gift_escape(choice.text)}" for choice in before]
        + pairs
        + [f"= -> {gift_escape(choice.text)}" for choice in after]
    )
