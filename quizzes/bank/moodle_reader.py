"""Moodle XML question banks read into a PackQuiz, question by question (Moodle's qformat_xml).

Every multichoice, truefalse, shortanswer and match question comes in; every other type is skipped
with its line, its type and why; `category` entries are only Moodle's folders and are passed over. Moodle carries less
than quizpack/1 (no learning point, no sources), so the reader fills the gaps in fixed, documented
ways (see parse_moodle_xml).
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Unpack
from urllib.parse import unquote
from xml.parsers import expat

from quizzes.bank import UTF8, BankInvalid, Problem, bank_text
from quizzes.bank.embedded import PLUGINFILE, base64_bytes, embedded_files, question_image
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

FEEDBACK_FIELD = "general feedback"
COMBINED_FEEDBACK = {
    "correctfeedback": "correct",
    "partiallycorrectfeedback": "partially correct",
    "incorrectfeedback": "incorrect",
}
XML_DECLARATION = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


class _XmlRefused(Exception):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message, self.line = message, line


def parse_moodle_xml(
    content: bytes | str,
    file: str,
    **quiz: Unpack[ImportedQuiz],
) -> PackQuiz:
    """The questions of a Moodle XML export that the site can hold, and the others as skipped.

    BankInvalid only when the file cannot be read at all (not XML, not a <quiz>, not decodable, a
    DOCTYPE) or the educator's quiz fields are wrong.

    How Moodle's fields become quizpack's:
    - `<name>` slugified is the question key (repeats get -2, -3, ...); `<idnumber>` and `<tags>` are
      kept. Skips and warnings name the question by its Moodle name and the line of its `<question>`.
    - `<single>true</single>` (Moodle's default) is a single-answer question, `false` a
      multiple-select one; `shortanswer` a short-answer question and `match` (or the older
      `matching`) a matching one (see read_shortanswer and read_match). Each answer's `fraction` / 100 is its weight, kept exactly (partial and
      negative ones too); in a multiple-select question every option with a weight above 0 is
      right, in a single-answer one the option with the highest weight.
    - Each answer's `<feedback>` is that option's rationale and `<generalfeedback>` the explanation;
      a missing one is a warning. Its last paragraph, if it starts with "**Learning point:**" (as
      export_moodle_xml writes it), is the learning point; otherwise its first sentence.
    - Text is read by its `format`: html and moodle_auto_format become Markdown with every tag
      stripped (script and style elements with their content) and line breaks kept; markdown keeps
      its Markdown without raw HTML; plain_text is escaped so it shows as written.
    - The first image the question text shows (`@@PLUGINFILE@@/name` with its base64 `<file>`, or a
      data: URL) becomes the question's image, with its alt text; any other image is a warning.
    - Hints, combined feedback, a retry penalty, "show the number correct" and a grade other than
      1 have no place here: each is a warning that says it was dropped.
    - Moodle has no sources, so no question cites one (never the file: its name is no citation); the
      site cites the question's authorship instead. Sources an export named in the general feedback
      ("**Source:** ...") are a warning to link them in the admin.

    DOCTYPE and entity declarations are refused before anything in them is read, so external
    entities (XXE) and entity expansion bombs never reach the parser's resolver.
    """
    data, encoding = xml_utf8(content, file)
    root, lines = read_xml(data, file)
    if root.tag != "quiz":
        raise BankInvalid(
            [Problem(file, f"the root element must be <quiz>, not <{root.tag}>: this is not Moodle XML", line=1)]
        )
    keys = QuestionKeys()
    reads = [
        read_question(element, index, lines.get(element), keys)
        for index, element in enumerate(root.findall("question"), start=1)
        if element.get("type") != "category"
    ]
    return quiz_from_reads(reads, file=file, encoding=encoding, **quiz)


def xml_utf8(content: bytes | str, file: str) -> tuple[bytes, str]:
    """The file as UTF-8 bytes for expat, and the encoding it was read in.

    A file that declares its encoding is left to expat; one that does not (or says UTF-8) is read
    as UTF-8, with or without BOM, else as Windows-1252 when that decodes cleanly (an old export
    edited on Windows), with its declaration made to match.
    """
    if isinstance(content, str):
        return content.removeprefix("\ufeff").encode(), UTF8
    declared = XML_DECLARATION.match(content)
    if declared and declared[1].lower() not in {b"utf-8", b"utf8"}:
        return content, declared[1].decode("ascii").upper()
    text, encoding = bank_text(content, file)
    if declared:
        text = text.replace(declared[1].decode("ascii"), "UTF-8", 1)
    return text.encode(), encoding


def read_xml(content: bytes, file: str) -> tuple[ET.Element, dict[ET.Element, int]]:
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
    except (LookupError, ValueError):
        raise BankInvalid([Problem(file, "the XML declaration names an encoding that cannot be read")]) from None
    return builder.close(), lines


class MoodleText:
    """A question's text fields as Markdown or plain text, by their format, collecting the images they show."""

    def __init__(self, element: ET.Element):
        self.default_format = text_format(element.find("questiontext"), "html")
        self.files = embedded_files(element.iter("file"))
        self.images: dict[str, list[EmbeddedImage]] = {}
        # Images shown where the site keeps them besides the question text (a matching stem's).
        self.kept_elsewhere: list[EmbeddedImage] = []

    def rich(self, element: ET.Element | None, where: str) -> str:
        if element is None:
            return ""
        text, images = element_text(element), self.images.setdefault(where, [])
        form = text_format(element, self.default_format)
        if form == "markdown":
            return markdown_clean(text, images)
        if form == "plain_text":
            return markdown_escape(text)
        if form in {"moodle_auto_format", "wiki_like"}:
            text = text.replace("\n", "<br>")
        return html_to_markdown(text, images)

    def plain(self, element: ET.Element | None, where: str) -> str:
        if element is None:
            return ""
        text, images = element_text(element), self.images.setdefault(where, [])
        if text_format(element, self.default_format) in {"markdown", "plain_text"}:
            return text_clean(" ".join(text.split()))
        return html_to_plain(text, images)


