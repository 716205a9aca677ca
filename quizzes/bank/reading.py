"""What the Moodle XML and GIFT readers share: each reads a file question by question into
QuestionReads, and quiz_from_reads holds them to quizpack/1's rules and makes the PackQuiz.

A QuestionRead is one question's outcome (the question, or None when the reader skipped it, with the
problems found), so a reader reports every question, whatever the others hold.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NotRequired, TypedDict

from django.utils.text import slugify

from quizzes.bank import BankInvalid, Problem
from quizzes.bank.quizpack import PackQuestion, PackQuiz, PackSource, pack_quiz_problems

KEY_LENGTH = 72  # Question.key holds 80; the rest is room for a "-2" style suffix.


class ImportedQuiz(TypedDict):
    """The quiz a Moodle XML or GIFT file goes into: those formats hold questions only, so the
    educator names it (status is draft unless given)."""

    slug: str
    title: str
    topic: str
    description: NotRequired[str]
    status: NotRequired[str]


@dataclass(frozen=True)
class QuestionRead:
    """One question of a file as a reader found it: how problems name it, where it starts, the
    question it became (None when it was skipped), and what is wrong with it."""

    label: str
    line: int | None
    question: PackQuestion | None
    problems: list[str] = field(default_factory=list)
    # The question type as the file names it, and, when the question is not imported, why.
    kind: str = ""
    skip_reason: str = ""


def imported_source(*, file: str, key_prefix: str, slug: str, publisher: str) -> PackSource:
    """The source every imported question cites when the educator names none: the file itself."""
    return PackSource(key=f"{key_prefix}-{slug}"[:80].rstrip("-"), title=file, publisher=publisher)


def quiz_from_reads(
    reads: Sequence[QuestionRead],
    *,
    file: str,
    slug: str,
    title: str,
    topic: str,
    source: PackSource,
    description: str = "",
    status: str = "draft",
    file_problems: Sequence[Problem] = (),
) -> PackQuiz:
    """The quiz the reads make, or BankInvalid listing the quiz's, the file's and every question's problems."""
    problems = [
        Problem(file, message) for message in pack_quiz_problems(slug=slug, title=title, topic=topic, sources=[source])
    ]
    problems += file_problems
    for read in reads:
        problems += [Problem(file, message, read.label, read.line) for message in read.problems]
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
        sources=[source],
        questions=[read.question for read in reads if read.question is not None],
    )


def question_key(name: str, index: int, taken: set[str]) -> str:
    """A slug for the question from its name, unique among `taken` (which it joins)."""
    base = slugify(name)[:KEY_LENGTH].strip("-") or f"question-{index}"
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    taken.add(key)
    return key


def feedback_messages(messages: list[str], question: PackQuestion, *, where: str) -> list[str]:
    """Word the explanation and learning point problems for formats where both come from one field."""
    if question.explanation:
        return messages
    missing = {"explanation is missing", "learning point is missing"}
    return [f"{where} is missing: it becomes the explanation, and its first sentence the learning point"] + [
        message for message in messages if message not in missing
    ]
