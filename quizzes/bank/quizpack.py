"""A bank in memory, as every reader gives it: quizpack/1's quiz, sources and questions as plain
dataclasses (see docs/content-format.md), and the rules every bank is held to, whatever its format.

quizpack_reader and quizpack_writer read and write the format's YAML files; nothing here touches
the database.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from django.db.models import Model
from django.utils.text import slugify

from quizzes.models import AcceptedAnswer, Choice, MatchStem, Question, Quiz, Source, Tag, Topic
from quizzes.rich_text import rich_text_problems
from quizzes.rules import HOTSPOT, MIN_STEMS, hotspot_problems, option_problems

FORMAT = "quizpack/1"
SHORT_ANSWER, MATCHING = Question.Kind.SHORT_ANSWER.value, Question.Kind.MATCHING.value
QUESTION_KINDS = {"single", "multiple", "true_false", HOTSPOT, SHORT_ANSWER, MATCHING}
# The kinds whose options the choice rules (quizzes.rules.option_problems) judge.
CHOICE_KINDS = {"single", "multiple", "true_false", HOTSPOT}
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
class PackAnswer:
    """A typed answer a short-answer question accepts (Moodle's `*` wildcard allowed), with its share of
    full marks (0 to 1) and what the trainee who typed it is told."""

    text: str
    weight: Decimal = Decimal(1)
    feedback: str = ""


@dataclass
class PackMatchStem:
    """One vignette of a matching question and the option that answers it, by its position in the
    question's options (0 is the first; None: the file names an answer that is not an option)."""

    text: str
    answer: int | None
    image_file: str = ""
    image_alt: str = ""
    # An image embedded in the bank file, as for PackQuestion.image_data.
    image_data: bytes | None = None


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
    # Short answer. case_sensitive and forgive_typos are None when the format cannot say (GIFT has
    # neither, Moodle XML no forgive_typos): a new question then takes the site's default, and a
    # re-imported one keeps its own.
    accepted_answers: list[PackAnswer] = field(default_factory=list)
    case_sensitive: bool | None = False
    forgive_typos: bool | None = True
    # Extended matching: the options are the list every stem picks from.
    match_stems: list[PackMatchStem] = field(default_factory=list)
    fewer_options_reason: str = ""
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


def field_length(model: type[Model], name: str) -> int:
    """The database's limit for a field, so an importer refuses what PostgreSQL would (SQLite does not)."""
    return model._meta.get_field(name).max_length


def length_problem(what: str, value: str, model: type[Model], name: str) -> list[str]:
    limit = field_length(model, name)
    return [f"{what} is {len(value)} characters long; at most {limit} fit"] if len(value) > limit else []


def url_problems(what: str, url: str) -> list[str]:
    """Only web addresses become links: javascript:, data: and the like are refused by name."""
    if not url:
        return []
    scheme = urlsplit(url).scheme.lower()
    if scheme not in {"http", "https"} or not urlsplit(url).netloc:
        return [f"{what} must be an http:// or https:// address, not {url[:60]!r}"]
    return length_problem(what, url, Source, "url")


def pack_quiz_problems(*, slug: str, title: str, topic: str) -> list[str]:
    """What is wrong with the quiz-level fields an importer was given, in parse_pack's words."""
    messages = []
    if not slug or slugify(slug) != slug:
        messages.append("quiz slug must be lower-case letters, digits and hyphens")
    messages += length_problem("the quiz slug", slug, Quiz, "slug")
    if not title.strip():
        messages.append("quiz title is missing")
    messages += length_problem("the quiz title", title.strip(), Quiz, "title")
    if not topic.strip():
        messages.append("quiz topic is missing")
    messages += length_problem("the quiz topic", topic.strip(), Topic, "name")
    return messages


def pack_source_problems(source: PackSource) -> list[str]:
    messages = []
    if not source.key or slugify(source.key) != source.key:
        messages.append("source key must be lower-case letters, digits and hyphens")
    messages += length_problem(f"source key {source.key[:40]!r}", source.key, Source, "key")
    for required in ("title", "publisher"):
        if not getattr(source, required).strip():
            messages.append(f"source {source.key or '?'} has no {required}")
        messages += length_problem(f"source {source.key}'s {required}", getattr(source, required), Source, required)
    messages += url_problems(f"source {source.key}'s url", source.url)
    messages += length_problem(f"source {source.key}'s doi", source.doi, Source, "doi")
    return messages


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a question. A gap (missing feedback or alt text) is something an educator
    fills in after import, so readers of other systems' banks import the question with it as a
    warning; any other finding means the question cannot be held as written."""

    message: str
    gap: bool = False


def pack_question_problems(question: PackQuestion, *, quiz_kind: str, source_keys: set[str]) -> list[str]:
    """What is wrong with one built question, in words an author can act on."""
    return [
        finding.message for finding in pack_question_findings(question, quiz_kind=quiz_kind, source_keys=source_keys)
    ]


def pack_question_findings(question: PackQuestion, *, quiz_kind: str, source_keys: set[str]) -> list[Finding]:
    """pack_question_problems, each marked as a gap or not (see Finding)."""
    findings = []

    def fault(*messages: str) -> None:
        findings.extend(Finding(message) for message in messages)

    if slugify(question.key) != question.key:
        fault("key must be lower-case letters, digits and hyphens")
    fault(*length_problem("the key", question.key, Question, "key"))
    fault(*length_problem("the ID number", question.idnumber, Question, "idnumber"))
    if question.kind not in QUESTION_KINDS:
        fault(f"kind must be one of {sorted(QUESTION_KINDS)}")
    if not question.stem.strip():
        fault("stem is missing")
    for required in ("explanation", "learning_point"):
        if not getattr(question, required).strip():
            findings.append(Finding(f"{required.replace('_', ' ')} is missing", gap=True))
    fault(*length_problem("the learning point", question.learning_point, Question, "learning_point"))
    if quiz_kind == "case" and not question.stage.strip():
        fault("every question of a case vignette needs a stage")
    for number, option in enumerate(question.options, start=1):
        if not option.text.strip():
            fault(f"option {number} has no text")
            continue
        fault(*length_problem(f"option {number}", option.text, Choice, "text"))
        # A matching question's options are a shared list of names; its explanation says why each stem
        # takes its option.
        if not option.rationale.strip() and question.kind != MATCHING:
            findings.append(Finding(f"option {number} ({option.text!r}) has no rationale", gap=True))
        if option.weight is not None and not -1 <= option.weight <= 1:
            fault(f"option {number} has a weight of {option.weight * 100}%; weights run from -100% to 100%")
    texts = [("the stem", question.stem), ("the stage", question.stage), ("the explanation", question.explanation)]
    texts += [(f"option {number}'s rationale", option.rationale) for number, option in enumerate(question.options, 1)]
    texts += [(f"region {number}'s feedback", region.feedback) for number, region in enumerate(question.regions, 1)]
    texts += [
        (f"accepted answer {number}'s feedback", answer.feedback)
        for number, answer in enumerate(question.accepted_answers, 1)
    ]
    texts += [(f"stem {number}", stem.text) for number, stem in enumerate(question.match_stems, 1)]
    fault(*(problem for name, text in texts for problem in rich_text_problems(text, field=name)))
    if question.kind in CHOICE_KINDS:
        # An option without text is reported above; the rules judge the options an author wrote.
        written = [(option.text, option.correct) for option in question.options if option.text.strip()]
        fault(*option_problems(question.kind, written))
    # Sources are optional: a question without one cites its author (the content lint still asks the
    # bundled pack to cite one on every question).
    fault(*(f"cites unknown source {key!r}" for key in question.sources if key not in source_keys))
    fault(*(problem for tag in question.tags for problem in length_problem(f"tag {tag[:40]!r}", tag, Tag, "name")))
    if (question.image_file or question.image_data) and not question.image_alt.strip():
        findings.append(Finding("image needs alt text", gap=True))
    fault(*length_problem("the image's alt text", question.image_alt, Question, "image_alt"))
    if question.kind == HOTSPOT:
        fault(
            *hotspot_problems(
                has_image=bool(question.image_file),
                regions=[(r.shape, r.geometry) for r in question.regions],
                allow_no_abnormality=question.allow_no_abnormality,
            )
        )
    elif question.regions or question.allow_no_abnormality:
        fault("only hotspot questions have regions and allow_no_abnormality")
    if question.kind == SHORT_ANSWER:
        findings += short_answer_findings(question)
    elif question.accepted_answers or question.case_sensitive or question.forgive_typos is False:
        fault("only short-answer questions have accepted answers, case_sensitive and forgive_typos")
    if question.kind == MATCHING:
        findings += matching_findings(question)
    elif question.match_stems or question.fewer_options_reason:
        fault("only matching questions have match_stems and fewer_options_reason")
    return findings


def short_answer_findings(question: PackQuestion) -> list[Finding]:
    """A short-answer question is answered by typing: no options, and at least one accepted answer
    earns full marks. An answer that earns less must say why (a gap: an educator adds it)."""
    findings = []
    if question.options:
        findings.append(Finding("a short-answer question has no options: trainees type their answer"))
    if not question.accepted_answers:
        findings.append(Finding("a short-answer question needs at least one accepted answer"))
    elif not any(answer.weight == 1 for answer in question.accepted_answers):
        findings.append(Finding("a short-answer question needs an accepted answer that earns full marks (weight 1)"))
    for number, answer in enumerate(question.accepted_answers, start=1):
        if not answer.text.strip():
            findings.append(Finding(f"accepted answer {number} has no text"))
            continue
        findings += [
            Finding(message)
            for message in length_problem(f"accepted answer {number}", answer.text, AcceptedAnswer, "text")
        ]
        if not 0 <= answer.weight <= 1:
            findings.append(
                Finding(
                    f"accepted answer {number} ({answer.text!r}) has a weight of {float(answer.weight) * 100:g}%; "
                    "accepted answers earn from 0% to 100%"
                )
            )
        elif answer.weight < 1 and not answer.feedback.strip():
            findings.append(
                Finding(
                    f"accepted answer {number} ({answer.text!r}) earns {float(answer.weight) * 100:g}% but has no "
                    "feedback: say why it earns less",
                    gap=True,
                )
            )
    return findings


def matching_findings(question: PackQuestion) -> list[Finding]:
    """A matching question has at least two stems, each answered by one of its options, and more options
    than stems unless it says why not (else the last stem is answered by elimination: a gap)."""
    findings = []
    stems, options = question.match_stems, question.options
    if len(stems) < MIN_STEMS:
        findings.append(Finding(f"a matching question needs at least {MIN_STEMS} stems"))
    for number, stem in enumerate(stems, start=1):
        if not stem.text.strip():
            findings.append(Finding(f"stem {number} has no text"))
        if stem.answer is None or not 0 <= stem.answer < len(options):
            findings.append(Finding(f"stem {number} is not answered by one of the options"))
        if (stem.image_file or stem.image_data) and not stem.image_alt.strip():
            findings.append(Finding(f"stem {number}'s image needs alt text", gap=True))
        findings += [
            Finding(message)
            for message in length_problem(f"stem {number}'s image alt text", stem.image_alt, MatchStem, "image_alt")
        ]
    names = [" ".join(option.text.split()).casefold() for option in options]
    findings += [
        Finding(f"option {number} ({option.text!r}) is listed twice: each option of a matching question is one name")
        for number, option in enumerate(options, start=1)
        if option.text.strip() and names.index(names[number - 1]) < number - 1
    ]
    if any(option.correct or option.weight is not None for option in options):
        findings.append(
            Finding("a matching question's options are not marked right or weighted: each stem names its answer")
        )
    if stems and len(options) <= len(stems) and not question.fewer_options_reason.strip():
        findings.append(
            Finding(
                f"{len(options)} options for {len(stems)} stems: the last stem is answered by elimination; "
                "add an option, or say why there are no more",
                gap=True,
            )
        )
    findings += [
        Finding(message)
        for message in length_problem(
            "the reason for no more options than stems", question.fewer_options_reason, Question, "fewer_options_reason"
        )
    ]
    return findings
