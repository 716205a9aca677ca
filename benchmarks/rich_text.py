"""Rich text rendering benchmark: Python-Markdown against markdown-it-py; prints figures, it is not a test.

    .venv/bin/python benchmarks/rich_text.py

Both go through the same nh3 sanitiser with the same allow-lists: "markdown-it-py" is the site's
render_markdown, "Python-Markdown" is what it rendered with before (tables and sane_lists). Measured:
every text of the bundled pack rendered once (the median of 5 rounds), then hostile inputs of
growing size, each the median CPU time of 3 renders. Python-Markdown stops at the first size that
takes longer than --ceiling seconds, so the run stays bounded (about 15 minutes on 2 cores,
almost all of it Python-Markdown; `--only nested` runs the nesting rows alone).
"""

import argparse
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings.test")

import django

django.setup()

from quizzes.rich_text import render_markdown  # noqa: E402
from tests.test_rich_text import bundled_texts, python_markdown  # noqa: E402


def nested_list(size: int, indent: str) -> str:
    return "".join(indent * level + "- a\n" for level in range(math.isqrt(size) + 1))[:size]


HOSTILE = {
    "unclosed brackets `[`": lambda size: "[" * size,
    "unclosed images `![a`": lambda size: ("![a" * size)[:size],
    "unclosed links `[a](`": lambda size: ("[a](" * size)[:size],
    "unclosed tags `<a `": lambda size: ("<a " * size)[:size],
    "setext headings `a\\n=\\n`": lambda size: ("a\n=\n" * size)[:size],
    # Each level indented more than the last (CommonMark nests at 2 spaces, Python-Markdown at 4), cut at
    # the size: 128,000 characters hold about 350 levels at 2 spaces, 250 at 4.
    "nested lists, 2 spaces a level": lambda size: nested_list(size, "  "),
    "nested lists, 4 spaces a level": lambda size: nested_list(size, "    "),
    "nested quotes `>`": lambda size: ">" * size + " a",
}
SIZES = (1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 128_000)


RENDERERS = {"Python-Markdown": python_markdown, "markdown-it-py": render_markdown}


def cpu_seconds(render, text: str, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.process_time()
        try:
            render(text)
        except RecursionError:
            return float("inf")
        times.append(time.process_time() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ceiling", type=float, default=5.0, help="Seconds past which a renderer stops growing.")
    parser.add_argument("--only", default="", help="Measure only the hostile inputs whose label holds this.")
    options = parser.parse_args()
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, {platform.platform()}")

    texts = [] if options.only else bundled_texts()
    print(f"\nBundled pack: {len(texts)} texts, {sum(map(len, texts)):,} characters, all rendered once")
    for name, render in RENDERERS.items():
        rounds = []
        for _ in range(5):
            started = time.process_time()
            for text in texts:
                render(text)
            rounds.append(time.process_time() - started)
        print(f"  {name:16} {statistics.median(rounds) * 1000:8.1f} ms")

    print("\nHostile inputs: CPU ms per render by input size in characters")
    print(f"  {'input':34} {'renderer':16} " + " ".join(f"{size:>9,}" for size in SIZES))
    for label, make in HOSTILE.items():
        if options.only not in label:
            continue
        for name, render in RENDERERS.items():
            cells = []
            for size in SIZES:
                seconds = cpu_seconds(render, make(size)) if not cells or cells[-1][1] < options.ceiling else None
                cells.append((size, seconds if seconds is not None else float("nan")))
            shown = ["Recursion" if s == float("inf") else ("-" if s != s else f"{s * 1000:9.1f}") for _, s in cells]
            print(f"  {label:34} {name:16} " + " ".join(f"{cell:>9}" for cell in shown))


if __name__ == "__main__":
    main()