def read_question(element: ET.Element, index: int, line: int | None, keys: QuestionKeys) -> QuestionRead:
    """One <question> as the question it makes, or why it is skipped."""
    name = " ".join(element_text(element.find("name")).split())
    texts = MoodleText(element)
    stem = texts.rich(element.find("questiontext"), "the question text")
    label = name or excerpt(stem, index)
    kind = element.get("type", "")
    reader = QUESTION_READERS.get(kind)
    if reader is None:
        return skipped(label, line, kind, SKIPPED_TYPES.get(kind, f"Moodle {kind!r} questions are not supported"))
    found = reader(element, texts)
    explanation, learning_point, cited = split_general_feedback(
        texts.rich(element.find("generalfeedback"), "the general feedback")
    )
    shown = texts.images.pop("the question text") + old_style_image(element, texts.files)
    unshown = unshown_files(texts.files, [shown, texts.kept_elsewhere, *texts.images.values()])
    image = question_image(shown, files=texts.files, elsewhere=texts.images)
    question = PackQuestion(
        key=keys.key(name, index),
        kind=kind_of(element, kind),
        stem=stem,
        options=found.options,
        explanation=explanation,
        learning_point=learning_point,
        sources=[],
        image_file=image.name,
        image_alt=image.alt,
        image_data=image.data,
        idnumber=element_text(element.find("idnumber")),
        tags=unique_tags([element_text(tag) for tag in element.findall("tags/tag")]),
        accepted_answers=found.accepted_answers,
        case_sensitive=found.case_sensitive,
        forgive_typos=found.forgive_typos,
        match_stems=found.match_stems,
        warnings=found.warnings + image.warnings + unshown + dropped(element) + sources_warning(cited),
    )
    return question_read(
        label=label, line=line, kind=kind, question=question, faults=found.faults, feedback_field=FEEDBACK_FIELD
    )


def kind_of(element: ET.Element, kind: str) -> str:
    if kind in PACK_KINDS:
        return PACK_KINDS[kind]
    # Moodle reads a missing <single> as true, and "false", "0" or an empty one as false.
    single = element.find("single")
    return MULTIPLE if single is not None and element_text(single).lower() in {"false", "0", ""} else SINGLE


