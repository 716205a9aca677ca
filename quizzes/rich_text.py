"""The one way person-written text becomes HTML: Markdown, then an nh3 allow-list; its limits; and the
model field that stores the HTML beside the Markdown, so a page never renders it again.

Anything not on the lists below is removed, so scripts, event-handler attributes, htmx attributes
(hx-*), styles, and javascript: or data: URLs never reach a page.

Rich text is rendered once, when it is written (RichTextField: every save, create, bulk_create, update,
bulk_update and restore), and pages print the stored HTML. Rendering must still stay cheap whatever an
author or an imported bank wrote, since a bank of thousands of texts is rendered as it is imported:
markdown-it-py parses in time linear in the text and caps nesting (Python-Markdown, used before, took
11-37 s on 8-32 KB of unclosed brackets and raised RecursionError on 300 nested lists);
`rich_text_problems` holds new text to limits that keep every render small. Figures:
docs/benchmarks.md, "Rendering rich text".

After changing how text renders (the allow-lists, the renderer's options), run
`manage.py rich_text_render` once: it renders every stored text again.
"""

from collections.abc import Iterable
from html.parser import HTMLParser

import nh3
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import signals
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


def plain_excerpt(html: str, length: int = 100) -> str:
    """Rich text's stored HTML (`stem_html`, ...) as one line of plain words (what a reader sees, without
    the markup), cut at a word before `length` characters with "…". Plain text, so the template escapes
    it as any other."""
    parser = TextOnly()
    parser.feed(html)
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


# --- Storing rendered rich text ------------------------------------------------------------------


class PlainInMigrations:
    """Named as a plain TextField in migrations, which import no app code (tests/test_migrations_frozen.py)."""

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs


class RichTextField(PlainInMigrations, models.TextField):
    """Markdown an educator writes, held to the limits above, with its sanitised HTML stored beside it.

    Declaring `stem = RichTextField(...)` adds the column `stem_html` (a RenderedHtmlField): templates
    print `{{ question.stem_html }}` and never render Markdown. The model must be a RichTextModel, and
    every manager's queryset a RichTextQuerySet (a system check says so), which keep the HTML in step
    on the paths that skip a field's pre_save: save(update_fields=...), update() and bulk_update().
    """

    default_validators = [validate_rich_text]

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only)
        if not cls._meta.abstract:
            RenderedHtmlField(source=name).contribute_to_class(cls, html_name(name))
            # loaddata (a backup's restore) saves "raw", which skips every field's pre_save: render here.
            signals.pre_save.connect(self.render_raw, sender=cls)

    def render_raw(self, sender, instance, raw, **kwargs):
        if raw:
            setattr(instance, html_name(self.name), render_markdown(getattr(instance, self.attname)))

    def check(self, **kwargs):
        return [*super().check(**kwargs), *self.check_model_keeps_html_in_step()]

    def check_model_keeps_html_in_step(self) -> list[checks.Error]:
        model = self.model
        if not issubclass(model, RichTextModel):
            return [
                checks.Error(
                    f"{model.__name__} has rich text ({self.name}) but is not a RichTextModel, so "
                    f"save(update_fields=[{self.name!r}]) would leave {html_name(self.name)} behind.",
                    hint="Derive the model from quizzes.rich_text.RichTextModel.",
                    obj=self,
                    id="quizzes.E001",
                )
            ]
        return [
            checks.Error(
                f"{model.__name__}.{manager.name}'s queryset is not a RichTextQuerySet, so its update() would "
                f"leave {html_name(self.name)} behind.",
                hint="Derive the queryset from quizzes.rich_text.RichTextQuerySet.",
                obj=self,
                id="quizzes.E002",
            )
            for manager in model._meta.managers
            if not issubclass(manager._queryset_class, RichTextQuerySet)
        ]


