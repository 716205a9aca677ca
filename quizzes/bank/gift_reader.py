"""GIFT question banks (Moodle's plain-text format) read into a PackQuiz, question by question.

The reader follows Moodle's own GIFT reader where it matters: questions are separated by blank
lines, `//` starts a comment line, `{...}` holds the answers, `\\` escapes `: ~ = # { }`, `\\n` is a
line break, and `####` starts the general feedback.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Unpack

from quizzes.bank.quizpack import PackOption, PackQuestion, PackQuiz, PackSource, pack_question_problems
from quizzes.bank.reading import (
    ImportedQuiz,
    QuestionRead,
    feedback_messages,
    imported_source,
    question_key,
    quiz_from_reads,
)
from quizzes.bank.text import (
    html_to_markdown,
    html_to_plain,
    markdown_clean,
    markdown_escape,
    split_general_feedback,
    text_clean,
)
from quizzes.rules import MULTIPLE, SINGLE, TRUE_FALSE

ESCAPABLE = ":~=#{}"
# Escaped characters are swapped for private-use code points while the question is taken apart,
# so an escaped "~" or "#" can never be read as syntax; they are swapped back in each piece.
PROTECTED = {char: chr(0xE000 + index) for index, char in enumerate(ESCAPABLE + "\\")}
RESTORED = {code: char for char, code in PROTECTED.items()}
TITLE = re.compile(r"\s*::(.*?)::", re.DOTALL)
TEXT_FORMAT = re.compile(r"\s*\[(html|moodle|plain|markdown)\]")
WEIGHT = re.compile(r"\s*%([^%]*)%")
TRUE_FALSE_ANSWERS = {"T": True, "TRUE": True, "F": False, "FALSE": False}
EXCERPT_LENGTH = 40


@dataclass
class Block:
    """One question's lines as written, and the line it starts on."""

    line: int
    text: str


def parse_gift(
    content: str,
    file: str,
    *,
    source: PackSource | None = None,
    **quiz: Unpack[ImportedQuiz],
) -> PackQuiz:
    """Parse and validate a GIFT file; raise BankInvalid listing every problem found.

    Multiple choice and true/false questions are read; any other GIFT type (short answer,
    matching, numerical, essay, description) is a problem, so nothing disappears silently.

    - `{=right ~wrong}` is a single-best-answer question. Answers with weights and no `=`
      (`{~%50%right ~%50%right ~%-100%wrong}`) are a multiple-select question, and an answer with
      a weight above 0 is right. `{T}`, `{TRUE}`, `{F}` and `{FALSE}` are true/false questions.
    - Text after an answer's `#` is that option's rationale; in true/false, `{T#wrong#right}` gives
      the rationale of the wrong option, then of the right one. Every option must have one, so an
      answer without `#feedback` is the problem "option N has no rationale".
    - Text after `####` is the explanation. Its last paragraph, if it starts with
      "**Learning point:**" (as export_gift writes it), is the learning point; otherwise the
      learning point is its first sentence.
    - `::Title::` slugified is the question key (repeats get -2, -3, ...), else the stem's first
      words; problems name the question by its title (or the start of its stem) and the line it
      starts on. Text after the answers makes the answers a blank ("_____") within the stem.
    - `[html]` text becomes Markdown with every tag stripped (script and style with their
      content); `[plain]` is escaped to show as written; `[markdown]`, `[moodle]` and unmarked text
      keep their Markdown but lose raw HTML tags. Option texts are shown as plain text.
    - `$CATEGORY:` lines are ignored. GIFT has no sources, so every question cites `source`, by
      default one named after the file.
    """
    source = source or imported_source(
        file=file, key_prefix="gift-import", slug=quiz["slug"], publisher="Imported from GIFT"
    )
    return quiz_from_reads(
        list(read_questions(content, source_key=source.key)),
        file=file,
        source=source,
        **quiz,
    )


def read_questions(content: str, *, source_key: str) -> Iterator[QuestionRead]:
    """Each block of the file as the question it makes or why it cannot be one."""
    taken: set[str] = set()
    for index, block in enumerate(gift_blocks(content), start=1):
        question, label, messages = read_block(block, index, taken, source_key)
        if question is not None:
            messages = messages + feedback_messages(
                pack_question_problems(question, quiz_kind="standard", source_keys={source_key}),
                question,
                where="general feedback (after ####)",
            )
        yield QuestionRead(label, block.line, question, messages)


def gift_blocks(content: str) -> list[Block]:
    """The file's questions: runs of lines between blank lines, without comments and categories."""
    blocks: list[Block] = []
    lines: list[str] = []
    start = 0
    for number, line in enumerate(content.lstrip("\ufeff").splitlines() + [""], start=1):
        stripped = line.strip()
        if not stripped:
            if lines:
                blocks.append(Block(start, "\n".join(lines)))
            lines = []
        elif not stripped.startswith("//") and not stripped.startswith("$CATEGORY:"):
            if not lines:
                start = number
            lines.append(line.rstrip())
    return blocks