def read_multichoice(element: ET.Element, texts: MoodleText) -> Answers:
    """The options of a multichoice question."""
    options, faults, warnings = [], [], []
    for number, answer in enumerate(element.findall("answer"), start=1):
        where = f"option {number}"
        text = texts.plain(answer, where)
        if not text and texts.images.get(where):
            text = texts.images[where][0].alt
            if text:
                warnings.append(f"option {number} is an image: its alt text {text!r} stands in for it")
        if not text:
            warnings.append(f"option {number} has no text: left out, as Moodle leaves it out")
            continue
        weight = fraction(answer)
        if weight is None:
            faults.append(f"option {number} has a fraction {answer.get('fraction')!r} that is not a number")
        options.append(
            PackOption(text, False, texts.rich(answer.find("feedback"), f"option {number}'s feedback"), weight)
        )
    warnings += right_options_marked(options, kind_of(element, "multichoice"))
    return Answers(options=options, faults=faults, warnings=warnings)


def read_truefalse(element: ET.Element, texts: MoodleText) -> Answers:
    """The True and False options of a truefalse question.

    Moodle's answers say "true" and "false"; an old export wrote them in the course's language, so
    then, as Moodle does, the first answer is True and the second False.
    """
    answers = element.findall("answer")[:2]
    faults, warnings = [], []
    values = [element_text(answer).strip().lower() for answer in answers]
    if sorted(values) != ["false", "true"]:
        values = ["true", "false"][: len(answers)]
        warnings.append("the answers are not called true and false: the first is taken as True, as Moodle does")
    options = []
    for number, (value, answer) in enumerate(zip(values, answers, strict=True), start=1):
        weight = fraction(answer)
        if weight is None:
            faults.append(f"option {number} has a fraction {answer.get('fraction')!r} that is not a number")
        feedback = texts.rich(answer.find("feedback"), f"option {number}'s feedback")
        options.append(PackOption(value.capitalize(), weight == 1, feedback, weight))
    return Answers(options=sorted(options, key=lambda option: option.text != "True"), faults=faults, warnings=warnings)


def read_shortanswer(element: ET.Element, texts: MoodleText) -> Answers:
    """The accepted answers of a shortanswer question: each `<answer>`'s text as written (Moodle's `*`
    wildcard kept), its fraction / 100 as its weight and its `<feedback>`; `<usecase>1</usecase>` makes
    it case sensitive. Moodle marks typing slips wrong, and has no word for forgiving them: a new
    question takes the site's default, a re-imported one keeps its own."""
    found = Answers(case_sensitive=element.findtext("usecase", "").strip() in {"1", "true"}, forgive_typos=None)
    for number, answer in enumerate(element.findall("answer"), start=1):
        # Moodle compares what is typed with the answer's text itself, so it is not read as HTML.
        text = text_clean(" ".join(element_text(answer).split()))
        if not text:
            found.warnings.append(f"accepted answer {number} has no text: left out, as Moodle leaves it out")
            continue
        weight = fraction(answer)
        if weight is None:
            found.faults.append(
                f"accepted answer {number} has a fraction {answer.get('fraction')!r} that is not a number"
            )
        feedback = texts.rich(answer.find("feedback"), f"accepted answer {number}'s feedback")
        found.accepted_answers.append(PackAnswer(text, weight if weight is not None else Decimal(0), feedback))
    return found


def read_match(element: ET.Element, texts: MoodleText) -> Answers:
    """The options and stems of a match question: each `<subquestion>` with text is a stem, answered
    by its `<answer>`; one with an answer and no text adds that answer to the options only (Moodle's
    extra wrong answer). The options are the distinct answers in the order they first appear, as
    Moodle offers them. The first image a stem shows is its image; a stem that is only an image takes
    its alt text as its text."""
    found = Answers()
    option_numbers: dict[str, int] = {}
    for number, subquestion in enumerate(element.findall("subquestion"), start=1):
        answer = text_clean(" ".join(element_text(subquestion.find("answer")).split()))
        where = f"stem {len(found.match_stems) + 1}"
        text = texts.rich(subquestion, where) if subquestion.find("text") is not None else ""
        images = texts.images.pop(where, [])
        if not answer:
            if text or images:
                found.warnings.append(f"subquestion {number} has no answer: left out, as Moodle leaves it out")
            continue
        if answer not in option_numbers:
            option_numbers[answer] = len(found.options)
            found.options.append(PackOption(answer, False, ""))
        if text or images:
            texts.kept_elsewhere += images
            match_stem_read(found, text=text, images=images, answer=option_numbers[answer], files=texts.files)
    return found


