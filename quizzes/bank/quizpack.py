"""A bank in memory, as every reader gives it: quizpack/1's quiz, sources and questions as plain
dataclasses (see docs/content-format.md), and the rules every bank is held to, whatever its format.

quizpack_reader and quizpack_writer read and write the format's YAML files; nothing here touches
the database.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.text import slugify

from quizzes.rules import HOTSPOT, hotspot_problems, option_problems

FORMAT = "quizpack/1"
QUESTION_KINDS = {"single", "multiple", "true_false", HOTSPOT}
QUIZ_KINDS = {"standard", "case"}
STATUSES = {"draft", "published"}


@dataclass
class PackSource:
    key: str
    title: str
    publisher: str
    published_on: datetime.date | None = None
    url: str = ""
    doi: str = ""


@dataclass
class PackOption:
    text: str
    correct: bool
    rationale: str
    # The option's share of full marks, in [-1, 1], exactly as the file gives it (Moodle's
    # fraction / 100, GIFT's %n% / 100). None: the file gives none, so the site's default rule
    # applies. Readers set `correct` to weight > 0 whenever they set a weight.
    weight: Decimal | None = None


@dataclass
class PackRegion:
    """A hotspot question's target: shape and geometry as quizzes/hotspots.py documents them."""

    shape: str
    geometry: dict
    feedback: str = ""


@dataclass
class PackQuestion:
    key: str
    kind: str
    stem: str
    options: list[PackOption]
    explanation: str
    learning_point: str
    sources: list[str]
    stage: str = ""
    image_file: str = ""
    image_alt: str = ""
    allow_no_abnormality: bool = False
    regions: list[PackRegion] = field(default_factory=list)
    # Moodle's <idnumber>: with the key, it identifies the question on re-import.
    idnumber: str = ""
    tags: list[str] = field(default_factory=list)
    # An image embedded in the bank file itself (Moodle XML base64 <file>, GIFT data: URL), as the
    # file holds it: the importer validates and re-encodes it as it does an upload. image_file is
    # then the embedded file's original name, for the record only (never the stored name).
    image_data: bytes | None = None
    # What the import keeps differently from the file, each a sentence an educator reads
    # ("hints dropped: the site has none"); a question with warnings is still imported.
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PackSkip:
    """A question of a bank file that is not imported: where it is, what the file calls it, and why."""

    file: str
    label: str  # the question's name or title, else the start of its text
    line: int | None
    kind: str  # the question type in the file's own words ("shortanswer", "GIFT matching", ...)
    reason: str

    def __str__(self) -> str:
        place = self.file + (f", line {self.line}" if self.line is not None else "")
        return f"{place}, question {self.label!r} ({self.kind}): {self.reason}"


@dataclass
class PackQuiz:
    file: str
    slug: str
    title: str
    description: str
    topic: str
    kind: str
    status: str
    order: int
    exam_minutes: int | None = None
    sources: list[PackSource] = field(default_factory=list)
    questions: list[PackQuestion] = field(default_factory=list)
    # The questions of the file that were not imported, each with its place and reason.
    skipped: list[PackSkip] = field(default_factory=list)
    # How the file's bytes were decoded ("UTF-8", "UTF-8 with BOM", "Windows-1252"); "" when not known.
    encoding: str = ""


# Every reader (quizpack YAML, Moodle XML, GIFT) builds PackQuestions and applies these rules to
# them, so a bank is held to one standard whatever its format.


def pack_quiz_problems(*, slug: str, title: str, topic: str, sources: list[PackSource]) -> list[str]:
    """What is wrong with the quiz-level fields an importer was given, in parse_pack's words."""
    messages = []
    if not slug or slugify(slug) != slug:
        messages.append("quiz slug must be lower-case letters, digits and hyphens")
    if not title.strip():
        messages.append("quiz title is missing")
    if not topic.strip():
        messages.append("quiz topic is missing")
    if not sources:
        messages.append("at least one source is required")
    for source in sources:
        if not source.key or slugify(source.key) != source.key:
            messages.append("source key must be lower-case letters, digits and hyphens")
        for required in ("title", "publisher"):
            if not getattr(source, required).strip():
                messages.append(f"source {source.key or '?'} has no {required}")
    return messages


def pack_question_problems(question: PackQuestion, *, quiz_kind: str, source_keys: set[str]) -> list[str]:
    """What is wrong with one built question, in words an author can act on."""
    messages = []
    if slugify(question.key) != question.key:
        messages.append("key must be lower-case letters, digits and hyphens")
    if question.kind not in QUESTION_KINDS:
        messages.append(f"kind must be one of {sorted(QUESTION_KINDS)}")
    for required in ("stem", "explanation", "learning_point"):
        if not getattr(question, required).strip():
            messages.append(f"{required.replace('_', ' ')} is missing")
    if quiz_kind == "case" and not question.stage.strip():
        messages.append("every question of a case vignette needs a stage")
    for number, option in enumerate(question.options, start=1):
        if not option.text.strip():
            messages.append(f"option {number} has no text")
        elif not option.rationale.strip():
            messages.append(f"option {number} ({option.text!r}) has no rationale")
    if question.kind in QUESTION_KINDS:
        # An option without text is reported above; the rules judge the options an author wrote.
        written = [(option.text, option.correct) for option in question.options if option.text.strip()]
        messages.extend(option_problems(question.kind, written))
    if not question.sources:
        messages.append("cite at least one source")
    messages.extend(f"cites unknown source {key!r}" for key in question.sources if key not in source_keys)
    if question.image_file and not question.image_alt.strip():
        messages.append("image needs alt text")
    if question.kind == HOTSPOT:
        messages.extend(
            hotspot_problems(
                has_image=bool(question.image_file),
                regions=[(r.shape, r.geometry) for r in question.regions],
                allow_no_abnormality=question.allow_no_abnormality,
            )
        )
    elif question.regions or question.allow_no_abnormality:
        messages.append("only hotspot questions have regions and allow_no_abnormality")
    return messages
