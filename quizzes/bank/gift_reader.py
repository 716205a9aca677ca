"""GIFT question banks (Moodle's plain-text format) read into a PackQuiz, question by question.

The reader follows Moodle's own GIFT reader (qformat_gift) where it matters: questions are
separated by blank lines, a line starting with `//` is a comment (Moodle writes a question's
`[id:...]` and `[tag:...]` there), `$CATEGORY:` names Moodle's folder, `{...}` holds the answers,
`\\` escapes `: ~ = # { }`, `\\n` is a line break, `####` starts the general feedback, and every text
may start with its format: `[html]`, `[moodle]` (the default), `[plain]` or `[markdown]`.
Each step is one pass over the text, so reading time grows linearly with the file.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Unpack

from quizzes.bank import bank_text
from quizzes.bank.embedded import question_image
from quizzes.bank.quizpack import MATCHING, SHORT_ANSWER, PackAnswer, PackOption, PackQuestion, PackQuiz
from quizzes.bank.reading import (
    SKIPPED_TYPES,
    Answers,
    ImportedQuiz,
    QuestionKeys,
    QuestionRead,
    excerpt,
    match_stem_read,
    question_read,
    quiz_from_reads,
    right_options_marked,
    skipped,
    sources_warning,
    unique_tags,
)
from quizzes.bank.text import (
    EmbeddedImage,
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
RESTORED = str.maketrans({code: char for char, code in PROTECTED.items()})
ESCAPE = re.compile(r"\\([:~=#{}\\n])")
TITLE = re.compile(r"::(.*?)::", re.DOTALL)
TEXT_FORMAT = re.compile(r"\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
WEIGHT = re.compile(r"\s*%([^%]*)%")
COMMENT_TAG = re.compile(r"\[tag:((?:\\\]|[^\]])*)\]")
COMMENT_ID = re.compile(r"\[id:((?:\\\]|[^\]])*)\]")
COMMENT_TAGS_LINE = re.compile(r"^tags:(.*)$", re.IGNORECASE)
TRUE_FALSE_ANSWERS = {"T": True, "TRUE": True, "F": False, "FALSE": False}
FEEDBACK_FIELD = "general feedback (after ####)"
MAX_JOINED = 5  # blank-line separated parts one answer set may span


@dataclass
class Block:
    """One question's lines as written (comments apart), and the line it starts on."""

    line: int
    text: str
    comments: str


def parse_gift(
    content: bytes | str,
    file: str,
    **quiz: Unpack[ImportedQuiz],
) -> PackQuiz:
    """The multiple-choice, true/false, short-answer and matching questions of a GIFT file, and the
    others as skipped.

    BankInvalid only when the file is not text (UTF-8, with or without BOM, or Windows-1252) or
    holds no question, or the educator's quiz fields are wrong.

    - `{=right ~wrong}` is a single-answer question; answers without `=` (`{~%50%a ~%50%b ~%-100%c}`)
      make a multiple-select one, as in Moodle. `%n%` is the answer's weight, n / 100, kept exactly
      (partial, negative, decimal): in a multiple-select question every option with a weight above 0
      is right, in a single-answer one the option with the highest weight. Without any `%n%` the
      site's default weights apply. `{T}`, `{TRUE}`, `{F}` and `{FALSE}` are true/false.
    - Answers that all start with `=` (no `~`) make a short-answer question: `{=miliary metastases
      =%50%metastases#Name the pattern.}` accepts each answer, `%n%` being its share of full marks
      (100% without one) and text after `#` its feedback. GIFT says nothing of case or typing slips:
      a new question takes the site's defaults, a re-imported one keeps its own.
    - `{=stem -> option =stem -> option = -> extra option}` is a matching question: each stem is
      answered by the option after its `->` (the options are the distinct ones, in order of first
      appearance), and `= -> option` adds an option that answers no stem, as in Moodle.
    - Numerical (`{#...}`), essay (`{}`) and description (no braces) questions are skipped, each with
      its line and why.
    - Text after an answer's `#` is that option's rationale; in true/false, `{T#wrong#right}` gives
      the rationale of the wrong answer, then of the right one. Text after `####` is the
      explanation; a missing one is a warning. Its last paragraph, if it starts with
      "**Learning point:**" (as export_gift writes it), is the learning point; otherwise its first sentence.
    - `::Title::` slugified is the question key (repeats get -2, -3, ...), else the stem's first
      words. Text after the answers makes the answers a blank ("_____") within the stem.
    - Text formats: `[html]` and `[moodle]` (the default: HTML allowed, line breaks kept) become
      Markdown with every tag stripped; `[plain]` is escaped to show as written; `[markdown]` keeps
      its Markdown without raw HTML. The first image the question text shows as a data: URL becomes
      the question's image, with its alt text; any other image is a warning.
    - A comment line's `[id:...]` is the ID number and each `[tag:...]` a tag (as Moodle writes them);
      `// tags: a, b` is read too. GIFT has no sources, so no question cites one (never the file:
      its name is no citation); sources an export named in the general feedback are a warning.
    """
    text, encoding = bank_text(content, file)
    keys = QuestionKeys()
    reads = [read_block(block, index, keys) for index, block in enumerate(gift_blocks(text), start=1)]
    return quiz_from_reads(reads, file=file, encoding=encoding, **quiz)


