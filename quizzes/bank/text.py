"""Text as the Moodle XML and GIFT readers and writers meet it: HTML or Markdown from another system
made into this site's Markdown (every tag stripped, anything that could open one escaped), and the
general feedback that carries an explanation and a learning point in one field."""

import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import markdown

LEARNING_POINT_LENGTH = 400  # Question.learning_point's max_length.
LEARNING_POINT_MARK = "**Learning point:**"
# How the exporters name the sources a question cites, for one source and for several.
SOURCES_MARKS = ("**Source:**", "**Sources:**")

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
MARKDOWN_IMAGE = re.compile(r"!\[(?P<alt>[^\[\]\n]*)\]\((?P<src>[^()\s]*)(?:\s+\"[^\"\n]*\")?\)")
# A "<" that a browser or Markdown could read as the start of a tag; autolinks are left alone.
TAG_OPENER = re.compile(r"<(?!(?:https?|ftp)://|mailto:)(?=[A-Za-z/!?])", re.IGNORECASE)
MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]])")
ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
LINE_START_SPECIALS = re.compile(r"^(?:(\d+)([.)])(?=\s|$)|([#>+=-]))")
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>=|])")
SENTENCE = re.compile(r"(.+?[.!?])(?=\s+[\"'“‘(\[]?[A-Z0-9]|\s*\Z)", re.DOTALL)


@dataclass(frozen=True)
class EmbeddedImage:
    """An image a text refers to: where it is (a URL, a data: URL, Moodle's @@PLUGINFILE@@/name) and its alt text."""

    src: str
    alt: str


# One token of HTML: a comment (an unclosed one runs to the end, as in a browser), a declaration or
# processing instruction, a tag, or a run of text. Tags hold no "<" or ">", so every failed match
# stops at the next one and tokenizing is linear in the input, however the markup is nested.
HTML_TOKEN = re.compile(
    r"(?P<comment><!--.*?(?:-->|\Z))"
    r"|(?P<declaration><[!?][^<>]*>)"
    r"|<(?P<closing>/?)(?P<tag>[A-Za-z][A-Za-z0-9:-]*)(?P<attributes>[^<>]*)>"
    r"|(?P<text>[^<]+|<)",
    re.DOTALL,
)
ATTRIBUTE = re.compile(r"""([^\s"'=/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"']+))?""")
LIST_DEPTH = 4  # Deeper lists are written at this depth, so the output stays as long as the input.


def html_tokens(html_text: str) -> Iterator[tuple[str, str, dict[str, str]]]:
    """("start" | "end" | "data", tag or text, attributes) for the HTML, with entities decoded and
    comments, declarations and every dropped element (with its content) left out."""
    for kind, value, attributes in raw_tokens(html_text):
        yield kind, html.unescape(value) if kind == "data" else value, attributes


def html_attributes(text: str) -> dict[str, str]:
    attributes = {}
    for name, value in ATTRIBUTE.findall(text):
        attributes.setdefault(name.lower(), html.unescape(value[1:-1] if value[:1] in "\"'" else value))
    return attributes