class RenderedHtmlField(PlainInMigrations, models.TextField):
    """The sanitised HTML of the RichTextField `source`, written only by render_markdown.

    Every write renders it from the Markdown: pre_save on save and bulk_create, RichTextField.render_raw
    on a restore, RichTextQuerySet on update and bulk_update. Nothing else writes the column, so what
    it holds is render_markdown's output and is marked safe as it is read (from_db_value).
    """

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        # Derived, so never typed in a form, nor written to a backup: the restore renders it again.
        kwargs |= {"editable": False, "serialize": False, "blank": True, "default": ""}
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        html = render_markdown(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, html)
        return html

    def from_db_value(self, value, expression, connection):
        # Safe to print as it is: only render_markdown's sanitised output is ever stored here (above).
        return value if value is None else mark_safe(value)


def html_name(source: str) -> str:
    return f"{source}_html"


def rendered_fields(model) -> dict[str, str]:
    """The model's rich text fields, each with its HTML column's name: {"stem": "stem_html", ...}."""
    return {field.source: field.name for field in model._meta.concrete_fields if isinstance(field, RenderedHtmlField)}


class RichTextQuerySet(models.QuerySet):
    """update() and bulk_update() that render the HTML of every rich text they write."""

    def update(self, **kwargs):
        fields = rendered_fields(self.model)
        for source, html in fields.items():
            if html in kwargs and source not in kwargs:
                raise TypeError(f"{html} is rendered from {source}: update {source} instead.")
            if isinstance(kwargs.get(source), str):
                kwargs[html] = render_markdown(kwargs[source])
            elif source in kwargs and html not in kwargs:
                # An expression's value is known only to the database, so its HTML cannot be rendered.
                raise TypeError(f"{source} is rich text: update it with a string, or save the objects.")
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        objs, fields = list(objs), list(fields)
        for source, html in rendered_fields(self.model).items():
            if source in fields:
                for obj in objs:
                    setattr(obj, html, render_markdown(getattr(obj, source)))
                fields.append(html)
        # Django's bulk_update writes through update(), with each field's values as one CASE expression.
        return super().bulk_update(objs, fields, batch_size=batch_size)


def html_rendered[M: models.Model](instance: M) -> M:
    """`instance`, built in memory and never saved (a question read back from a version's snapshot), with
    the HTML of its rich text rendered as saving would store it."""
    for source, html in rendered_fields(type(instance)).items():
        setattr(instance, html, render_markdown(getattr(instance, source)))
    return instance


class RichTextModel(models.Model):
    """A model with RichTextFields: save(update_fields=[...]) also writes the HTML of the texts it names."""

    objects = RichTextQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, update_fields: Iterable[str] | None = None, **kwargs):
        if update_fields is not None:
            fields, named = rendered_fields(type(self)), list(update_fields)
            update_fields = [*named, *(fields[name] for name in named if name in fields)]
        super().save(*args, update_fields=update_fields, **kwargs)


def rich_text_render_stored(*, apps: Apps = global_apps, missing_only: bool = False, batch_size: int = 500) -> int:
    """Render stored rich text again and store its HTML; returns how many texts were written.

    `missing_only`: only texts with no HTML yet (rows saved before their HTML column existed), which
    post_migrate fills after every migrate. `apps`: the models as the database holds them (post_migrate's
    migration state), so a column a later migration adds is not asked for.
    """
    written = 0
    for model in global_apps.get_models():
        try:
            stored = apps.get_model(model._meta.label)
        except LookupError:
            continue
        columns = {field.name for field in stored._meta.concrete_fields}
        for source, html in rendered_fields(model).items():
            if html not in columns:
                continue
            rows = stored._base_manager.order_by("pk")
            if missing_only:
                rows = rows.exclude(**{source: ""}).filter(**{html: ""})
            last = 0
            # In batches by primary key: never the whole table in memory, never a cursor open while writing.
            while batch := list(rows.filter(pk__gt=last).values_list("pk", source)[:batch_size]):
                rendered = [stored(pk=pk, **{html: render_markdown(text)}) for pk, text in batch]
                written += stored._base_manager.bulk_update(rendered, [html])
                last = batch[-1][0]
    return written