def gift_blocks(content: str) -> list[Block]:
    """The file's questions: runs of lines between blank lines, comments and categories apart."""
    blocks: list[Block] = []
    lines: list[str] = []
    comments: list[str] = []
    start = 0
    for number, line in enumerate(content.splitlines() + [""], start=1):
        stripped = line.strip()
        if not stripped:
            if lines:
                blocks.append(Block(start, "\n".join(lines), "\n".join(comments)))
            lines, comments = [], []
        elif stripped.startswith("//"):
            comments.append(stripped[2:])
        elif stripped.startswith("$CATEGORY:") and not lines:
            continue
        else:
            if not lines:
                start = number
            lines.append(line.rstrip())
    return rejoin_open_answers(blocks)


def rejoin_open_answers(blocks: list[Block]) -> list[Block]:
    """Blocks with a blank line inside their answer set joined again (Moodle would refuse them).

    A block whose "{" is still open takes the blocks after it up to the one that closes it, unless
    a new titled question or more than MAX_JOINED blocks come first: then it stays as it is, and is
    skipped for its unclosed answers.
    """
    result, index = [], 0
    while index < len(blocks):
        block, end = blocks[index], index
        if answers_open(block.text):
            for later in range(index + 1, min(index + 1 + MAX_JOINED, len(blocks))):
                if blocks[later].text.lstrip().startswith("::"):
                    break
                if not answers_open(blocks[later].text, already_open=True):
                    end = later
                    break
        if end > index:
            text = "\n\n".join(part.text for part in blocks[index : end + 1])
            block = Block(block.line, text, "\n".join(part.comments for part in blocks[index : end + 1]).strip())
        result.append(block)
        index = end + 1
    return result


def answers_open(text: str, *, already_open: bool = False) -> bool:
    """Whether an answer set "{" is still open at the end of the text (escapes apart)."""
    text = protect(text)
    opening, closing = text.rfind("{"), text.rfind("}")
    return opening > closing or (already_open and closing < 0)


def protect(text: str) -> str:
    """Swap escaped characters for placeholders and `\\n` for a line break."""
    return ESCAPE.sub(lambda match: "\n" if match[1] == "n" else PROTECTED[match[1]], text)


def restore(text: str) -> str:
    return text.translate(RESTORED).strip()


class GiftText:
    """The question's texts by their format markers, collecting the images they show."""

    def __init__(self, default_format: str):
        self.default_format = default_format
        self.images: dict[str, list[EmbeddedImage]] = {}

    def split_format(self, text: str) -> tuple[str, str]:
        match = TEXT_FORMAT.match(text)
        if match:
            return match[1].lower(), text[match.end() :]
        return self.default_format, text

    def rich(self, text: str, where: str) -> str:
        text_format, text = self.split_format(text)
        text, images = restore(text), self.images.setdefault(where, [])
        if text_format == "plain":
            return markdown_escape(text)
        if text_format == "markdown":
            return markdown_clean(text, images)
        if text_format == "moodle":
            text = text.replace("\n", "<br>")
        return html_to_markdown(text, images)

    def plain(self, text: str, where: str) -> str:
        text_format, text = self.split_format(text)
        text = restore(text)
        if text_format in {"plain", "markdown"}:
            return text_clean(" ".join(text.split()))
        return html_to_plain(text, self.images.setdefault(where, []))


