"""docs/content-coverage.md stays true to the pack: every question it names exists, and every question is on it."""

import re

import pytest

from quizzes.bank.quizpack_reader import parse_pack_files
from quizzes.content import CONTENT_DIR
from quizzes.content.lint import REPO_ROOT

CHECKLIST = REPO_ROOT / "docs" / "content-coverage.md"


@pytest.fixture(scope="module")
def pack_keys():
    quizzes = parse_pack_files(sorted(CONTENT_DIR.glob("*.yaml")), images_dir=CONTENT_DIR / "images")
    return {f"{quiz.slug}/{question.key}" for quiz in quizzes for question in quiz.questions}


@pytest.fixture(scope="module")
def named_keys(pack_keys):
    slugs = {key.split("/")[0] for key in pack_keys}
    return {
        key for key in re.findall(r"\b[a-z0-9-]+/[a-z0-9-]+\b", CHECKLIST.read_text()) if key.split("/")[0] in slugs
    }


def test_every_question_the_checklist_names_is_in_the_pack(pack_keys, named_keys):
    assert sorted(named_keys - pack_keys) == []


def test_every_question_in_the_pack_tests_a_fact_on_the_checklist(pack_keys, named_keys):
    assert sorted(pack_keys - named_keys) == []
