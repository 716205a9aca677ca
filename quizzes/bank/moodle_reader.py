"""Moodle XML question banks read into a PackQuiz, question by question.

Moodle carries less than quizpack/1 (no learning point, no sources, no stages), so the reader fills
the gaps in fixed, documented ways (see parse_moodle_xml).
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Unpack
from xml.parsers import expat

from quizzes.bank import BankInvalid, Problem
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

SUPPORTED_TYPES = {"multichoice", "truefalse"}


class _XmlRefused(Exception):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message, self.line = message, line


def parse_moodle_xml(
    content: bytes | str,
    file: str,
    *,
    source: PackSource | None = None,
    **quiz: Unpack[ImportedQuiz],
) -> PackQuiz:
    """Parse and validate a Moodle XML export; raise BankInvalid listing every problem found.

    Only `multichoice` and `truefalse` questions are read; `category` entries are skipped; any other
    type (essay, shortanswer, matching, ...) is a problem, so nothing disappears silently.

    How Moodle's fields become quizpack's:
    - `<name>` slugified is the question key (repeats get -2, -3, ...); problems name the question
      by its Moodle name and give the line of its `<question>` element.
    - `<single>true</single>` (Moodle's default) is a single-best-answer question, `false` a
      multiple-select one; an answer with a fraction above 0 is a right option.
    - Each answer's `<feedback>` is that option's rationale. Moodle lets feedback be empty, but every
      option here must say why it is right or wrong, so an answer without feedback is the problem
      "option N has no rationale" and the educator adds it in the bank rather than the site
      inventing one.
    - `<generalfeedback>` is the explanation. Its last paragraph, if it starts with
      "**Learning point:**" (as export_moodle_xml writes it), is the learning point; otherwise the
      learning point is the general feedback's first sentence.
    - Text in html or moodle_auto_format becomes Markdown with every tag stripped (script and style
      elements with their content); markdown keeps its Markdown but loses raw HTML tags; plain_text
      is escaped so it shows as written. Option texts are shown as plain text, so they get no
      Markdown. Embedded images are a problem: they cannot be carried into a quizpack here.
    - Moodle has no sources, so every question cites `source`, by default one named after the file.

    DOCTYPE and entity declarations are refused before anything in them is read, so external
    entities (XXE) and entity expansion bombs never reach the parser's resolver.
    """
    root, lines = read_xml(content, file)
    source = source or imported_source(
        file=file, key_prefix="moodle-import", slug=quiz["slug"], publisher="Imported from Moodle XML"
    )
    file_problems = []
    if root.tag != "quiz":
        file_problems.append(Problem(file, f"the root element must be <quiz>, not <{root.tag}>", line=lines.get(root)))
    return quiz_from_reads(
        list(read_questions(root, lines, source_key=source.key)),
        file=file,
        source=source,
        file_problems=file_problems,
        **quiz,
    )


def read_questions(root: ET.Element, lines: dict[ET.Element, int], *, source_key: str) -> Iterator[QuestionRead]:
    """Each <question> but the categories, as the question it makes or why it cannot be one."""
    taken: set[str] = set()
    for index, element in enumerate(root.findall("question"), start=1):
        line = lines.get(element)
        name = element_text(element.find("name"))
        label = name or f"#{index}"
        kind = element.get("type", "")
        if kind == "category":
            continue
        if kind not in SUPPORTED_TYPES:
            yield QuestionRead(
                label,
                line,
                None,
                [f"Moodle question type {kind!r} is not supported; only multichoice and truefalse can be imported"],
            )
            continue
        question, messages = read_question(element, kind, question_key(name, index, taken), source_key)
        messages += pack_question_problems(question, quiz_kind="standard", source_keys={source_key})
        messages = feedback_messages(messages, question, where="general feedback")
        if (
            element.find(".//file") is not None
            or element.find(".//image") is not None
            or any(re.search(r"<img\b", element_text(part), re.IGNORECASE) for part in element.iter("text"))
        ):
            messages.append("has an embedded image; images are not imported from Moodle XML, add it in the admin")
        yield QuestionRead(label, line, question, messages)


def read_xml(content: bytes | str, file: str) -> tuple[ET.Element, dict[ET.Element, int]]:
    """Parse XML with expat, recording each element's line; refuse any DOCTYPE before it is read."""
    builder = ET.TreeBuilder()
    lines: dict[ET.Element, int] = {}
    parser = expat.ParserCreate()
    # Belt and braces: the DOCTYPE handler refuses first, but parameter entities stay off regardless.
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True

    def refuse(*_args) -> None:
        raise _XmlRefused(
            "DOCTYPE and ENTITY declarations are not accepted in a question bank (they can read files "
            "or expand without limit); export the bank from Moodle again or remove the declaration",
            parser.CurrentLineNumber,
        )

    def start(tag: str, attributes: dict[str, str]) -> None:
        lines[builder.start(tag, attributes)] = parser.CurrentLineNumber

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(content, True)
    except _XmlRefused as refused:
        raise BankInvalid([Problem(file, refused.message, line=refused.line)]) from None
    except expat.ExpatError as error:
        raise BankInvalid(
            [Problem(file, f"not well-formed XML: {expat.ErrorString(error.code)}", line=error.lineno)]
        ) from None
    return builder.close(), lines


def read_question(element: ET.Element, kind: str, key: str, source_key: str) -> tuple[PackQuestion, list[str]]:
    """One question from a multichoice or truefalse element, and what only Moodle XML can get wrong."""
    explanation, learning_point = split_general_feedback(rich_text(element.find("generalfeedback")))
    options, messages = [], []
    for number, answer in enumerate(element.findall("answer"), start=1):
        text = plain_text(answer)
        if kind == "truefalse" and text.lower() in {"true", "false"}:
            text = text.capitalize()
        try:
            correct = float(answer.get("fraction", "0")) > 0
        except ValueError:
            messages.append(f"option {number} has a fraction {answer.get('fraction')!r} that is not a number")
            correct = False
        options.append(PackOption(text=text, correct=correct, rationale=rich_text(answer.find("feedback"))))
    if kind == "truefalse":
        pack_kind = TRUE_FALSE
    else:
        single = element_text(element.find("single")).lower()
        # Moodle reads a missing <single> as true, and "false" or "0" as false.
        pack_kind = MULTIPLE if single in {"false", "0"} else SINGLE
    question = PackQuestion(
        key=key,
        kind=pack_kind,
        stem=rich_text(element.find("questiontext")),
        options=options,
        explanation=explanation,
        learning_point=learning_point,
        sources=[source_key],
    )
    return question, messages


def element_text(element: ET.Element | None) -> str:
    """The text of an element or of its <text> child, with any markup nested in it as XML kept.

    HTML belongs in CDATA or escaped, but when it is written as XML elements inside <text>, it is
    put back as markup so the HTML clean-up sees a <script> as a script, not as harmless text.
    """
    if element is None:
        return ""
    inner = element.find("text")
    inner = inner if inner is not None else element
    nested = "".join(ET.tostring(child, encoding="unicode") for child in inner)
    return ((inner.text or "") + nested).strip()


def rich_text(element: ET.Element | None) -> str:
    """A Moodle text field (questiontext, feedback, ...) as Markdown, by its format attribute."""
    if element is None:
        return ""
    return to_markdown(element_text(element), element.get("format", "html"))


def plain_text(element: ET.Element | None) -> str:
    """A Moodle text field as plain text, for fields the site shows without Markdown (option texts)."""
    if element is None:
        return ""
    return to_plain(element_text(element), element.get("format", "html"))


def to_markdown(text: str, text_format: str) -> str:
    if text_format == "markdown":
        return markdown_clean(text)
    if text_format == "plain_text":
        return markdown_escape(text)
    if text_format == "moodle_auto_format":
        text = text.replace("\n", "<br>")
    return html_to_markdown(text)


def to_plain(text: str, text_format: str) -> str:
    if text_format in {"markdown", "plain_text"}:
        return text_clean(text)
    return html_to_plain(text)