def read_block(block: Block, index: int, keys: QuestionKeys) -> QuestionRead:
    """One block as the question it makes, or why it is skipped."""
    text = protect(block.text).strip()
    title = ""
    if text.startswith("::") and (title_match := TITLE.match(text)):
        title, text = " ".join(restore(title_match[1]).split()), text[title_match.end() :].strip()
    texts = GiftText("moodle")
    texts.default_format, _ = texts.split_format(text)

    opening = text.find("{")
    closing = text.find("}", opening + 1) if opening >= 0 else text.find("}")
    before = text[:opening] if opening >= 0 else text
    label = title or excerpt(stem_words(before, texts), index)
    if opening < 0 and closing < 0:
        return skipped(label, block.line, "description", SKIPPED_TYPES["description"])
    if opening < 0 or closing < 0:
        return skipped(label, block.line, "unknown", "its answers are not enclosed in { and }")
    answers, after = text[opening + 1 : closing], text[closing + 1 :]
    answers, marker, general = answers.rpartition("####")
    if not marker:
        answers, general = general, ""
    answers = answers.strip()

    kind = answers_kind(answers)
    if kind not in ANSWER_READERS:
        return skipped(label, block.line, kind, SKIPPED_TYPES[kind])
    stem_text = before.rstrip() + (" _____ " + after.strip() if after.strip() else "")
    pack_kind, found = ANSWER_READERS[kind](answers, texts)
    stem = texts.rich(stem_text, "the question text")
    explanation, learning_point, cited = split_general_feedback(texts.rich(general, "the general feedback"))
    image = question_image(texts.images.pop("the question text"), elsewhere=texts.images)
    question = PackQuestion(
        # Without a title, the stem's first words name the key: steadier across edits than a position.
        key=keys.key(title or " ".join(stem_words(before, texts).split()[:8]), index),
        kind=pack_kind,
        stem=stem,
        options=found.options,
        explanation=explanation,
        learning_point=learning_point,
        sources=[],
        image_file=image.name,
        image_alt=image.alt,
        image_data=image.data,
        idnumber=comment_idnumber(block.comments),
        tags=comment_tags(block.comments),
        accepted_answers=found.accepted_answers,
        case_sensitive=found.case_sensitive,
        forgive_typos=found.forgive_typos,
        match_stems=found.match_stems,
        warnings=found.warnings + image.warnings + sources_warning(cited),
    )
    return question_read(
        label=label, line=block.line, kind=kind, question=question, faults=found.faults, feedback_field=FEEDBACK_FIELD
    )


def stem_words(before: str, texts: GiftText) -> str:
    """The words of the text before the answers, without its format marker or any markup: what
    names a question that has no title."""
    return text_clean(restore(texts.split_format(before)[1]))


def answers_kind(answers: str) -> str:
    """The Moodle question type of an answer set, decided as qformat_gift decides it."""
    if not answers:
        return "essay"
    if answers.startswith("#"):
        return "numerical"
    if "~" in answers:
        return "multichoice"
    if "=" in answers and "->" in answers:
        return "match"
    if answers.split("#", 1)[0].strip().upper() in TRUE_FALSE_ANSWERS:
        return "truefalse"
    return "shortanswer"


def true_false_answers(answers: str, texts: GiftText) -> tuple[str, Answers]:
    value, _, feedback = answers.partition("#")
    wrong, _, right = feedback.partition("#")
    true_is_right = TRUE_FALSE_ANSWERS[value.strip().upper()]
    right = texts.rich(right, "the right answer's feedback")
    wrong = texts.rich(wrong, "the wrong answer's feedback")
    options = [
        PackOption("True", true_is_right, right if true_is_right else wrong),
        PackOption("False", not true_is_right, wrong if true_is_right else right),
    ]
    return TRUE_FALSE, Answers(options=options)


def choice_answers(answers: str, texts: GiftText) -> tuple[str, Answers]:
    """A single-answer question when any answer starts with `=`, else a multiple-select one."""
    options, faults = choice_options(answers, texts)
    kind = SINGLE if "=" in answers else MULTIPLE
    return kind, Answers(options=options, faults=faults, warnings=right_options_marked(options, kind))


