"""Bank files cannot tie up a worker or reach the database as a 500: aliases refused, parsing time
growing linearly with the input, and every malformed or over-long value a located problem."""

import gc
import time

import pytest

from quizzes.bank import MAX_UPLOAD_BYTES, BankInvalid
from quizzes.bank.gift_reader import parse_gift
from quizzes.bank.moodle_reader import parse_moodle_xml
from quizzes.bank.quizpack import field_length
from quizzes.bank.quizpack_reader import parse_pack, parse_pack_files
from quizzes.models import Choice
from quizzes.rich_text import MAX_CHARS, MAX_DEPTH
from tests.bank.test_quizpack import VALID

QUIZ = {"slug": "imported", "title": "Imported quiz", "topic": "Imports"}
# The 749-byte bomb of issue 16: nine levels of aliases, each ten times the last.
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def problems_of(text, file="sample.yaml"):
    with pytest.raises(BankInvalid) as invalid:
        parse_pack(text, file)
    return [problem.message for problem in invalid.value.problems]


def test_a_yaml_alias_bomb_is_refused_at_its_first_alias_without_expanding_it():
    started = time.perf_counter()
    messages = problems_of(ALIAS_BOMB)

    assert len(ALIAS_BOMB) < 800
    assert messages == ["not valid YAML: aliases (*name) are not accepted in a quiz file; write the value out"]
    assert time.perf_counter() - started < 1  # a bound on the refusal, not a benchmark: it expanded for 18 s


def test_invalid_utf8_in_a_quiz_file_is_a_problem(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_bytes(VALID.encode().replace(b"Which?", b"Which\xff?"))

    with pytest.raises(BankInvalid) as invalid:
        parse_pack_files([path], tmp_path / "images")

    assert [str(problem) for problem in invalid.value.problems] == [
        "broken.yaml: the file is not text in UTF-8; save it as UTF-8 and upload it again"
    ]


def test_topics_that_differ_only_in_case_are_a_problem(tmp_path):
    (tmp_path / "one.yaml").write_text(VALID)
    (tmp_path / "two.yaml").write_text(VALID.replace("slug: sample", "slug: other").replace("Samples", "samples"))

    with pytest.raises(BankInvalid) as invalid:
        parse_pack_files([tmp_path / "one.yaml", tmp_path / "two.yaml"], tmp_path / "images")

    assert [str(problem) for problem in invalid.value.problems] == [
        "two.yaml: topic 'samples' differs from 'Samples' only in case: spell it the same way"
    ]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://example.org/a", "//example.org"])
def test_only_http_and_https_source_urls_are_accepted(url):
    messages = problems_of(VALID.replace("    date: 2022-10-24\n", f"    date: 2022-10-24\n    url: '{url}'\n"))

    assert messages == [f"source doc's url must be an http:// or https:// address, not {url!r}"]


def test_values_longer_than_their_database_column_are_problems_not_database_errors():
    limit = field_length(Choice, "text")
    long_text = "x" * (limit + 1)

    messages = problems_of(VALID.replace("text: Wrong,", f"text: {long_text},"))
    skipped = parse_gift(f"::Long:: Which? {{=A#a ~{long_text}#b ####Why.}}", "long.gift", **QUIZ).skipped

    assert messages == [f"option 2 is {limit + 1} characters long; at most {limit} fit"]
    assert skipped[0].reason == f"option 2 is {limit + 1} characters long; at most {limit} fit"


def test_rich_text_past_the_render_limits_is_a_problem_in_every_format():
    deep = "> " * (MAX_DEPTH + 3) + "quoted"
    long_stem = "Which " * (MAX_CHARS // 6 + 1)

    messages = problems_of(VALID.replace("stem: Which?", f"stem: '{long_stem}'"))
    skipped = parse_gift(f"::Deep:: [markdown]Which? {{=A#{deep} ~B#b ####Why.}}", "deep.gift", **QUIZ).skipped

    assert messages[0].startswith(f"the stem is {len(long_stem.strip()):,} characters long")
    assert (
        skipped[0].reason
        == f"option 1's rationale nests lists or block quotes more than {MAX_DEPTH} levels deep; flatten it."
    )


def test_the_upload_size_limit_is_stated_in_megabytes():
    assert MAX_UPLOAD_BYTES == 10 * 1024 * 1024


def grows_linearly(parse, make, size) -> tuple[float, float]:
    """(time for `size`, time for 4 x `size`), each the fastest of five runs.

    The two sizes are timed in turn, so a busy spell on the shared machine slows both alike; the
    fastest run is the steadiest measure of the parser's own work (other work only adds time); and
    the garbage collector is paused, as timeit pauses it, since a collection's pause depends on
    whatever else is in memory.
    """
    contents = (make(size), make(4 * size))
    times: tuple[list[float], list[float]] = ([], [])
    gc.disable()
    try:
        for _ in range(5):
            for content, runs in zip(contents, times, strict=True):
                started = time.perf_counter()
                parse(content)
                runs.append(time.perf_counter() - started)
    finally:
        gc.enable()
    return min(times[0]), min(times[1])


def gift(content):
    return parse_gift(content, "big.gift", **QUIZ)


def moodle(content):
    return parse_moodle_xml(content, "big.xml", **QUIZ)


NESTED_GIFT = {
    "nested tags": lambda n: "::Q::[html]" + "<scr" * n + "ipt>" * n + " {=A#a ~B#b ####Why.}",
    "unclosed tags": lambda n: "::Q::[html]" + "<a " * n + " {=A#a ~B#b ####Why.}",
    "nested lists": lambda n: "::Q::[html]" + "<ul><li>" * n + " {=A#a ~B#b ####Why.}",
    # The cheap cases are made larger, so each run takes long enough to time above the machine's noise.
    "open comments": lambda n: "::Q::[html]" + "<!--" * (10 * n) + " {=A#a ~B#b ####Why.}",
    "many questions": lambda n: "::Q:: Which? {=A#a ~B#b ####Why.}\n\n" * (n // 40),
    "open answer sets": lambda n: "::Q:: Which? {=A\n\n" * (n // 2),
}


@pytest.mark.parametrize("make", NESTED_GIFT.values(), ids=NESTED_GIFT.keys())
def test_gift_parsing_time_grows_linearly_with_the_input(make):
    small, large = grows_linearly(gift, make, 10_000)

    assert large < 8 * small, (small, large)


MOODLE = {
    "nested tags": lambda n: (
        '<quiz><question type="multichoice"><name><text>Q</text></name><questiontext format="html"><text>'
        + "&lt;scr" * n
        + "ipt&gt;" * n
        + '</text></questiontext><answer fraction="100"><text>A</text></answer>'
        '<answer fraction="0"><text>B</text></answer></question></quiz>'
    ),
    "many questions": lambda n: (
        "<quiz>"
        + (
            '<question type="multichoice"><name><text>Q</text></name><questiontext><text>Which?</text></questiontext>'
            '<answer fraction="100"><text>A</text></answer><answer fraction="0"><text>B</text></answer></question>'
        )
        * (n // 20)
        + "</quiz>"
    ),
}


@pytest.mark.parametrize("make", MOODLE.values(), ids=MOODLE.keys())
def test_moodle_xml_parsing_time_grows_linearly_with_the_input(make):
    small, large = grows_linearly(moodle, make, 10_000)

    assert large < 8 * small, (small, large)
