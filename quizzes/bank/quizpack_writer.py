"""Writing a quiz from the database as a quizpack/1 file that quizpack_reader reads back as the same quiz."""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING

import yaml

from quizzes.bank.quizpack import FORMAT
from quizzes.models import Question

if TYPE_CHECKING:
    from quizzes.models import AcceptedAnswer, Choice, MatchStem, Quiz, Source


class FlowList(list):
    """A list written on one line, as the format shows a question's sources: [a, b]."""


class FlowDict(dict):
    """A mapping written on one line, as the format shows a region's geometry: {cx: 0.4, cy: 0.5, ...}."""


class PackDumper(yaml.SafeDumper):
    """Writes quizpack files the way people write them: lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        # PyYAML puts "- " level with the parent key; the documented format indents it.
        return super().increase_indent(flow, False)


def represent_text(dumper: PackDumper, value: str) -> yaml.ScalarNode:
    # Block style keeps Markdown paragraphs as they are written, so a changed line is a changed line
    # in a diff. PyYAML falls back to quoting on its own when a text cannot be a block.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


def represent_flow_list(dumper: PackDumper, value: FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


PackDumper.add_representer(str, represent_text)
PackDumper.add_representer(FlowList, represent_flow_list)
PackDumper.add_representer(
    FlowDict, lambda dumper, value: dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)
)


def export_quizpack(quiz: Quiz) -> str:
    """The quiz as quizpack/1 YAML: questions and options in quiz order, the sources they cite.

    Keys follow docs/content-format.md's order; optional fields (a source's date, url and doi, a
    question's ID number, stage, image and tags, an option's weight, an accepted answer's weight and
    feedback, case_sensitive and forgive_typos, a matching question's fewer_options_reason) are written
    only when they differ from what leaving them out means. An image (the question's or a matching
    stem's) is written as its stored file's name: put that file in the images folder given to
    parse_pack to import it.
    Line endings become "\\n", so text typed in a browser (which sends "\\r\\n") stays a block.
    """
    questions = list(
        quiz.questions.in_quiz_order().prefetch_related(
            "choices", "sources", "regions", "tags", "accepted_answers", "match_stems__answer"
        )
    )
    sources: dict[str, Source] = {}
    for question in questions:
        for source in sorted(question.sources.all(), key=lambda source: source.key):
            sources.setdefault(source.key, source)
    data = {
        "format": FORMAT,
        "quiz": {
            "slug": quiz.slug,
            "title": quiz.title,
            "description": clean(quiz.description),
            "topic": quiz.topic.name,
            # str(): a model built in code holds its choices as enum members, which YAML would tag.
            "kind": str(quiz.kind),
            "status": str(quiz.status),
            "order": quiz.order,
            **({"exam_minutes": quiz.exam_minutes} if quiz.exam_minutes is not None else {}),
        },
        "sources": [source_data(source) for source in sources.values()],
        "questions": [question_data(question) for question in questions],
    }
    text = yaml.dump(data, Dumper=PackDumper, sort_keys=False, allow_unicode=True, width=10_000)
    if "\nquestions:\n" not in text:
        return text
    head, questions_part = text.split("\nquestions:\n", 1)
    # A blank line between questions, as in the bundled files; block texts are indented deeper.
    questions_part = questions_part.replace("\n  - key: ", "\n\n  - key: ")
    return f"{head}\nquestions:\n{questions_part}"


def source_data(source: Source) -> dict:
    data = {"key": source.key, "title": source.title, "publisher": source.publisher}
    if source.published_on:
        data["date"] = source.published_on
    if source.url:
        data["url"] = source.url
    if source.doi:
        data["doi"] = source.doi
    return data


def question_data(question: Question) -> dict:
    data = {"key": question.key, "kind": str(question.kind)}
    if question.idnumber:
        data["idnumber"] = question.idnumber
    if question.stage.strip():
        data["stage"] = clean(question.stage)
    data["stem"] = clean(question.stem)
    if question.image:
        data["image"] = {"file": PurePath(question.image.name).name, "alt": question.image_alt}
    if question.is_hotspot:
        if question.allow_no_abnormality:
            data["allow_no_abnormality"] = True
        data["regions"] = [
            {"shape": region.shape, "geometry": FlowDict(region.geometry), "feedback": clean(region.feedback)}
            for region in question.regions.all()
        ]
    elif question.kind == Question.Kind.SHORT_ANSWER:
        data["accepted_answers"] = [answer_data(answer) for answer in question.accepted_answers.all()]
        if question.case_sensitive:
            data["case_sensitive"] = True
        if not question.forgive_typos:
            data["forgive_typos"] = False
    else:
        data["options"] = [option_data(choice, question.kind) for choice in question.choices.all()]
    if question.kind == Question.Kind.MATCHING:
        data["match_stems"] = [stem_data(stem) for stem in question.match_stems.all()]
        if question.fewer_options_reason.strip():
            data["fewer_options_reason"] = clean(question.fewer_options_reason)
    data["explanation"] = clean(question.explanation)
    data["learning_point"] = clean(question.learning_point)
    data["sources"] = FlowList(sorted(source.key for source in question.sources.all()))
    tags = sorted(tag.name for tag in question.tags.all())
    if tags:
        data["tags"] = FlowList(tags)
    return data


def option_data(choice: Choice, kind: str) -> dict:
    data = {"text": clean(choice.text)}
    if kind == Question.Kind.MATCHING:
        # A matching question's options are names to pick from: its stems say which answers which.
        return data | ({"rationale": clean(choice.rationale)} if choice.rationale.strip() else {})
    data["correct"] = choice.is_correct
    if choice.weight is not None:
        # A plain number (0.5, -0.3333333): YAML has no decimal type, and float keeps these 7 places.
        data["weight"] = float(choice.weight)
    data["rationale"] = clean(choice.rationale)
    return data


def answer_data(answer: AcceptedAnswer) -> dict:
    data = {"text": clean(answer.text)}
    if answer.weight != 1:
        data["weight"] = float(answer.weight)
    if answer.feedback.strip():
        data["feedback"] = clean(answer.feedback)
    return data


def stem_data(stem: MatchStem) -> dict:
    # The answer is the option's text (as the format names it), so reordering the options changes nothing.
    data = {"text": clean(stem.text), "answer": clean(stem.answer.text)}
    if stem.image:
        data["image"] = {"file": PurePath(stem.image.name).name, "alt": stem.image_alt}
    return data


def clean(text: str) -> str:
    """Text as the file holds it: trimmed (parse_pack trims too) and with "\\n" line endings."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()