def short_answers(answers: str, texts: GiftText) -> tuple[str, Answers]:
    """Accepted answers from `=text#feedback =%50%text#feedback` (text before the first `=` is an
    answer too, as Moodle reads it)."""
    found = Answers(case_sensitive=None, forgive_typos=None)
    pieces = answers.split("=")
    for number, body in enumerate(pieces if pieces[0].strip() else pieces[1:], start=1):
        weight = Decimal(1)
        if weight_match := WEIGHT.match(body):
            body = body[weight_match.end() :]
            try:
                weight = Decimal(weight_match[1].strip()) / 100
            except InvalidOperation:
                found.faults.append(
                    f"accepted answer {number} has a weight {restore(weight_match[1])!r} that is not a number"
                )
        text, _, feedback = body.partition("#")
        found.accepted_answers.append(
            PackAnswer(
                texts.plain(text, f"accepted answer {number}"),
                weight,
                texts.rich(feedback, f"accepted answer {number}'s feedback"),
            )
        )
    return SHORT_ANSWER, found


def matching_answers(answers: str, texts: GiftText) -> tuple[str, Answers]:
    """Stems and options from `=stem -> option`; `= -> option` is an option that answers no stem."""
    found = Answers()
    option_numbers: dict[str, int] = {}
    pieces = answers.split("=")
    if pieces[0].strip():
        found.faults.append(f"text before the first answer: {restore(pieces[0])!r}; start each pair with =")
    for number, pair in enumerate(pieces[1:], start=1):
        stem_text, arrow, option_text = pair.partition("->")
        if not arrow:
            found.faults.append(f"pair {number} has no ->; write each pair as =stem -> option")
            continue
        option = texts.plain(option_text, f"option {number}")
        if option not in option_numbers:
            option_numbers[option] = len(found.options)
            found.options.append(PackOption(option, False, ""))
        where = f"stem {len(found.match_stems) + 1}"
        text = texts.rich(stem_text, where)
        images = texts.images.pop(where, [])
        if text or images:
            match_stem_read(found, text=text, images=images, answer=option_numbers[option])
    return MATCHING, found


# The GIFT answer sets the site holds, each with the function that reads it into (the site's kind, its answers).
ANSWER_READERS = {
    "multichoice": choice_answers,
    "truefalse": true_false_answers,
    "shortanswer": short_answers,
    "match": matching_answers,
}


def choice_options(answers: str, texts: GiftText) -> tuple[list[PackOption], list[str]]:
    """Options from `=right#why ~wrong#why ~%50%weighted#why`, and what is wrong with their syntax.

    Weights are set when any answer has one (`=` is then 100%, an unweighted `~` 0%), so a file
    without weights gets the site's default rule.
    """
    pieces = re.split(r"([=~])", answers)
    faults = []
    if pieces[0].strip():
        faults.append(f"text before the first answer: {restore(pieces[0])!r}; start each answer with = or ~")
    weighted = "%" in answers and any(WEIGHT.match(body) for body in pieces[2::2])
    options = []
    for number, (marker, body) in enumerate(zip(pieces[1::2], pieces[2::2], strict=False), start=1):
        weight = Decimal(1 if marker == "=" else 0)
        if weight_match := WEIGHT.match(body):
            body = body[weight_match.end() :]
            try:
                weight = Decimal(weight_match[1].strip()) / 100
            except InvalidOperation:
                faults.append(f"option {number} has a weight {restore(weight_match[1])!r} that is not a number")
        text, _, feedback = body.partition("#")
        where = f"option {number}"
        option_text = texts.plain(text, where)
        if not option_text and texts.images.get(where):
            option_text = texts.images[where][0].alt
        options.append(
            PackOption(
                option_text,
                weight > 0,
                texts.rich(feedback, f"option {number}'s feedback"),
                weight if weighted else None,
            )
        )
    return options, faults


def comment_idnumber(comments: str) -> str:
    match = COMMENT_ID.search(comments)
    return match[1].replace("\\]", "]").strip() if match else ""


def comment_tags(comments: str) -> list[str]:
    tags = [tag.replace("\\]", "]") for tag in COMMENT_TAG.findall(comments)]
    for line in comments.splitlines():
        if match := COMMENT_TAGS_LINE.match(line.strip()):
            tags.extend(match[1].split(","))
    return unique_tags(tags)
