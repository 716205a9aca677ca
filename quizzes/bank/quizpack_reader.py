"""Reading quizpack/1, the project's own bank format: one YAML file per quiz (see docs/content-format.md).

This reader reports what only YAML can get wrong (a value of the wrong type, an image file that is
not there, where each problem is); the rules every bank is held to are quizpack.pack_question_problems.
Nothing here touches the database.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import yaml
from django.utils.text import slugify

from quizzes.bank import BankInvalid, Problem, bank_text
from quizzes.bank.quizpack import (
    FORMAT,
    QUIZ_KINDS,
    STATUSES,
    PackAnswer,
    PackMatchStem,
    PackOption,
    PackQuestion,
    PackQuiz,
    PackRegion,
    PackSource,
    length_problem,
    pack_question_problems,
    pack_source_problems,
)
from quizzes.models import MAX_EXAM_MINUTES, Quiz, Topic


class LineLoader(yaml.SafeLoader):
    """Records the line each mapping starts on, so problems can say where they are, and refuses
    aliases: a quiz file never needs one, and a few hundred bytes of nested aliases expand to
    gigabytes (the "billion laughs")."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                "aliases (*name) are not accepted in a quiz file; write the value out",
                self.peek_event().start_mark,
            )
        return super().compose_node(parent, index)

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
    for message in (
        length_problem("the quiz slug", slug, Quiz, "slug")
        + length_problem("the quiz title", text(quiz_data.get("title")), Quiz, "title")
        + length_problem("the quiz topic", text(quiz_data.get("topic")), Topic, "name")
    ):
        problem(message, line=quiz_data.get("__line__"))
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
    source = PackSource(
        key=key,
        title=text(item.get("title")),
        publisher=text(item.get("publisher")),
        published_on=published_on,
        url=text(item.get("url")),
        doi=text(item.get("doi")),
    )
    reported = ("source key must be", f"source {key or '?'} has no ")
    for message in pack_source_problems(source):
        if not message.startswith(reported):
            problem(message, line=line)
    return source


def parse_question(item, index, quiz_kind, source_keys, images_dir, problem) -> PackQuestion | None:
    if not isinstance(item, dict):
        problem(f"question {index} must be a mapping")
        return None
    line = item.get("__line__")
    key = text(item.get("key")) or f"#{index}"
    # What only YAML can get wrong, with the line it is on; quizpack's rules are checked after.
    faults: list[tuple[str, int | None]] = []

    options = []
    for number, option in enumerate(item.get("options") or [], start=1):
        if not isinstance(option, dict) or not text(option.get("text")):
            # Kept without text, so the rules report it under its number.
            options.append(PackOption("", False, ""))
            continue
        if not isinstance(option.get("correct", False), bool):
            faults.append((f"option {number} correct must be true or false", line))
        weight, weight_fault = option_weight(option.get("weight"), number)
        faults += [(weight_fault, option.get("__line__", line))] if weight_fault else []
        options.append(
            PackOption(text(option["text"]), option.get("correct") is True, text(option.get("rationale")), weight)
        )

    image_file, image_alt = parse_image(item.get("image"), "image", line, images_dir, faults)

    allow_no_abnormality = item.get("allow_no_abnormality", False)
    if not isinstance(allow_no_abnormality, bool):
        faults.append(("allow_no_abnormality must be true or false", line))
        allow_no_abnormality = False
    regions, region_lines = [], []
    for number, region in enumerate(item.get("regions") or [], start=1):
        if not isinstance(region, dict):
            faults.append((f"region {number} must be a mapping with shape, geometry and feedback", line))
            continue
        region_lines.append(region.get("__line__", line))
        if not isinstance(region.get("feedback", ""), str):
            faults.append((f"region {number} feedback must be text", region_lines[-1]))
        regions.append(
            PackRegion(
                shape=region.get("shape"),
                geometry=without_line_numbers(region.get("geometry")),
                feedback=text(region.get("feedback")),
            )
        )

    accepted_answers = []
    for number, answer in enumerate(item.get("accepted_answers") or [], start=1):
        if not isinstance(answer, dict):
            faults.append((f"accepted answer {number} must be a mapping with text, weight and feedback", line))
            continue
        weight, weight_fault = answer_weight(answer.get("weight"), number)
        faults += [(weight_fault, answer.get("__line__", line))] if weight_fault else []
        accepted_answers.append(PackAnswer(text(answer.get("text")), weight, text(answer.get("feedback"))))
    switches = {}
    for name, default in (("case_sensitive", False), ("forgive_typos", True)):
        switches[name] = item.get(name, default)
        if not isinstance(switches[name], bool):
            faults.append((f"{name} must be true or false", line))
            switches[name] = default

    options_by_text = {" ".join(option.text.split()): index for index, option in enumerate(options)}
    match_stems = []
    for number, stem in enumerate(item.get("match_stems") or [], start=1):
        if not isinstance(stem, dict):
            faults.append((f"stem {number} must be a mapping with text, answer and an optional image", line))
            continue
        stem_file, stem_alt = parse_image(stem.get("image"), f"stem {number}'s image", line, images_dir, faults)
        answer = " ".join(text(stem.get("answer")).split())
        match_stems.append(PackMatchStem(text(stem.get("text")), options_by_text.get(answer), stem_file, stem_alt))

    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        faults.append(("tags must be a list of names", line))
        tags = []
    if not isinstance(item.get("idnumber", ""), str):
        faults.append(("idnumber must be text", line))

    question = PackQuestion(
        key=key,
        kind=item.get("kind"),
        stem=text(item.get("stem")),
        options=options,
        explanation=text(item.get("explanation")),
        learning_point=text(item.get("learning_point")),
        sources=list(item.get("sources") or []),
        stage=text(item.get("stage")),
        image_file=image_file,
        image_alt=image_alt,
        allow_no_abnormality=allow_no_abnormality,
        regions=regions,
        idnumber=text(item.get("idnumber")),
        tags=[tag.strip() for tag in tags if tag.strip()],
        accepted_answers=accepted_answers,
        match_stems=match_stems,
        fewer_options_reason=text(item.get("fewer_options_reason")),
        **switches,
    )
    for message in pack_question_problems(question, quiz_kind=quiz_kind, source_keys=source_keys):
        # A region's problem is reported at the region's own line, so an author can find it in a long file.
        region = message.split()[1].rstrip(":") if message.startswith("Region ") else ""
        problem(message, key, region_lines[int(region) - 1] if region else line)
    for message, fault_line in faults:
        problem(message, key, fault_line)
    return question