# The Moodle types the site holds, each with the function that reads its answers and the site's kind
# it makes (multichoice's is its <single>): supporting one more type is one entry in each.
QUESTION_READERS: dict[str, Callable[[ET.Element, MoodleText], Answers]] = {
    "multichoice": read_multichoice,
    "truefalse": read_truefalse,
    "shortanswer": read_shortanswer,
    "match": read_match,
    "matching": read_match,
}
PACK_KINDS = {"truefalse": TRUE_FALSE, "shortanswer": SHORT_ANSWER, "match": MATCHING, "matching": MATCHING}


def fraction(answer: ET.Element) -> Decimal | None:
    """The answer's weight, Moodle's fraction (a percentage) / 100; None when it is not a number."""
    try:
        value = Decimal(answer.get("fraction", "0").strip() or "0") / 100
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def dropped(element: ET.Element) -> list[str]:
    """Warnings for what Moodle's question holds and the site has no place for."""
    warnings = []
    hints = [hint for hint in element.findall("hint") if element_text(hint)]
    if hints:
        warnings.append(f"{len(hints)} hint{'s' if len(hints) > 1 else ''} dropped: the site has no hints")
    combined = [label for tag, label in COMBINED_FEEDBACK.items() if element_text(element.find(tag))]
    if combined:
        warnings.append(
            f"combined feedback ({', '.join(combined)}) dropped: the site shows each option's feedback "
            "and the explanation instead"
        )
    penalty = element.findtext("penalty", "").strip()
    try:
        if penalty and Decimal(penalty) > 0:
            warnings.append(
                f"the penalty for each retry ({Decimal(penalty) * 100:.0f}%) dropped: a trainee answers once"
            )
    except InvalidOperation:
        pass
    if element.find("shownumcorrect") is not None:
        warnings.append('"show the number of correct responses" dropped: the site shows which options were right')
    grade = element.findtext("defaultgrade", "").strip()
    try:
        if grade and Decimal(grade) != 1:
            warnings.append(
                f"Moodle's default mark of {Decimal(grade).normalize()} dropped: every question here is worth the same"
            )
    except InvalidOperation:
        pass
    return warnings


def unshown_files(files: dict[str, bytes], images: list[list[EmbeddedImage]]) -> list[str]:
    """Warnings for the files embedded in the question that no text shows as an image (a sound
    linked from the text, a document): the site keeps only the question's image."""
    shown = {
        unquote(image.src[len(PLUGINFILE) :].split("?", 1)[0])
        for field_images in images
        for image in field_images
        if image.src.startswith(PLUGINFILE)
    }
    return [
        f"embedded file {name!r} dropped: the site keeps only the question's image"
        for name in files
        if name not in shown
    ]


def old_style_image(element: ET.Element, files: dict[str, bytes]) -> list[EmbeddedImage]:
    """Moodle 1.9's <image> (a file name or URL), with its bytes in <image_base64>, shown above the text."""
    name = element.findtext("image", "").strip()
    if not name:
        return []
    data = base64_bytes(element.findtext("image_base64", ""))
    if data is None:
        return [EmbeddedImage(name, "")]
    files[name] = data
    return [EmbeddedImage(PLUGINFILE + name, "")]


def text_format(element: ET.Element | None, default: str) -> str:
    return (element.get("format") if element is not None else None) or default


def element_text(element: ET.Element | None) -> str:
    """The text of an element or of its <text> child, with any markup nested in it as XML kept.

    HTML belongs in CDATA or escaped, but when it is written as XML elements inside <text>, it is
    put back as markup so the HTML clean-up sees a <script> as a script, not as harmless text.
    """
    if element is None:
        return ""
    inner = element.find("text")
    inner = inner if inner is not None else element
    nested = "".join(ET.tostring(child, encoding="unicode") for child in inner if child.tag != "file")
    return ((inner.text or "") + nested).strip()
