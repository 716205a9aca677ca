"""Text as the Moodle XML and GIFT readers and writers meet it: HTML or Markdown from another system
made into this site's Markdown (every tag stripped, anything that could open one escaped), and the
general feedback that carries an explanation and a learning point in one field."""

import re
from html.parser import HTMLParser

import markdown

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


def question_text_with_stage(stage: str, stem: str) -> str:
    """The stem, preceded by the case stage: Moodle and GIFT have no stage, and the stem needs it."""
    stem = stem.strip().replace("\r\n", "\n")
    stage = stage.strip().replace("\r\n", "\n")
    return f"{stage}\n\n{stem}" if stage else stem