def parse_image(image, what: str, line, images_dir: Path | None, faults: list) -> tuple[str, str]:
    """(file, alt text) of an `image: {file, alt}` mapping ("" for what it lacks), with its faults."""
    if image is None:
        return "", ""
    image_file = text(image.get("file")) if isinstance(image, dict) else ""
    image_alt = text(image.get("alt")) if isinstance(image, dict) else ""
    if not image_file:
        faults.append((f"{what} needs a file", line))
        if not image_alt:
            # The rules check the alt text of an image with a file; this one has none to show.
            faults.append((f"{what} needs alt text", line))
    elif images_dir is not None and not (images_dir / image_file).is_file():
        faults.append((f"{what} file {image_file!r} not found in {images_dir.name}/", line))
    return image_file, image_alt


def answer_weight(value, number: int) -> tuple[Decimal, str]:
    """(the accepted answer's weight, "") or (1, what is wrong with it): a number from 0 to 1, 1 when absent."""
    if value is None:
        return Decimal(1), ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return Decimal(1), f"accepted answer {number} weight must be a number from 0 to 1 (0.5 is half marks)"
    return Decimal(str(value)), ""


def option_weight(value, number: int) -> tuple[Decimal | None, str]:
    """(the option's weight, "") or (None, what is wrong with it): a number from -1 to 1, or absent."""
    if value is None:
        return None, ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, f"option {number} weight must be a number from -1 to 1 (0.5 is half marks)"
    return Decimal(str(value)), ""


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
            text, _encoding = bank_text(path.read_bytes(), path.name, legacy=False)
            packs.append(parse_pack(text, path.name, images_dir))
        except BankInvalid as invalid:
            problems.extend(invalid.problems)
    slugs = [pack.slug for pack in packs]
    topics: dict[str, str] = {}
    for pack in packs:
        if slugs.count(pack.slug) > 1:
            problems.append(Problem(pack.file, f"quiz slug {pack.slug!r} is used by another file"))
        spelling = topics.setdefault(pack.topic.lower(), pack.topic)
        if spelling != pack.topic:
            problems.append(
                Problem(
                    pack.file, f"topic {pack.topic!r} differs from {spelling!r} only in case: spell it the same way"
                )
            )
    if problems:
        raise BankInvalid(problems)
    return packs
