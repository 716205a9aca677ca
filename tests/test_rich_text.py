"""Markdown from educators becomes HTML through one sanitiser that lets no script through."""

import pytest

from quizzes.rich_text import render_markdown

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
