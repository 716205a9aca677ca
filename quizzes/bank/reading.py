"""What the Moodle XML and GIFT readers share: each reads a file question by question into
QuestionReads, and quiz_from_reads makes the PackQuiz of the questions that can be imported, listing
the others as skipped.

A question is skipped, with its place, its type and why, when the site cannot hold it as written (a
type the site does not have, no right answer, ...). A question that only lacks what an educator adds
later (general feedback, an option's feedback, alt text) is imported, with each gap as a warning.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NotRequired, TypedDict

from django.utils.text import slugify

from quizzes.bank import BankInvalid, Problem
from quizzes.bank.embedded import question_image
from quizzes.bank.quizpack import (
    PackAnswer,
    PackMatchStem,
    PackOption,
    PackQuestion,
    PackQuiz,
    PackSkip,
    field_length,
    pack_question_findings,
    pack_quiz_problems,
)
from quizzes.bank.text import EmbeddedImage, markdown_escape
from quizzes.models import Question
from quizzes.rules import MULTIPLE

# Question.key's length, less room for a "-2" style suffix.
KEY_LENGTH = field_length(Question, "key") - 8
EXCERPT_LENGTH = 40
# Why each Moodle type (GIFT's types are Moodle's) the site does not have is skipped; a type missing here gets a general reason.
SKIPPED_TYPES = {
    "randomsamatch": "random short-answer matching questions are not supported",
    "essay": "essay questions need a person to mark them; the site marks every answer itself",
    "numerical": "numerical (typed number) questions are not supported",
    "multianswer": "cloze (embedded answers) questions are not supported",
    "cloze": "cloze (embedded answers) questions are not supported",
    "description": "a description holds no question to answer",
    "calculated": "calculated questions are not supported",
    "calculatedsimple": "calculated questions are not supported",
    "calculatedmulti": "calculated multiple-choice questions draw their numbers at random, which the site cannot",
    "ddwtos": "drag-and-drop into text questions are not supported",
    "gapselect": "select-missing-words questions are not supported",
    "ddimageortext": "drag-and-drop onto image questions are not supported",
    "ddmarker": "drag-and-drop markers questions are not supported",
    "random": "a random question is Moodle's placeholder for a question drawn from a category, not a question",
    "ordering": "ordering questions are not supported",
}


class ImportedQuiz(TypedDict):
    """The quiz a Moodle XML or GIFT file goes into: those formats hold questions only, so the
    educator names it (status is draft unless given)."""

    slug: str
    title: str
    topic: str
    description: NotRequired[str]
    status: NotRequired[str]


@dataclass
class Answers:
    """How one question of a file is answered, as a format's reader for its type found it: options,
    accepted answers or matching stems in the pack's terms, what is wrong with them (faults skip the
    question) and what the import keeps differently (warnings). case_sensitive and forgive_typos are
    None where the format cannot say (see PackQuestion)."""

    options: list[PackOption] = field(default_factory=list)
    accepted_answers: list[PackAnswer] = field(default_factory=list)
    match_stems: list[PackMatchStem] = field(default_factory=list)
    case_sensitive: bool | None = False
    forgive_typos: bool | None = True
    faults: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class QuestionRead:
    """One question of a file as a reader found it: how it is named, where it starts, its type in
    the file's words, and the question it became, or why it was skipped."""

    label: str
    line: int | None
    kind: str
    question: PackQuestion | None = None
    skip_reason: str = ""


def question_read(
    *,
    label: str,
    line: int | None,
    kind: str,
    question: PackQuestion,
    faults: Sequence[str] = (),
    feedback_field: str,
) -> QuestionRead:
    """The question held to quizpack's rules: skipped if anything but a gap is wrong with it (the
    reader's own `faults` included), else imported with its gaps added to its warnings.

    `feedback_field` names the format's general feedback, so a warning says where to add it.
    """
    findings = pack_question_findings(question, quiz_kind="standard", source_keys=set(question.sources))
    faults = list(faults) + [finding.message for finding in findings if not finding.gap]
    if faults:
        return QuestionRead(label, line, kind, skip_reason="; ".join(faults))
    gaps = [finding.message for finding in findings if finding.gap]
    question.warnings.extend(gap_warnings(gaps, feedback_field))
    return QuestionRead(label, line, kind, question)


def right_options_marked(options: list[PackOption], kind: str) -> list[str]:
    """Mark the right options by their weights, as Moodle reads them; warnings for what that changes.

    Multiple select: every option weighing more than 0 is right. Single answer: the option with the
    best weight (above 0). When several share the best weight (two answers at 100%, which Moodle
    accepts), the first is shown as the right answer and every option keeps its weight, so each of
    them still earns full marks as in Moodle.
    """
    weights = [option.weight if option.weight is not None else Decimal(option.correct) for option in options]
    if kind == MULTIPLE:
        for option, weight in zip(options, weights, strict=True):
            option.correct = weight > 0
        return []
    best = max(weights, default=Decimal(0))
    tied = [number for number, weight in enumerate(weights, start=1) if best > 0 and weight == best]
    for number, option in enumerate(options, start=1):
        option.correct = number == tied[0] if tied else False
    if len(tied) < 2:
        return []
    for option, weight in zip(options, weights, strict=True):
        option.weight = weight
    numbers = ", ".join(str(number) for number in tied[:-1]) + f" and {tied[-1]}"
    return [
        f"options {numbers} each earn full marks: option {tied[0]} is shown as the right answer, "
        "and each of them still scores full marks"
    ]


