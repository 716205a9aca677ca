"""The one way person-written text becomes HTML: Markdown, then an nh3 allow-list; and its limits.

Anything not on the lists below is removed, so scripts, event-handler attributes, htmx attributes
(hx-*), styles, and javascript: or data: URLs never reach a page.

A question's text is rendered on every page that shows it, so rendering must stay cheap whatever an
author or an imported bank wrote. markdown-it-py parses in time linear in the text and caps nesting
(Python-Markdown, used before, took 11-37 s on 8-32 KB of unclosed brackets and raised RecursionError
on 300 nested lists); `rich_text_problems` holds new text to limits that keep every render small.
Figures: docs/benchmarks.md, "Rendering rich text".
"""

from html.parser import HTMLParser

import nh3
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "sub",
    "sup",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set()}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# About 1,500 words: twenty times the longest text in the bundled pack (532 characters), and small
# enough that the worst text renders in a fraction of a second.
MAX_CHARS = 10_000
# Lists and block quotes inside one another. Three levels is already hard to follow on a phone;
# six leaves room for a quoted list of lists, and the bundled pack nests none.
MAX_DEPTH = 6
# markdown-it stops nesting past this many tokens deep (a list level is two: the list and its item),
# which is what keeps hostile text from recursing without bound. Well above MAX_DEPTH's need (a
# table inside the deepest allowed lists), so text within the limits renders whole.
RENDERER_MAX_NESTING = 50

MARKDOWN = MarkdownIt("commonmark", {"maxNesting": RENDERER_MAX_NESTING}).enable("table")
# Raw HTML goes to the sanitiser, whose HTML parser slows down quadratically on deeply nested tags.
# A text over the size limit (only one stored before the limit existed) shows its raw HTML as text.
MARKDOWN_WITHOUT_HTML = MarkdownIt("commonmark", {"maxNesting": RENDERER_MAX_NESTING, "html": False}).enable("table")

for renderer in (MARKDOWN, MARKDOWN_WITHOUT_HTML):
    # One list of URL schemes decides, ALLOWED_URL_SCHEMES in the sanitiser, which drops a link's
    # disallowed URL and keeps its text (markdown-it's own check would show the whole link as text).
    renderer.validateLink = lambda url: True

CONTAINERS = {"bullet_list", "ordered_list", "blockquote"}


def render_markdown(text: str) -> SafeString:
    text = text or ""
    renderer = MARKDOWN if len(text) <= MAX_CHARS else MARKDOWN_WITHOUT_HTML
    cleaned = nh3.clean(
        renderer.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)


# The allowed elements that sit within a line: every other one's edge is a space in plain text.
INLINE_TAGS = {"a", "strong", "em", "b", "i", "sub", "sup", "code"}


class TextOnly(HTMLParser):
    """The words of rendered HTML, each block's edge a space (so paragraphs do not run together)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag, attrs) -> None:
        if tag not in INLINE_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag) -> None:
        if tag not in INLINE_TAGS:
            self.parts.append(" ")


def plain_excerpt(text: str, length: int = 100) -> str:
    """Rich text as one line of plain words (what a reader sees, without the markup), cut at a word
    before `length` characters with "…". Plain text, so the template escapes it as any other."""
    parser = TextOnly()
    parser.feed(render_markdown(text))
    parser.close()
    words = " ".join("".join(parser.parts).split())
    if len(words) <= length:
        return words
    return words[:length].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def rich_text_problems(text: str, *, field: str) -> list[str]:
    """What keeps `text` from being saved as rich text, each problem starting with `field`'s name."""
    if len(text) > MAX_CHARS:
        return [f"{field} is {len(text):,} characters long; rich text may be at most {MAX_CHARS:,}."]
    if nesting_depth(text) > MAX_DEPTH:
        return [f"{field} nests lists or block quotes more than {MAX_DEPTH} levels deep; flatten it."]
    return []


def nesting_depth(text: str) -> int:
    """How deep lists and block quotes sit inside one another (capped where the renderer stops)."""
    depth = deepest = 0
    for token in MARKDOWN.parse(text):
        kind = token.type.removesuffix("_open").removesuffix("_close")
        if kind in CONTAINERS:
            depth += token.nesting
            deepest = max(deepest, depth)
    return deepest


def validate_rich_text(text: str) -> None:
    """The limits of rich_text_problems as a model-field validator, so every form that edits a rich text
    field (the admin's, and any later one) refuses what the bank importers refuse."""
    problems = rich_text_problems(text, field="This text")
    if problems:
        raise ValidationError(problems)