class HtmlToText:
    """HTML to Markdown (or to one line of plain text), dropping every tag it does not translate.

    Images are not text: each one is collected in `images` (where it is and its alt text) and leaves
    a word break, so neither its alt text nor the words either side run into the stem.
    """

    def __init__(self, *, as_markdown: bool):
        self.as_markdown = as_markdown
        self.parts: list[str] = []
        self.lists: list[list] = []  # [tag, next number] for each open list
        self.links: list[str | None] = []
        self.images: list[EmbeddedImage] = []
        self.line_start = True
        # Emphasis opened and not yet closed: (marker, its index in parts). One left open at the end
        # (an unclosed <b>, which a browser would close) is taken out, so no stray "**" shows.
        self.open_marks: list[tuple[str, int]] = []

    def feed(self, html_text: str) -> None:
        for kind, value, attributes in html_tokens(html_text):
            if kind == "data":
                self.handle_data(value)
            elif kind == "start":
                self.handle_starttag(value, attributes)
            else:
                self.handle_endtag(value)

    def emit(self, markup: str) -> None:
        """Add Markdown markup; plain text keeps only the word break that a line break implies."""
        if not self.as_markdown:
            if "\n" in markup or not markup.strip():
                self.parts.append(" ")
            return
        self.parts.append(markup)
        self.line_start = markup.endswith("\n") or bool(re.fullmatch(r"\n *(- |\d+\. )", markup))

    def emit_opening(self, marker: str) -> None:
        if self.as_markdown:
            self.open_marks.append((marker, len(self.parts)))
        self.emit(marker)

    def emit_closing(self, marker: str) -> None:
        if not self.as_markdown:
            return
        opened = next((entry for entry in reversed(self.open_marks) if entry[0] == marker), None)
        if opened is None:
            return  # a closing tag nothing opened: writing its marker would open emphasis instead
        self.open_marks.remove(opened)
        if self.parts and self.parts[-1] == marker:
            # An empty <b></b> would otherwise leave "****", which Markdown reads as a rule.
            self.parts.pop()
            return
        trailing = ""
        if self.parts and self.parts[-1].endswith(" "):
            # "**word **" is not bold in Markdown; the space belongs after the marker.
            self.parts[-1], trailing = self.parts[-1].rstrip(" "), " "
        self.parts.append(marker + trailing)

    def handle_starttag(self, tag: str, attrs: dict[str, str]) -> None:
        if tag in BLOCK_ELEMENTS:
            if tag in {"ul", "ol"}:
                self.lists.append([tag, 1])
            self.emit("\n\n")
        elif tag in HEADINGS:
            self.emit("\n\n")
            self.emit_opening("**")
        elif tag == "li":
            indent = "    " * min(max(len(self.lists) - 1, 0), LIST_DEPTH)
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
            self.emit_opening("**")
        elif tag in {"em", "i"}:
            self.emit_opening("*")
        elif tag in {"td", "th"}:
            self.emit(" ")
        elif tag == "a":
            href = (attrs.get("href") or "").strip()
            self.links.append(href if SAFE_LINK.match(href) else None)
            if self.links[-1]:
                self.emit("[")
        elif tag == "img":
            self.images.append(
                EmbeddedImage((attrs.get("src") or "").strip(), " ".join((attrs.get("alt") or "").split()))
            )
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
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
        elif tag in {"td", "th"}:
            self.emit(" ")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.emit(f"]({href})")

    def handle_data(self, data: str) -> None:
        text = re.sub(r"\s+", " ", data)
        if self.as_markdown:
            text = markdown_escape_inline(text)
            if self.line_start:
                text = escape_line_start(text.lstrip())
            if text:
                self.line_start = False
        self.parts.append(text)

    def result(self) -> str:
        for marker, index in self.open_marks:
            if self.parts[index] == marker:
                self.parts[index] = ""
        text = "".join(self.parts)
        if not self.as_markdown:
            return " ".join(text.split())
        # Spaces left by images and cells collapse, as a browser collapses them; indents stay.
        text = "\n".join(re.sub(r"(?<=\S) {2,}", " ", line).rstrip() for line in text.split("\n"))
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
        # A line that starts with spaces after an image or a cell would read as code in Markdown.
        return re.sub(r"(?m)^ +(?![-\d ])", "", text)


def html_to_markdown(html_text: str, images: list[EmbeddedImage] | None = None) -> str:
    """HTML as Markdown-ish text: structure kept as Markdown, every tag gone, text escaped.

    The images the HTML shows are added to `images`, when given.
    """
    converter = HtmlToText(as_markdown=True)
    converter.feed(html_text)
    if images is not None:
        images.extend(converter.images)
    return converter.result()


def html_to_plain(html_text: str, images: list[EmbeddedImage] | None = None) -> str:
    """HTML as one line of plain text: tags gone, entities decoded; images added to `images`."""
    converter = HtmlToText(as_markdown=False)
    converter.feed(html_text)
    if images is not None:
        images.extend(converter.images)
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
    """Text with HTML comments, dropped elements (with their content) and tags removed, in one pass.

    Removing a tag can join its neighbours into a new one ("<scr<b>ipt>"): the callers neutralise
    whatever "<" is left, rather than removing again and again (quadratic on nested input).
    """
    return "".join(value for kind, value, _ in raw_tokens(text) if kind == "data")


def raw_tokens(text: str) -> Iterator[tuple[str, str, dict[str, str]]]:
    """html_tokens, with text left as written (entities not decoded)."""
    position = 0
    while match := HTML_TOKEN.match(text, position):
        position = match.end()
        if match["text"] is not None:
            yield "data", match["text"], {}
        elif match["tag"] is None:
            continue
        elif match["closing"]:
            yield "end", match["tag"].lower(), {}
        elif match["tag"].lower() in DROPPED_ELEMENTS:
            # Skip to the element's end (or the text's): its content is never shown.
            close = re.compile(rf"</{match['tag']}\s*>", re.IGNORECASE).search(text, position)
            position = close.end() if close else len(text)
        else:
            yield "start", match["tag"].lower(), html_attributes(match["attributes"])