def match_stem_read(
    found: Answers, *, text: str, images: list[EmbeddedImage], answer: int, files: dict[str, bytes] | None = None
) -> None:
    """Add a matching stem to `found`: the first image its text shows is its image (any other is a
    warning), and a stem that is only an image takes its alt text as its text."""
    where = f"stem {len(found.match_stems) + 1}"
    image = question_image(images, files=files)
    found.warnings += [f"{where}: {warning}" for warning in image.warnings]
    if not text and image.alt:
        text = markdown_escape(image.alt)
        found.warnings.append(f"{where} is an image: its alt text {image.alt!r} stands in as its text")
    found.match_stems.append(PackMatchStem(text, answer, image.name, image.alt, image.data))


def skipped(label: str, line: int | None, kind: str, reason: str) -> QuestionRead:
    return QuestionRead(label, line, kind, skip_reason=reason)


OPTION_GAP = re.compile(r"option (\d+) \((.*)\) has no rationale")


def gap_warnings(gaps: list[str], feedback_field: str) -> list[str]:
    """Gaps in the words of the format the question came from, saying what to add before publishing."""
    warnings = []
    if "explanation is missing" in gaps:
        warnings.append(
            f"no {feedback_field}: add the explanation (its first sentence becomes the learning point) before publishing"
        )
    elif "learning point is missing" in gaps:
        warnings.append("no learning point could be taken from the general feedback: add one before publishing")
    for gap in gaps:
        if match := OPTION_GAP.fullmatch(gap):
            warnings.append(
                f"option {match[1]} ({match[2]}) has no feedback: add why it is right or wrong before publishing"
            )
        elif gap not in {"explanation is missing", "learning point is missing", "image needs alt text"}:
            # The short-answer and matching gaps are written in words that serve every format.
            warnings.append(f"{gap} (before publishing)")
    if "image needs alt text" in gaps:
        warnings.append("the image has no alt text: describe it before publishing")
    return warnings


def sources_warning(cited: str) -> list[str]:
    """The sources an export named in its general feedback (see join_general_feedback), which the
    question cannot cite by name: it arrives citing none, until an educator links them."""
    if not cited:
        return []
    return [f"the sources named in the general feedback ({cited}) are not linked: link them in the admin"]


def quiz_from_reads(
    reads: Sequence[QuestionRead],
    *,
    file: str,
    slug: str,
    title: str,
    topic: str,
    description: str = "",
    status: str = "draft",
    encoding: str = "",
) -> PackQuiz:
    """The quiz of the questions read, with the skipped ones listed; BankInvalid only when the quiz's
    own fields are wrong or the file holds no questions at all."""
    problems = [Problem(file, message) for message in pack_quiz_problems(slug=slug, title=title, topic=topic)]
    if not reads:
        problems.append(Problem(file, "the file has no questions"))
    if problems:
        raise BankInvalid(problems)
    return PackQuiz(
        file=file,
        slug=slug,
        title=title.strip(),
        description=description.strip(),
        topic=topic.strip(),
        kind="standard",
        status=status,
        order=0,
        questions=[read.question for read in reads if read.question is not None],
        skipped=[
            PackSkip(file, read.label, read.line, read.kind, read.skip_reason) for read in reads if read.skip_reason
        ],
        encoding=encoding,
    )


class QuestionKeys:
    """The keys given so far in one file, each unique: a repeated name gets -2, -3, ... The next
    number for each name is remembered, so a file of a thousand "Question 1"s is not quadratic."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.next_number: dict[str, int] = {}

    def key(self, name: str, index: int) -> str:
        """A slug for the question from its name, unique among the keys given."""
        base = slugify(name)[:KEY_LENGTH].strip("-") or f"question-{index}"
        key, number = base, self.next_number.get(base, 2)
        if key in self.taken:
            key = f"{base}-{number}"
            while key in self.taken:
                number += 1
                key = f"{base}-{number}"
            self.next_number[base] = number + 1
        self.taken.add(key)
        return key


def excerpt(text: str, index: int) -> str:
    """How a question without a name is named: the start of its text, else its number in the file."""
    words = " ".join(text.split())
    if not words:
        return f"#{index}"
    return words if len(words) <= EXCERPT_LENGTH else words[:EXCERPT_LENGTH].rsplit(" ", 1)[0] + "…"


def unique_tags(tags: Sequence[str]) -> list[str]:
    """Tags trimmed, empty ones dropped, and one of each ignoring case (the site's tags ignore case)."""
    seen, result = set(), []
    for tag in (" ".join(tag.split()) for tag in tags):
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            result.append(tag)
    return result
