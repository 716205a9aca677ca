"""The project's own bank format, quizpack/1: one YAML file per quiz (see docs/content-format.md).

Parsing checks everything and returns plain dataclasses; nothing here touches the database.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.utils.text import slugify

from quizzes.bank import BankInvalid, Problem
from quizzes.models import MAX_EXAM_MINUTES
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


class LineLoader(yaml.SafeLoader):
    """Records the line each mapping starts on, so problems can say where they are."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse_pack(content: str, file: str, images_dir: Path | None = None) -> PackQuiz:
    """Parse and validate one quiz file; raise BankInvalid listing every problem found."""
    problems: list[Problem] = []

    def problem(message, question="", line=None):
        problems.append(Problem(file=file, message=message, question=question, line=line))

    try:
        data = yaml.load(content, Loader=LineLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise BankInvalid(
            [Problem(file, f"not valid YAML: {getattr(error, 'problem', error)}", line=mark.line + 1 if mark else None)]
        ) from None
    if not isinstance(data, dict):
        raise BankInvalid([Problem(file, "the file must be a YAML mapping with format, quiz, sources and questions")])
    if data.get("format") != FORMAT:
        problem(f"format must be {FORMAT!r}", line=data.get("__line__"))

    quiz_data = data.get("quiz") if isinstance(data.get("quiz"), dict) else {}
    if not quiz_data:
        problem("the quiz section is missing")
    slug = text(quiz_data.get("slug"))
    if not slug or slugify(slug) != slug:
        problem("quiz slug must be lower-case letters, digits and hyphens", line=quiz_data.get("__line__"))
    for required in ("title", "topic"):
        if not text(quiz_data.get(required)):
            problem(f"quiz {required} is missing", line=quiz_data.get("__line__"))
    kind = quiz_data.get("kind", "standard")
    if kind not in QUIZ_KINDS:
        problem(f"quiz kind must be one of {sorted(QUIZ_KINDS)}", line=quiz_data.get("__line__"))
    status = quiz_data.get("status", "draft")
    if status not in STATUSES:
        problem(f"quiz status must be one of {sorted(STATUSES)}", line=quiz_data.get("__line__"))
    order = quiz_data.get("order", 0)
    if not isinstance(order, int) or order < 0:
        problem("quiz order must be a whole number, 0 or more", line=quiz_data.get("__line__"))
        order = 0
    exam_minutes = quiz_data.get("exam_minutes")
    if exam_minutes is not None:
        if (
            isinstance(exam_minutes, bool)
            or not isinstance(exam_minutes, int)
            or not 1 <= exam_minutes <= MAX_EXAM_MINUTES
        ):
            problem(
                f"exam_minutes must be a whole number of minutes from 1 to {MAX_EXAM_MINUTES}",
                line=quiz_data.get("__line__"),
            )
            exam_minutes = None
        elif kind == "case":
            problem("a case vignette has no exam mode: leave out exam_minutes", line=quiz_data.get("__line__"))
            exam_minutes = None

    sources = [parse_source(item, problem) for item in data.get("sources") or []]
    source_keys = {source.key for source in sources if source}
    if not source_keys:
        problem("at least one source is required")

    questions = []
    seen_keys = set()
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        problem("the questions list is missing or empty")
        raw_questions = []
    for index, item in enumerate(raw_questions, start=1):
        question = parse_question(item, index, kind, source_keys, images_dir, problem)
        if question is None:
            continue
        if question.key in seen_keys:
            problem("this key is used by another question in the file", question.key)
        seen_keys.add(question.key)
        questions.append(question)

    if problems:
        raise BankInvalid(problems)
    return PackQuiz(
        file=file,
        slug=slug,
        title=text(quiz_data["title"]),
        description=text(quiz_data.get("description")),
        topic=text(quiz_data["topic"]),
        kind=kind,
        status=status,
        order=order,
        exam_minutes=exam_minutes,
        sources=[source for source in sources if source],
        questions=questions,
    )


def parse_source(item, problem) -> PackSource | None:
    if not isinstance(item, dict):
        problem("each source must be a mapping")
        return None
    line = item.get("__line__")
    key = text(item.get("key"))
    if not key or slugify(key) != key:
        problem("source key must be lower-case letters, digits and hyphens", line=line)
    for required in ("title", "publisher"):
        if not text(item.get(required)):
            problem(f"source {key or '?'} has no {required}", line=line)
    published_on = item.get("date")
    if published_on is not None and not isinstance(published_on, datetime.date):
        problem(f"source {key} date must be an ISO date (YYYY-MM-DD)", line=line)
        published_on = None
    return PackSource(
        key=key,
        title=text(item.get("title")),
        publisher=text(item.get("publisher")),
        published_on=published_on,
        url=text(item.get("url")),
        doi=text(item.get("doi")),
    )


def parse_question(item, index, quiz_kind, source_keys, images_dir, problem) -> PackQuestion | None:
    if not isinstance(item, dict):
        problem(f"question {index} must be a mapping")
        return None
    line = item.get("__line__")
    key = text(item.get("key")) or f"#{index}"

    def fault(message):
        problem(message, key, line)

    if slugify(key) != key:
        fault("key must be lower-case letters, digits and hyphens")
    kind = item.get("kind")
    if kind not in QUESTION_KINDS:
        fault(f"kind must be one of {sorted(QUESTION_KINDS)}")
    for required in ("stem", "explanation", "learning_point"):
        if not text(item.get(required)):
            fault(f"{required.replace('_', ' ')} is missing")
    stage = text(item.get("stage"))
    if quiz_kind == "case" and not stage:
        fault("every question of a case vignette needs a stage")

    options = []
    for number, option in enumerate(item.get("options") or [], start=1):
        if not isinstance(option, dict) or not text(option.get("text")):
            fault(f"option {number} has no text")
            continue
        if not text(option.get("rationale")):
            fault(f"option {number} ({text(option['text'])!r}) has no rationale")
        if not isinstance(option.get("correct", False), bool):
            fault(f"option {number} correct must be true or false")
        options.append(PackOption(text(option["text"]), option.get("correct") is True, text(option.get("rationale"))))
    if kind in QUESTION_KINDS:
        for message in option_problems(kind, [(option.text, option.correct) for option in options]):
            fault(message)

    cited = item.get("sources") or []
    if not cited:
        fault("cite at least one source")
    for source_key in cited:
        if source_key not in source_keys:
            fault(f"cites unknown source {source_key!r}")

    image_file = image_alt = ""
    image = item.get("image")
    if image is not None:
        image_file = text(image.get("file")) if isinstance(image, dict) else ""
        image_alt = text(image.get("alt")) if isinstance(image, dict) else ""
        if not image_file:
            fault("image needs a file")
        elif images_dir is not None and not (images_dir / image_file).is_file():
            fault(f"image file {image_file!r} not found in {images_dir.name}/")
        if not image_alt:
            fault("image needs alt text")

    allow_no_abnormality = item.get("allow_no_abnormality", False)
    if not isinstance(allow_no_abnormality, bool):
        fault("allow_no_abnormality must be true or false")
        allow_no_abnormality = False
    regions = []
    for number, region in enumerate(item.get("regions") or [], start=1):
        if not isinstance(region, dict):
            problem(f"region {number} must be a mapping with shape, geometry and feedback", key, line)
            continue
        if not isinstance(region.get("feedback", ""), str):
            problem(f"region {number} feedback must be text", key, region.get("__line__", line))
        regions.append(
            PackRegion(
                shape=region.get("shape"),
                geometry=without_line_numbers(region.get("geometry")),
                feedback=text(region.get("feedback")),
            )
        )
    if kind == HOTSPOT:
        # Reported at the region's own line where there is one, so an author can find it in a long file.
        region_lines = [
            region.get("__line__", line) for region in item.get("regions") or [] if isinstance(region, dict)
        ]
        for message in hotspot_problems(
            has_image=bool(image_file),
            regions=[(r.shape, r.geometry) for r in regions],
            allow_no_abnormality=allow_no_abnormality,
        ):
            region_line = line
            if message.startswith("Region "):
                region_line = region_lines[int(message.split()[1].rstrip(":")) - 1]
            problem(message, key, region_line)
    elif regions or allow_no_abnormality:
        fault("only hotspot questions have regions and allow_no_abnormality")

    return PackQuestion(
        key=key,
        kind=kind,
        stem=text(item.get("stem")),
        options=options,
        explanation=text(item.get("explanation")),
        learning_point=text(item.get("learning_point")),
        sources=list(cited),
        stage=stage,
        image_file=image_file,
        image_alt=image_alt,
        allow_no_abnormality=allow_no_abnormality,
        regions=regions,
    )


def without_line_numbers(value):
    """`value` without the "__line__" keys LineLoader adds to every mapping (a geometry is data, checked as is)."""
    if isinstance(value, dict):
        return {key: without_line_numbers(item) for key, item in value.items() if key != "__line__"}
    if isinstance(value, list):
        return [without_line_numbers(item) for item in value]
    return value


def parse_pack_files(paths: list[Path], images_dir: Path) -> list[PackQuiz]:
    """Parse every file; raise one BankInvalid listing the problems of all of them."""
    packs, problems = [], []
    for path in paths:
        try:
            packs.append(parse_pack(path.read_text(encoding="utf-8"), path.name, images_dir))
        except BankInvalid as invalid:
            problems.extend(invalid.problems)
    slugs = [pack.slug for pack in packs]
    for pack in packs:
        if slugs.count(pack.slug) > 1:
            problems.append(Problem(pack.file, f"quiz slug {pack.slug!r} is used by another file"))
    if problems:
        raise BankInvalid(problems)
    return packs


# Importers of other formats (Moodle XML, GIFT) build PackQuestions themselves; these apply the same
# rules as parse_pack to what they built, so a bank is held to one standard whatever its format.


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
    """What is wrong with one built question, in the words parse_pack uses for the same faults."""
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
        messages.extend(option_problems(question.kind, [(option.text, option.correct) for option in question.options]))
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
    return messages