def markdown_images(text: str, images: list[EmbeddedImage]) -> str:
    """Markdown with its images (![alt](src) and <img> tags) taken out into `images`, a space in their place."""

    def take(match: re.Match) -> str:
        images.append(EmbeddedImage(match["src"].strip(), " ".join(match["alt"].split())))
        return " "

    text = MARKDOWN_IMAGE.sub(take, text)
    for kind, value, attributes in raw_tokens(text):
        if kind == "start" and value == "img":
            images.append(
                EmbeddedImage((attributes.get("src") or "").strip(), " ".join((attributes.get("alt") or "").split()))
            )
    return text


def markdown_clean(text: str, images: list[EmbeddedImage] | None = None) -> str:
    """Markdown with raw HTML removed; any "<" left that could open a tag becomes an entity.

    Images (Markdown or <img>) are added to `images` when given; otherwise they are dropped too.
    """
    text = markdown_images(text, images if images is not None else [])
    # An <img> leaves a word break, like any tag that separates words in a browser.
    text = re.sub(r"<img\b[^<>]*>", " ", text, flags=re.IGNORECASE)
    return TAG_OPENER.sub("&lt;", remove_tags(text)).strip()


def text_clean(text: str) -> str:
    """Plain text with anything tag-shaped removed, for fields the site shows as plain text."""
    return TAG_OPENER.sub("", remove_tags(text)).strip()


def markdown_to_plain(text: str) -> str:
    return html_to_plain(markdown.markdown(text))


def split_general_feedback(feedback: str) -> tuple[str, str, str]:
    """(explanation, learning point, sources named) from a general feedback in Markdown.

    The exporters end the feedback with a "**Learning point:** ..." paragraph and a "**Source:** ..."
    (or "**Sources:**") paragraph; each is taken out wherever it stands among the last paragraphs.
    Without a marked learning point, the learning point is the feedback's first sentence.
    """
    paragraphs = [paragraph.strip() for paragraph in re.split(r"\n\s*\n", feedback.strip()) if paragraph.strip()]
    point = sources = ""
    while paragraphs and (mark := trailing_mark(paragraphs[-1])):
        text = unescaped(paragraphs.pop()[len(mark) :])
        if mark == LEARNING_POINT_MARK:
            point = point or text
        else:
            sources = sources or text
    explanation = "\n\n".join(paragraphs)
    if point:
        return explanation, shorten(text_clean(point)), sources
    if not paragraphs:
        return "", "", sources
    return explanation, shorten(first_sentence(markdown_to_plain(paragraphs[0]))), sources


def trailing_mark(paragraph: str) -> str:
    return next((mark for mark in (LEARNING_POINT_MARK, *SOURCES_MARKS) if paragraph.startswith(mark)), "")


def unescaped(markdown_text: str) -> str:
    """One line of the exporters' Markdown as the plain text it shows."""
    text = MARKDOWN_ESCAPE.sub(r"\1", " ".join(markdown_text.split()))
    return text.replace("&lt;", "<").replace("&amp;", "&").strip()


def join_general_feedback(explanation: str, learning_point: str, citations: Sequence[str] = ()) -> str:
    """The general feedback the exporters write: the explanation, the learning point, then the
    sources cited (Moodle and GIFT have no field for either, and a reader there should see both)."""
    paragraphs = [explanation.strip().replace("\r\n", "\n")]
    if learning_point.strip():
        paragraphs.append(f"{LEARNING_POINT_MARK} {' '.join(learning_point.split())}")
    if citations:
        mark = SOURCES_MARKS[0] if len(citations) == 1 else SOURCES_MARKS[1]
        paragraphs.append(f"{mark} {'; '.join(markdown_escape_inline(' '.join(c.split())) for c in citations)}")
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def first_sentence(text: str) -> str:
    text = " ".join(text.split())
    match = SENTENCE.match(text)
    return match.group(1) if match else text


def shorten(text: str) -> str:
    if len(text) <= LEARNING_POINT_LENGTH:
        return text
    return text[: LEARNING_POINT_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def question_text_with_stage(stage: str, stem: str) -> str:
    """The stem, preceded by the case stage: Moodle and GIFT have no stage, and the stem needs it."""
    stem = stem.strip().replace("\r\n", "\n")
    stage = stage.strip().replace("\r\n", "\n")
    return f"{stage}\n\n{stem}" if stage else stem