def protect(text: str) -> str:
    """Swap escaped characters for placeholders and `\\n` for a line break."""
    result, position = [], 0
    while position < len(text):
        char = text[position]
        following = text[position + 1 : position + 2]
        if char == "\\" and following in PROTECTED:
            result.append(PROTECTED[following])
            position += 2
        elif char == "\\" and following == "n":
            result.append("\n")
            position += 2
        else:
            # Any other backslash is kept, so Markdown escapes such as "\*" reach Markdown.
            result.append(char)
            position += 1
    return "".join(result)


def restore(text: str) -> str:
    return "".join(RESTORED.get(char, char) for char in text).strip()


def read_block(
    block: Block, index: int, taken: set[str], source_key: str
) -> tuple[PackQuestion | None, str, list[str]]:
    """(question or None, how problems name it, problems only GIFT syntax can have) for one block."""
    text = protect(block.text)
    title = ""
    title_match = TITLE.match(text)
    if title_match:
        title, text = restore(title_match.group(1)), text[title_match.end() :]
    text_format = "moodle"
    format_match = TEXT_FORMAT.match(text)
    if format_match:
        text_format, text = format_match.group(1), text[format_match.end() :]

    opening = text.find("{")
    closing = text.find("}", opening + 1)
    label = title or excerpt(restore(text[: opening if opening >= 0 else len(text)]), index)
    if opening < 0:
        return None, label, ["has no answers in { }; description questions are not supported"]
    if closing < 0:
        return None, label, ["its answers are not closed with }"]
    before, answers, after = text[:opening], text[opening + 1 : closing], text[closing + 1 :]
    general = ""
    if "####" in answers:
        answers, general = answers.split("####", 1)

    kind = answers_kind(answers.strip())
    if kind not in {SINGLE, MULTIPLE, TRUE_FALSE}:
        return None, label, [f"GIFT {kind} questions are not supported; only multiple choice and true/false are"]
    stem = before.strip() + (" _____ " + after.strip() if after.strip() else "")
    messages: list[str] = []
    if kind == TRUE_FALSE:
        options = true_false_options(answers, text_format)
    else:
        options, messages = choice_options(answers, text_format)
    explanation, learning_point = split_general_feedback(to_markdown(general, text_format))
    # Without a title, the stem's first words name the key: steadier across edits than a position.
    name = title or " ".join(restore(before).split()[:8])
    question = PackQuestion(
        key=question_key(name, index, taken),
        kind=kind,
        stem=to_markdown(stem, text_format),
        options=options,
        explanation=explanation,
        learning_point=learning_point,
        sources=[source_key],
    )
    return question, label, messages


def answers_kind(answers: str) -> str:
    """The question's kind, or the name of the unsupported GIFT type, decided as Moodle decides it."""
    if not answers:
        return "essay"
    if answers.startswith("#"):
        return "numerical"
    if "~" in answers:
        # Moodle: an answer marked "=" makes a single-answer question; only weights, a multiple one.
        return SINGLE if "=" in answers else MULTIPLE
    if "=" in answers and "->" in answers:
        return "matching"
    if answers.split("#", 1)[0].strip().upper() in TRUE_FALSE_ANSWERS:
        return TRUE_FALSE
    return "short answer"


def true_false_options(answers: str, text_format: str) -> list[PackOption]:
    value, _, feedback = answers.partition("#")
    wrong, _, right = feedback.partition("#")
    true_is_right = TRUE_FALSE_ANSWERS[value.strip().upper()]
    right, wrong = to_markdown(right, text_format), to_markdown(wrong, text_format)
    return [
        PackOption("True", true_is_right, right if true_is_right else wrong),
        PackOption("False", not true_is_right, wrong if true_is_right else right),
    ]


def choice_options(answers: str, text_format: str) -> tuple[list[PackOption], list[str]]:
    """Options from `=right#why ~wrong#why ~%50%weighted#why`, and what is wrong with their syntax."""
    pieces = re.split(r"([=~])", answers)
    messages = []
    if pieces[0].strip():
        messages.append(f"text before the first answer: {restore(pieces[0])!r}; start each answer with = or ~")
    options = []
    for number, (marker, body) in enumerate(zip(pieces[1::2], pieces[2::2], strict=False), start=1):
        correct = marker == "="
        weight_match = WEIGHT.match(body)
        if weight_match:
            body = body[weight_match.end() :]
            try:
                correct = float(weight_match.group(1)) > 0
            except ValueError:
                messages.append(f"option {number} has a weight {weight_match.group(1)!r} that is not a number")
        text, _, feedback = body.partition("#")
        options.append(PackOption(to_plain(text, text_format), correct, to_markdown(feedback, text_format)))
    return options, messages


def to_markdown(text: str, text_format: str) -> str:
    text = restore(text)
    if text_format == "html":
        return html_to_markdown(text)
    if text_format == "plain":
        return markdown_escape(text)
    return markdown_clean(text)


def to_plain(text: str, text_format: str) -> str:
    text = restore(text)
    return html_to_plain(text) if text_format == "html" else text_clean(" ".join(text.split()))


def excerpt(stem: str, index: int) -> str:
    words = " ".join(stem.split())
    if not words:
        return f"#{index}"
    return words if len(words) <= EXCERPT_LENGTH else words[:EXCERPT_LENGTH].rsplit(" ", 1)[0] + "…"
