"""An educator checks a GIFT bank with a dry run, sees what will be imported and skipped, and imports
the same file without choosing it again; the pages pass axe."""

import re

import pytest
from playwright.sync_api import expect

from quizzes.models import Question, Quiz
from quizzes.services.educators import educator_create
from tests.bank import FIXTURES

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_educator_dry_runs_a_gift_bank_then_imports_the_checked_file(page, assert_accessible):
    educator_create(username="teacher", password="a-long-educator-pass-1")
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill("a-long-educator-pass-1")
    page.get_by_role("button", name="Log in").click()

    page.goto("/admin/quizzes/quiz/import/")
    assert_accessible(page)
    page.get_by_label("File:").set_input_files(str(FIXTURES / "gift-mixed.gift"))
    page.get_by_label("Format:").select_option(label="GIFT (.gift, .txt)")
    page.get_by_label("Slug:").fill("chest-bank")
    page.get_by_label("Title:").fill("Chest bank")
    page.get_by_label("Topic:").fill("Chest")
    page.get_by_role("button", name="Dry run").click()

    expect(page.get_by_role("heading", name=re.compile(r"gift-mixed\.gift: "))).to_be_visible()
    expect(page.get_by_text("Dry run passed; nothing was saved.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"questions? skipped"))).to_be_visible()
    assert not Quiz.objects.filter(slug="chest-bank").exists()
    assert_accessible(page)

    page.get_by_role("button", name="Import this checked file").click()

    expect(page.get_by_text(re.compile(r"Imported 1 quiz"))).to_be_visible()
    assert_accessible(page)
    quiz = Quiz.objects.get(slug="chest-bank")
    assert Question.objects.filter(quiz=quiz).count() >= 3
