"""Markdown from educators becomes HTML through one sanitiser that lets no script through, once: when it
is written, on every path that writes it, and the HTML is stored beside it."""

import dataclasses
import datetime
import io
import re
import statistics
import tarfile
import time
from pathlib import Path

import nh3
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.db.models import F
from django.test.utils import isolate_apps
from django.urls import reverse

from quizzes.backup import site_backup, site_restore
from quizzes.bank.quizpack import PackOption, PackQuestion, PackQuiz, PackSource
from quizzes.bank.quizpack_reader import parse_pack_files
from quizzes.bank.upload import guess_format
from quizzes.content import CONTENT_DIR
from quizzes.models import BankImport, Choice, Cohort, HotspotRegion, Question, QuestionVersion, Quiz
from quizzes.rich_text import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    MAX_CHARS,
    MAX_DEPTH,
    RichTextField,
    RichTextModel,
    render_markdown,
    rendered_fields,
    rich_text_problems,
)
from quizzes.services.bank_imports import bank_import_check, bank_import_start
from quizzes.services.cohorts import cohort_create, cohort_update
from quizzes.services.content import quiz_packs_save
from quizzes.services.educators import educator_create
from quizzes.versions import answered_question, question_snapshot
from tests.factories import CENTRE_TARGET, make_quiz

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<iframe src="https://evil.example"></iframe>',
    '<div hx-get="/admin/" hx-trigger="load">htmx</div>',
    '<p hx-on:click="alert(1)" data-hx-post="/x">htmx</p>',
    '<button hx-post="/attempts/1/finish/">Finish</button>',
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<form action="https://evil.example"><input name=x></form>',
    '<object data="x.swf"></object><embed src="x.swf">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '"><script>alert(1)</script>',
]
FORBIDDEN = [
    "<script",
    "onerror",
    "onload",
    "javascript:",
    "data:",
    "hx-",
    "<iframe",
    "<style",
    "style=",
    "<form",
    "<object",
    "<embed",
    "<svg",
    "<meta",
    "<img",
    "<button",
    "<input",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_payload_survives_the_sanitiser(payload):
    html = render_markdown(payload).lower()

    for marker in FORBIDDEN:
        assert marker not in html, f"{marker!r} survived in {html!r}"


def test_ordinary_markdown_keeps_its_formatting():
    html = render_markdown("**Bold** and *italic*, a [link](https://radiopaedia.org), and\n\n- a list")

    assert "<strong>Bold</strong>" in html and "<em>italic</em>" in html and "<li>a list</li>" in html
    assert 'href="https://radiopaedia.org"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_tables_from_markdown_survive():
    html = render_markdown("| Condition | Feature |\n|---|---|\n| Sarcoidosis | Perilymphatic nodules |")

    assert "<table>" in html and "<td>Sarcoidosis</td>" in html


# Bounded work: a question's text is rendered on every page that shows it, so no text may take a
# worker down. Before the switch to markdown-it-py, 8-32 KB of unclosed brackets took 11-37 s and
# 300 nested list levels raised RecursionError.

HOSTILE = {
    # pattern repeated to fill the input -> the smaller size (characters); the larger is 4 times it
    "[": 1_000,  # unclosed link brackets
    "![a": 1_000,  # unclosed image openers
    "[a](": 2_000,  # unclosed link destinations
    "<a ": 8_000,  # unclosed tags
    "<http://a": 8_000,  # unclosed autolinks
    "*a **b ": 4_000,  # unmatched emphasis
    "a\n=\n": 4_000,  # setext headings
    "<b>": 8_000,  # nested raw HTML
}


def render_seconds(text: str) -> float:
    """Median CPU seconds of five renders (CPU time, so other work on the machine does not count)."""
    runs = []
    for _ in range(5):
        started = time.process_time()
        render_markdown(text)
        runs.append(time.process_time() - started)
    return statistics.median(runs)


@pytest.mark.parametrize("pattern", HOSTILE)
def test_rendering_time_grows_in_proportion_to_hostile_input(pattern):
    size = HOSTILE[pattern]
    small, large = (pattern * size)[:size], (pattern * 4 * size)[: 4 * size]

    assert render_seconds(large) < 8 * render_seconds(small)


@pytest.mark.parametrize(
    "text",
    [
        "".join("  " * level + "- item\n" for level in range(300)),
        "".join("    " * level + "1. item\n" for level in range(300)),
        ">" * 5_000 + " quoted",
        "- " * 5_000 + "item",
        "[" * 50_000,
        "*" * 50_000,
    ],
    ids=["300-nested-bullets", "300-nested-numbers", "5000-nested-quotes", "5000-list-markers", "brackets", "stars"],
)
def test_deep_nesting_renders_without_recursion_error(text):
    assert isinstance(render_markdown(text), str)


def test_a_text_within_the_limits_has_no_problems():
    text = "A stem with a list:\n\n- one\n  - two\n    - three\n\n> a quote\n> > in a quote\n"

    assert rich_text_problems(text, field="Stem") == []


def test_a_text_over_the_size_limit_is_a_problem_naming_its_field():
    problems = rich_text_problems("a" * (MAX_CHARS + 1), field="Explanation")

    assert len(problems) == 1 and problems[0].startswith("Explanation") and f"{MAX_CHARS:,}" in problems[0]


@pytest.mark.parametrize(
    "nested",
    [
        lambda depth: "".join("  " * level + "- item\n" for level in range(depth)),
        lambda depth: ">" * depth + " quoted",
        lambda depth: "".join("> " * (level // 2) + ("- " if level % 2 else "") + "x\n" for level in range(2 * depth)),
    ],
    ids=["lists", "quotes", "quotes-and-lists"],
)
def test_nesting_deeper_than_the_limit_is_a_problem_and_the_limit_itself_is_not(nested):
    assert rich_text_problems(nested(MAX_DEPTH), field="Stem") == []

    problems = rich_text_problems(nested(MAX_DEPTH + 1), field="Stem")
    assert len(problems) == 1 and problems[0].startswith("Stem") and str(MAX_DEPTH) in problems[0]


def test_300_nested_list_levels_are_a_problem():
    assert rich_text_problems("".join("  " * level + "- item\n" for level in range(300)), field="Stem")


def bundled_texts() -> list[str]:
    def texts(value):
        if isinstance(value, str):
            yield value
        elif dataclasses.is_dataclass(value):
            for field in dataclasses.fields(value):
                yield from texts(getattr(value, field.name))
        elif isinstance(value, list | tuple):
            for item in value:
                yield from texts(item)

    packs = parse_pack_files(sorted(CONTENT_DIR.glob("*.yaml")), images_dir=CONTENT_DIR / "images")
    return sorted({text for pack in packs for text in texts(pack)})


def test_every_bundled_text_is_within_the_limits():
    for text in bundled_texts():
        assert rich_text_problems(text, field="Text") == [], text


def python_markdown(text: str) -> str:
    """What rendered rich text before markdown-it-py: Python-Markdown, then the same sanitiser.

    Still installed: the Moodle importer uses it. benchmarks/rich_text.py measures both.
    """
    import markdown

    return nh3.clean(
        markdown.markdown(text, extensions=["tables", "sane_lists"]),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def test_every_bundled_text_renders_as_python_markdown_rendered_it():
    # The one accepted difference: markdown-it puts a line break between block tags, which no page shows.
    def between_tags_collapsed(html: str) -> str:
        return re.sub(r">\s+<", "><", html).strip()

    texts = bundled_texts()
    assert len(texts) > 500
    for text in texts:
        assert between_tags_collapsed(render_markdown(text)) == between_tags_collapsed(python_markdown(text)), text


# --- Stored HTML: every rich text is rendered once, when it is written, and kept in step ----------


def stored_texts() -> list[tuple[str, str, str]]:
    """Every stored rich text: ("quizzes.Question.stem", Markdown, stored HTML)."""
    return [
        (f"{model._meta.label}.{source}", text, stored)
        for model in apps.get_app_config("quizzes").get_models()
        for source, html in rendered_fields(model).items()
        for text, stored in model._base_manager.values_list(source, html)
    ]


RICH_TEXT_FIELDS = {
    f"{model._meta.label}.{source}"
    for model in apps.get_app_config("quizzes").get_models()
    for source in rendered_fields(model)
}


# Every rich text field of the teaching content (a cohort's description is not content).
CONTENT_FIELDS = {
    "quizzes.Quiz.description",
    "quizzes.Question.stage",
    "quizzes.Question.stem",
    "quizzes.Question.explanation",
    "quizzes.Choice.rationale",
    "quizzes.HotspotRegion.feedback",
    "quizzes.AcceptedAnswer.feedback",
    "quizzes.MatchStem.text",
}


def assert_every_text_stored_rendered(*, fields: set[str] = CONTENT_FIELDS) -> None:
    """Every stored HTML is its Markdown rendered now, and each of `fields` held a text with some markup."""
    texts = stored_texts()
    assert [name for name, text, html in texts if html != render_markdown(text)] == []
    assert fields <= {name for name, text, html in texts if "<" in html}


def test_every_rich_text_field_of_the_site_stores_its_html():
    assert CONTENT_FIELDS | {"quizzes.Cohort.description"} <= RICH_TEXT_FIELDS


@pytest.mark.django_db
def test_a_cohorts_description_stores_its_html_when_created_and_changed():
    educator = educator_create(username="teacher", password="a-long-educator-pass-1", display_name="T")
    days = {"starts_on": datetime.date(2026, 3, 1), "ends_on": datetime.date(2026, 5, 31)}
    cohort = cohort_create(created_by=educator, name="Rotation", description="Chest *imaging*", **days)
    assert Cohort.objects.get().description_html == "<p>Chest <em>imaging</em></p>\n"

    cohort_update(cohort=cohort, name="Rotation", description="Now **bold**", **days)

    assert Cohort.objects.get().description_html == "<p>Now <strong>bold</strong></p>\n"


@pytest.mark.django_db
def test_loading_the_bundled_content_stores_every_texts_html():
    call_command("load_content", verbosity=0)

    assert_every_text_stored_rendered()


@pytest.mark.django_db
def test_an_admin_save_stores_the_html_of_the_question_and_its_options(client):
    from tests.test_admin import ADD_QUESTION, question_form

    client.force_login(educator_create(username="teacher", password="a-long-educator-pass-1", display_name="T"))
    quiz = make_quiz(questions=1, kind=Quiz.Kind.CASE)  # a stage only in a case
    form = question_form(quiz, stage="A **stage**.", stem="Which *one*?", explanation="Because `code`.")

    # Opened for a case (?quiz=), the form has a stage.
    assert client.post(f"{ADD_QUESTION}?quiz={quiz.pk}", form).status_code == 302

    question = Question.objects.get(key="new-question")
    assert question.stem_html == "<p>Which <em>one</em>?</p>\n" and "<strong>stage</strong>" in question.stage_html
    assert "<code>code</code>" in question.explanation_html
    assert [choice.rationale_html for choice in question.choices.all()] == [
        "<p>Why Right.</p>\n",
        "<p>Why Wrong.</p>\n",
    ]
    assert_every_text_stored_rendered(fields=set())


@pytest.mark.django_db
def test_an_admin_save_of_a_quiz_stores_its_descriptions_html(client):
    client.force_login(educator_create(username="teacher", password="a-long-educator-pass-1", display_name="T"))
    quiz = make_quiz(questions=0, description="Old.")
    form = {
        "title": quiz.title,
        "slug": quiz.slug,
        "description": "A [link](https://radiopaedia.org).",
        "topic": quiz.topic.pk,
        "kind": quiz.kind,
        "status": quiz.status,
        "order": 0,
        "questions-TOTAL_FORMS": 0,
        "questions-INITIAL_FORMS": 0,
    }

    assert client.post(reverse("admin:quizzes_quiz_change", args=[quiz.pk]), form).status_code == 302

    assert 'href="https://radiopaedia.org"' in Quiz.objects.get().description_html


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["good.gift", "good.xml", "good.yaml"])
def test_importing_a_bank_stores_every_texts_html(name):
    from tests.test_admin import FIXTURES

    fields = {"slug": "imported", "title": "Imported", "topic": "Imports"} if not name.endswith(".yaml") else {}
    job = bank_import_check(
        name=name, data=(FIXTURES / name).read_bytes(), bank_format=guess_format(name), user=None, **fields
    )
    assert bank_import_start(bank_import=job).state == BankImport.State.DONE

    assert Question.objects.exists()
    assert_every_text_stored_rendered(fields={"quizzes.Question.stem", "quizzes.Choice.rationale"})


@pytest.mark.django_db
def test_a_restored_backup_stores_every_texts_html_rendered_again(settings, tmp_path):
    from tests.test_backup import empty_the_site

    call_command("load_content", verbosity=0)
    archive = site_backup(output_dir=tmp_path)
    empty_the_site(Path(settings.MEDIA_ROOT))

    site_restore(archive=archive)

    # The archive holds the Markdown alone: the restore renders it, trusting no HTML from a file.
    assert b"stem_html" not in tarfile.open(archive).extractfile("data.json").read()
    assert_every_text_stored_rendered()


@pytest.fixture
def question(db):
    return make_quiz(questions=1, description="Plain.").questions.get()


def test_saving_changed_markdown_renders_it_again(question):
    question.stem = "Now **bold**?"
    question.save()

    assert Question.objects.get().stem_html == "<p>Now <strong>bold</strong>?</p>\n"


def test_saving_only_the_changed_field_renders_it_again(question):
    question.stem, question.explanation = "Now *this*?", "Not saved."
    question.save(update_fields=["stem"])

    stored = Question.objects.get()
    assert stored.stem_html == "<p>Now <em>this</em>?</p>\n" and "Not saved" not in stored.explanation_html


def test_a_queryset_update_renders_the_texts_it_writes(question):
    Question.objects.filter(pk=question.pk).update(stem="*Updated*", order=5)
    Choice.objects.filter(question=question).update(rationale="`same`")

    assert Question.objects.get().stem_html == "<p><em>Updated</em></p>\n"
    assert {choice.rationale_html for choice in Choice.objects.all()} == {"<p><code>same</code></p>\n"}


def test_a_bulk_update_renders_the_texts_it_writes(question):
    choices = list(question.choices.all())
    for number, choice in enumerate(choices):
        choice.rationale = f"Reason **{number}**."

    Choice.objects.bulk_update(choices, ["rationale"])

    assert [c.rationale_html for c in question.choices.order_by("pk")] == [
        f"<p>Reason <strong>{n}</strong>.</p>\n" for n in range(len(choices))
    ]


def test_a_bulk_create_renders_what_it_creates(question):
    HotspotRegion.objects.bulk_create(
        [HotspotRegion(question=question, shape="ellipse", geometry=CENTRE_TARGET["geometry"], feedback="**Here**.")]
    )

    assert HotspotRegion.objects.get().feedback_html == "<p><strong>Here</strong>.</p>\n"


def test_re_importing_changed_markdown_renders_it_again(question, tmp_path):
    quiz = question.quiz
    pack = quiz_pack_of(quiz, stem="First *version*?")
    quiz_packs_save(packs=[pack], images_dir=tmp_path)
    pack.questions[0].stem, pack.description = "Second **version**?", "A _new_ description."

    quiz_packs_save(packs=[pack], images_dir=tmp_path)

    assert Question.objects.get(quiz=quiz).stem_html == "<p>Second <strong>version</strong>?</p>\n"
    assert Quiz.objects.get(pk=quiz.pk).description_html == "<p>A <em>new</em> description.</p>\n"


def quiz_pack_of(quiz: Quiz, *, stem: str) -> PackQuiz:
    question = quiz.questions.get()
    return PackQuiz(
        file="pack.yaml",
        slug=quiz.slug,
        title=quiz.title,
        description=quiz.description,
        topic=quiz.topic.name,
        kind=quiz.kind,
        status=quiz.status,
        order=0,
        sources=[PackSource(key="pack", title="Pack", publisher="Tests")],
        questions=[
            PackQuestion(
                key=question.key,
                kind="single",
                stem=stem,
                options=[
                    PackOption(text="Right", correct=True, rationale="Yes."),
                    PackOption(text="Wrong", correct=False, rationale="No."),
                ],
                explanation="Because.",
                learning_point="Remember.",
                sources=["pack"],
            )
        ],
    )


def test_the_html_is_never_written_on_its_own_nor_from_an_expression(question):
    with pytest.raises(TypeError, match="update stem instead"):
        Question.objects.filter(pk=question.pk).update(stem_html="<script>alert(1)</script>")
    with pytest.raises(TypeError, match="update it with a string"):
        Question.objects.filter(pk=question.pk).update(stem=F("explanation"))


def test_saving_ignores_html_set_by_hand(question):
    question.stem_html = "<script>alert(1)</script>"
    question.save()

    assert "<script" not in Question.objects.get().stem_html


@pytest.mark.django_db(transaction=True)
def test_migrate_fills_the_html_of_texts_stored_before_their_column(question):
    # As a row saved before the migration that added the column holds it: empty.
    Question._base_manager.update(stem_html="", explanation_html="")

    call_command("migrate", verbosity=0)

    assert_every_text_stored_rendered(fields={"quizzes.Question.stem"})


def test_the_render_command_renders_every_stored_text_again(question):
    # As after a change to the allow-list: HTML stored by the old rules.
    Choice._base_manager.update(rationale_html="<p>old rules</p>")

    call_command("rich_text_render", stdout=io.StringIO())

    assert_every_text_stored_rendered(fields={"quizzes.Choice.rationale"})


@isolate_apps("quizzes")
def test_a_model_with_rich_text_must_keep_its_html_in_step():
    class Plain(models.Model):  # noqa: DJ008 - checked, never saved
        notes = RichTextField()

        class Meta:
            app_label = "quizzes"

    class Kept(RichTextModel):
        notes = RichTextField()

        objects = models.Manager()

        class Meta:
            app_label = "quizzes"

    assert [error.id for error in Plain._meta.get_field("notes").check()] == ["quizzes.E001"]
    assert [error.id for error in Kept._meta.get_field("notes").check()] == ["quizzes.E002"]
    assert {field.name for field in Kept._meta.fields} >= {"notes", "notes_html"}


def test_a_question_read_back_from_an_earlier_version_shows_that_versions_html(question):
    question.stem, question.explanation = "The *first* stem?", "First **explanation**."
    question.save()
    snapshot = question_snapshot(Question.objects.prefetch_related("choices", "regions", "sources").get())
    version = QuestionVersion.objects.create(question=question, number=1, snapshot=snapshot)
    question.stem = "A *changed* stem?"
    question.save()

    shown = answered_question(Question.objects.get(), version)

    assert shown.stem_html == "<p>The <em>first</em> stem?</p>\n"
    assert shown.explanation_html == "<p>First <strong>explanation</strong>.</p>\n"
    assert [choice.rationale_html for choice in shown.choices.all()] == [
        render_markdown(choice.rationale) for choice in question.choices.order_by("order", "pk")
    ]
