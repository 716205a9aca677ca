"""Moodle XML question banks: reading one into a PackQuiz, and writing a quiz out as Moodle XML.

Moodle carries less than quizpack/1 (no learning point, no sources, no stages), so the reader fills
the gaps in fixed, documented ways and the writer puts what has no Moodle field where a Moodle user
still sees it. The text helpers here (HTML to Markdown, Markdown clean-up, general feedback split)
are shared with the GIFT reader, which meets the same HTML and the same gaps.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from xml.parsers import expat

import markdown
from django.utils.text import slugify

from quizzes.bank import BankInvalid, Problem
from quizzes.bank.quizpack import (
    PackOption,
    PackQuestion,
    PackQuiz,
    PackSource,
    pack_question_problems,
    pack_quiz_problems,
)
from quizzes.rules import MULTIPLE, SINGLE, TRUE_FALSE

if TYPE_CHECKING:
    from quizzes.models import Question, Quiz

SUPPORTED_TYPES = {"multichoice", "truefalse"}
KEY_LENGTH = 72  # Question.key holds 80; the rest is room for a "-2" style suffix.
LEARNING_POINT_LENGTH = 400  # Question.learning_point's max_length.
LEARNING_POINT_MARK = "**Learning point:**"

# Elements whose content is never text a reader should see, and may be active content.
DROPPED_ELEMENTS = {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math", "head"}
BLOCK_ELEMENTS = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "aside",
    "blockquote",
    "pre",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "address",
    "center",
}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
SAFE_LINK = re.compile(r"^(https?://|mailto:)[^\s()<>]+$", re.IGNORECASE)
DROPPED_BLOCK = re.compile(
    r"<(script|style|iframe|object|embed|noscript|template|svg|math)\b.*?(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL
)
HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>|<![A-Za-z][^<>]*>|<\?[^<>]*>")
# A "<" that a browser or Markdown could read as the start of a tag; autolinks are left alone.
TAG_OPENER = re.compile(r"<(?!(?:https?|ftp)://|mailto:)(?=[A-Za-z/!?])", re.IGNORECASE)
MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]])")
ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
LINE_START_SPECIALS = re.compile(r"^(?:(\d+)([.)])(?=\s|$)|([#>+=-]))")
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>=|])")
SENTENCE = re.compile(r"(.+?[.!?])(?=\s+[\"'“‘(\[]?[A-Z0-9]|\s*\Z)", re.DOTALL)


class _XmlRefused(Exception):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message, self.line = message, line


def parse_moodle_xml(
    content: bytes | str,
    file: str,
    *,
    slug: str,
    title: str,
    topic: str,
    source: PackSource | None = None,
    description: str = "",
    status: str = "draft",
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
    problems: list[Problem] = []

    def problem(message: str, question: str = "", line: int | None = None) -> None:
        problems.append(Problem(file=file, message=message, question=question, line=line))

    root, lines = read_xml(content, file)
    source = source or PackSource(
        key=f"moodle-import-{slug}"[:80].rstrip("-"), title=file, publisher="Imported from Moodle XML"
    )
    for message in pack_quiz_problems(slug=slug, title=title, topic=topic, sources=[source]):
        problem(message)
    if root.tag != "quiz":
        problem(f"the root element must be <quiz>, not <{root.tag}>", line=lines.get(root))

    questions: list[PackQuestion] = []
    taken: set[str] = set()
    found_any = False
    for index, element in enumerate(root.findall("question"), start=1):
        line = lines.get(element)
        name = element_text(element.find("name"))
        label = name or f"#{index}"
        kind = element.get("type", "")
        if kind == "category":
            continue
        found_any = True
        if kind not in SUPPORTED_TYPES:
            problem(
                f"Moodle question type {kind!r} is not supported; only multichoice and truefalse can be imported",
                label,
                line,
            )
            continue
        question, messages = read_question(element, kind, question_key(name, index, taken), source.key)
        messages += pack_question_problems(question, quiz_kind="standard", source_keys={source.key})
        for message in feedback_messages(messages, question, where="general feedback"):
            problem(message, label, line)
        if (
            element.find(".//file") is not None
            or element.find(".//image") is not None
            or any(re.search(r"<img\b", element_text(part), re.IGNORECASE) for part in element.iter("text"))
        ):
            problem("has an embedded image; images are not imported from Moodle XML, add it in the admin", label, line)
        questions.append(question)
    if not found_any:
        problem("the file has no questions")

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
        questions=questions,
    )


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


class HtmlToText(HTMLParser):
    """HTML to Markdown (or to one line of plain text), dropping every tag it does not translate."""

    def __init__(self, *, as_markdown: bool):
        super().__init__(convert_charrefs=True)
        self.as_markdown = as_markdown
        self.parts: list[str] = []
        self.dropping: list[str] = []
        self.lists: list[list] = []  # [tag, next number] for each open list
        self.links: list[str | None] = []
        self.line_start = True

    def emit(self, markup: str) -> None:
        """Add Markdown markup; plain text keeps only the word break that a line break implies."""
        if not self.as_markdown:
            if "\n" in markup or not markup.strip():
                self.parts.append(" ")
            return
        self.parts.append(markup)
        self.line_start = markup.endswith("\n") or bool(re.fullmatch(r"\n *(- |\d+\. )", markup))

    def emit_closing(self, marker: str) -> None:
        if not self.as_markdown:
            return
        if self.parts and self.parts[-1] == marker:
            # An empty <b></b> would otherwise leave "****", which Markdown reads as a rule.
            self.parts.pop()
            return
        trailing = ""
        if self.parts and self.parts[-1].endswith(" "):
            # "**word **" is not bold in Markdown; the space belongs after the marker.
            self.parts[-1], trailing = self.parts[-1].rstrip(" "), " "
        self.parts.append(marker + trailing)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED_ELEMENTS:
            self.dropping.append(tag)
            return
        if self.dropping:
            return
        if tag in BLOCK_ELEMENTS:
            if tag in {"ul", "ol"}:
                self.lists.append([tag, 1])
            self.emit("\n\n")
        elif tag in HEADINGS:
            self.emit("\n\n")
            self.emit("**")
        elif tag == "li":
            indent = "    " * max(len(self.lists) - 1, 0)
            if self.lists and self.lists[-1][0] == "ol":
                self.emit(f"\n{indent}{self.lists[-1][1]}. ")
                self.lists[-1][1] += 1
            else:
                self.emit(f"\n{indent}- ")
        elif tag == "br":
            self.emit("\n")
        elif tag == "hr":
            self.emit("\n\n---\n\n")
        elif tag in {"strong", "b"}:
            self.emit("**")
        elif tag in {"em", "i"}:
            self.emit("*")
        elif tag in {"td", "th"}:
            self.emit(" ")
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            self.links.append(href if SAFE_LINK.match(href) else None)
            if self.links[-1]:
                self.emit("[")
        elif tag == "img" and dict(attrs).get("alt"):
            self.handle_data(dict(attrs)["alt"])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED_ELEMENTS:
            return
        self.handle_starttag(tag, attrs)
        if tag not in {"br", "hr", "img"}:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.dropping:
            while self.dropping.pop() != tag:
                pass
            return
        if self.dropping:
            return
        if tag in BLOCK_ELEMENTS:
            if tag in {"ul", "ol"} and self.lists:
                self.lists.pop()
            self.emit("\n\n")
        elif tag in HEADINGS:
            self.emit_closing("**")
            self.emit("\n\n")
        elif tag in {"strong", "b"}:
            self.emit_closing("**")
        elif tag in {"em", "i"}:
            self.emit_closing("*")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.emit(f"]({href})")

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        text = re.sub(r"\s+", " ", data)
        if self.as_markdown:
            text = markdown_escape_inline(text)
            if self.line_start:
                text = escape_line_start(text.lstrip())
            if text:
                self.line_start = False
        self.parts.append(text)

    def result(self) -> str:
        self.close()
        text = "".join(self.parts)
        if not self.as_markdown:
            return " ".join(text.split())
        text = "\n".join(line.rstrip() for line in text.split("\n"))
        return re.sub(r"\n{3,}", "\n\n", text).strip()


def html_to_markdown(html_text: str) -> str:
    """HTML as Markdown-ish text: structure kept as Markdown, every tag gone, text escaped."""
    converter = HtmlToText(as_markdown=True)
    converter.feed(html_text)
    return converter.result()


def html_to_plain(html_text: str) -> str:
    """HTML as one line of plain text: tags gone, entities decoded."""
    converter = HtmlToText(as_markdown=False)
    converter.feed(html_text)
    return text_clean(converter.result())


def markdown_escape_inline(text: str) -> str:
    # "<" becomes an entity so text that spelt out a tag ("&lt;script&gt;") stays text in Markdown.
    return MARKDOWN_SPECIALS.sub(r"\\\1", ENTITY_LIKE.sub("&amp;", text)).replace("<", "&lt;")


def escape_line_start(text: str) -> str:
    """Escape what Markdown would read as a heading, quote, list or rule at the start of a line."""
    return LINE_START_SPECIALS.sub(lambda match: f"{match[1]}\\{match[2]}" if match[1] else f"\\{match[3]}", text)


def markdown_escape(text: str) -> str:
    """Plain text as Markdown that shows exactly that text."""
    return "\n".join(escape_line_start(markdown_escape_inline(line.strip())) for line in text.strip().split("\n"))


def remove_tags(text: str) -> str:
    """Remove HTML comments, dropped elements with their content, and tags, until none are left."""
    previous = None
    while previous != text:
        # Repeat, because removing one tag can join its neighbours into a new one ("<scr<b>ipt>").
        previous = text
        text = HTML_TAG.sub("", DROPPED_BLOCK.sub("", HTML_COMMENT.sub("", text)))
    return text


def markdown_clean(text: str) -> str:
    """Markdown with raw HTML removed; any "<" left that could open a tag becomes an entity."""
    return TAG_OPENER.sub("&lt;", remove_tags(text)).strip()


def text_clean(text: str) -> str:
    """Plain text with anything tag-shaped removed, for fields the site shows as plain text."""
    return remove_tags(text).strip()


def markdown_to_plain(text: str) -> str:
    return html_to_plain(markdown.markdown(text))


def split_general_feedback(feedback: str) -> tuple[str, str]:
    """(explanation, learning point) from a general feedback in Markdown.

    A last paragraph starting with "**Learning point:**" is the learning point (this is how the
    exporters write it); otherwise the learning point is the feedback's first sentence.
    """
    paragraphs = [paragraph.strip() for paragraph in re.split(r"\n\s*\n", feedback.strip()) if paragraph.strip()]
    if paragraphs and paragraphs[-1].startswith(LEARNING_POINT_MARK):
        point = paragraphs[-1][len(LEARNING_POINT_MARK) :]
        point = MARKDOWN_ESCAPE.sub(r"\1", " ".join(point.split())).replace("&lt;", "<").replace("&amp;", "&")
        return "\n\n".join(paragraphs[:-1]), shorten(text_clean(point))
    if not paragraphs:
        return "", ""
    return "\n\n".join(paragraphs), shorten(first_sentence(markdown_to_plain(paragraphs[0])))


def join_general_feedback(explanation: str, learning_point: str) -> str:
    """The general feedback the exporters write: the explanation, then the learning point."""
    explanation = explanation.strip().replace("\r\n", "\n")
    if not learning_point.strip():
        return explanation
    return f"{explanation}\n\n{LEARNING_POINT_MARK} {' '.join(learning_point.split())}"


def first_sentence(text: str) -> str:
    text = " ".join(text.split())
    match = SENTENCE.match(text)
    return match.group(1) if match else text


def shorten(text: str) -> str:
    if len(text) <= LEARNING_POINT_LENGTH:
        return text
    return text[: LEARNING_POINT_LENGTH - 1].rsplit(" ", 1)[0] + "…"


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


def question_text_with_stage(question: Question) -> str:
    """The stem, preceded by the case stage: Moodle and GIFT have no stage, and the stem needs it."""
    stem = question.stem.strip().replace("\r\n", "\n")
    stage = question.stage.strip().replace("\r\n", "\n")
    return f"{stage}\n\n{stem}" if stage else stem


def answer_fractions(kind: str, correct: list[bool]) -> list[str]:
    """Moodle grade percentages for each option, right ones first-class and wrong ones penalised.

    single and true/false: 100 for the right option, 0 for the others. multiple: the right options
    share 100 and the wrong ones share -100, so ticking everything scores 0. Moodle accepts only
    its own grade steps (100/n for n up to 10, among others), which covers up to ten of each.
    """
    if kind != MULTIPLE:
        return ["100" if is_correct else "0" for is_correct in correct]
    right = sum(correct)
    wrong = len(correct) - right
    return [percent(100 / right) if is_correct else percent(-100 / wrong) for is_correct in correct]


def percent(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def category_name(name: str) -> str:
    # Moodle separates categories with "/" and reads "//" as a slash within a name.
    return name.replace("/", "//")


def export_moodle_xml(quiz: Quiz) -> str:
    """The quiz as Moodle XML: a category named after topic and quiz, then one question per question.

    Written in Moodle's markdown format (option texts as plain_text), so importing it back here
    gives the same stems, options, rationales and explanations. Moodle has no learning point, so it
    ends the general feedback as "**Learning point:** ..." (which parse_moodle_xml reads back); a
    case stage goes before the stem; sources and images are not written. Hotspot questions are left
    out, with a comment in their place saying so.
    """
    root = ET.Element("quiz")
    category = ET.SubElement(root, "question", type="category")
    set_text(
        ET.SubElement(category, "category"),
        f"$course$/top/{category_name(quiz.topic.name)}/{category_name(quiz.title)}",
    )
    set_text(ET.SubElement(category, "info", format="markdown"), quiz.description)
    for question in quiz.questions.in_quiz_order().prefetch_related("choices"):
        if question.is_hotspot:
            # This site's hotspot questions have no Moodle XML equivalent it could write and read back.
            root.append(
                ET.Comment(
                    f" Left out: {question.key!r} is a hotspot (click on the image) question, "
                    "which Moodle XML export does not support; export a quiz pack to keep it. "
                )
            )
            continue
        is_true_false = question.kind == TRUE_FALSE
        element = ET.SubElement(root, "question", type="truefalse" if is_true_false else "multichoice")
        set_text(ET.SubElement(element, "name"), question.key)
        set_text(ET.SubElement(element, "questiontext", format="markdown"), question_text_with_stage(question))
        set_text(
            ET.SubElement(element, "generalfeedback", format="markdown"),
            join_general_feedback(question.explanation, question.learning_point),
        )
        ET.SubElement(element, "defaultgrade").text = "1.0000000"
        ET.SubElement(element, "penalty").text = "1.0000000" if is_true_false else "0.3333333"
        ET.SubElement(element, "hidden").text = "0"
        if not is_true_false:
            ET.SubElement(element, "single").text = "false" if question.kind == MULTIPLE else "true"
            # The author's order can matter ("None of the above"), so Moodle should not shuffle it.
            ET.SubElement(element, "shuffleanswers").text = "false"
            ET.SubElement(element, "answernumbering").text = "abc"
        choices = list(question.choices.all())
        for choice, grade in zip(
            choices, answer_fractions(question.kind, [c.is_correct for c in choices]), strict=False
        ):
            answer = ET.SubElement(
                element, "answer", fraction=grade, format="moodle_auto_format" if is_true_false else "plain_text"
            )
            set_text(answer, choice.text.strip().lower() if is_true_false else choice.text)
            set_text(ET.SubElement(answer, "feedback", format="markdown"), choice.rationale)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def set_text(parent: ET.Element, text: str) -> None:
    ET.SubElement(parent, "text").text = text.strip().replace("\r\n", "\n")
