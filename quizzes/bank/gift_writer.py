"""Writing a quiz out as GIFT, which gift_reader reads back as the same questions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quizzes.bank.gift_reader import ESCAPABLE
from quizzes.bank.moodle_writer import answer_fractions, category_path
from quizzes.bank.text import join_general_feedback, question_text_with_stage
from quizzes.rules import MULTIPLE, TRUE_FALSE

if TYPE_CHECKING:
    from quizzes.models import Quiz


def gift_escape(text: str) -> str:
    """Text as GIFT writes it: special characters escaped, line breaks as \\n, on one line."""
    text = text.strip().replace("\r\n", "\n").replace("\\", "\\\\")
    for char in ESCAPABLE:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def export_gift(quiz: Quiz) -> str:
    """The quiz as GIFT: a category named after topic and quiz, then one question per question.

    Every question is titled with its key and written in [markdown], with its text on one line
    (line breaks as \\n), so importing it back gives the same keys, stems, options, rationales and
    explanations. GIFT has no learning point, so it ends the general feedback as
    "**Learning point:** ..." (which parse_gift reads back); a case stage goes before the stem;
    sources and images are not written. Multiple-select weights follow export_moodle_xml's
    (right options share 100%, wrong ones share -100%). Hotspot questions are left out, with a
    comment in their place saying so.
    """
    lines = [
        f"// {quiz.title} ({quiz.slug}), exported from the quiz site.",
        "// Question titles are the question keys; keep them to update the same questions on re-import.",
        "",
        f"$CATEGORY: {category_path(quiz)}",
        "",
    ]
    for question in quiz.questions.in_quiz_order().prefetch_related("choices"):
        if question.is_hotspot:
            lines.extend(
                [
                    f"// Left out: {question.key!r} is a hotspot (click on the image) question, which GIFT "
                    "cannot hold; export a quiz pack to keep it.",
                    "",
                ]
            )
            continue
        choices = list(question.choices.all())
        lines.append(
            f"::{gift_escape(question.key)}::[markdown]{gift_escape(question_text_with_stage(question.stage, question.stem))} {{"
        )
        if question.kind == TRUE_FALSE:
            right = next((choice for choice in choices if choice.is_correct), None)
            wrong = next((choice for choice in choices if not choice.is_correct), None)
            value = "TRUE" if right is not None and right.text.strip().lower() == "true" else "FALSE"
            lines.append(
                f"{value}#{gift_escape(wrong.rationale if wrong else '')}"
                f"#{gift_escape(right.rationale if right else '')}"
            )
        else:
            grades = answer_fractions(question.kind, [choice.is_correct for choice in choices])
            for choice, grade in zip(choices, grades, strict=False):
                if question.kind == MULTIPLE:
                    marker = f"~%{grade}%"
                else:
                    marker = "=" if choice.is_correct else "~"
                lines.append(f"{marker}{gift_escape(choice.text)}#{gift_escape(choice.rationale)}")
        lines.append(f"####{gift_escape(join_general_feedback(question.explanation, question.learning_point))}")
        lines.extend(["}", ""])
    return "\n".join(lines)
