"""From the quiz to its questions and back: the quiz page's tools, lists that say what a question is in
plain words, a confirmation before publishing, and a bank file kept across a refused or checked import."""

import re

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from quizzes.models import BankImport, Question, Quiz
from tests.factories import make_question, make_quiz
from tests.test_admin import IMPORT, good_gift, upload

pytestmark = pytest.mark.django_db


def test_the_quiz_page_adds_previews_and_analyses_its_questions(educator_client):
    quiz = make_quiz(questions=2)

    page = educator_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()

    assert (
        f'href="{reverse("admin:quizzes_question_add")}?quiz={quiz.pk}" class="button">Add a question to this quiz'
        in page
    )
    assert f'href="{reverse("admin:quizzes_quiz_preview", args=[quiz.pk])}?from=' in page
    assert f'href="{reverse("admin:quizzes_quiz_analysis", args=[quiz.pk])}">Item analysis' in page
    question = quiz.questions.first()
    assert f'href="{reverse("admin:quizzes_question_preview", args=[question.pk])}?from=' in page


def test_questions_are_reordered_on_their_quiz_page(educator_client):
    quiz = make_quiz(questions=2)
    first, second = quiz.questions.order_by("order")
    data = {
        "title": quiz.title,
        "slug": quiz.slug,
        "topic": quiz.topic_id,
        "kind": quiz.kind,
        "status": quiz.status,
        "order": 0,
        "questions-TOTAL_FORMS": 2,
        "questions-INITIAL_FORMS": 2,
        "questions-0-id": first.pk,
        "questions-0-quiz": quiz.pk,
        "questions-0-order": 2,
        "questions-1-id": second.pk,
        "questions-1-quiz": quiz.pk,
        "questions-1-order": 1,
    }

    response = educator_client.post(reverse("admin:quizzes_quiz_change", args=[quiz.pk]), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(quiz.questions.in_quiz_order()) == [second, first]


def test_the_question_page_links_its_preview_and_its_quiz(educator_client):
    question = make_quiz(questions=1).questions.get()

    page = educator_client.get(reverse("admin:quizzes_question_change", args=[question.pk])).content.decode()

    assert f'href="{reverse("admin:quizzes_question_preview", args=[question.pk])}?from=' in page
    assert f'href="{reverse("admin:quizzes_quiz_change", args=[question.quiz_id])}">Its quiz' in page


def test_lists_show_stems_as_plain_text_cut_short(educator_client):
    quiz = make_quiz(questions=0)
    make_question(quiz=quiz, stem="Which **sign** on [CT](https://example.org) is `typical`? " + "Long. " * 30)

    page = educator_client.get(reverse("admin:quizzes_question_changelist")).content.decode()
    quiz_page = educator_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()

    for shown in (page, quiz_page):
        assert "Which sign on CT is typical? Long. Long." in shown and "**" not in shown
        assert "Long.…" in shown and "Long. " * 12 not in shown


@pytest.mark.parametrize(
    ("model", "action", "button", "before", "after", "message"),
    [
        ("quiz", "publish_quizzes", "Yes, publish them", "draft", "published", "Published 1 quiz(zes)"),
        ("quiz", "unpublish_quizzes", "Yes, make them drafts", "published", "draft", "1 quiz(zes) are drafts now"),
        ("question", "publish_questions", "Yes, publish them", "draft", "published", "Published 1 question(s)."),
        ("question", "unpublish_questions", "Yes, make them drafts", "published", "draft", "1 question(s) are drafts"),
    ],
)
def test_publishing_and_unpublishing_ask_first_then_say_what_was_done(
    educator_client, model, action, button, before, after, message
):
    quiz = make_quiz(questions=1, status=before if model == "quiz" else "published")
    target = quiz if model == "quiz" else quiz.questions.get()
    type(target).objects.filter(pk=target.pk).update(status=before)
    changelist = reverse(f"admin:quizzes_{model}_changelist")

    asked = educator_client.post(changelist, {"action": action, "_selected_action": [target.pk]})

    page = asked.content.decode()
    assert asked.status_code == 200 and f'value="{button}"' in page and str(target) in page
    assert '<ol class="breadcrumbs">' in page and 'name="confirmed" value="yes"' in page
    target.refresh_from_db()
    assert target.status == before

    done = educator_client.post(
        changelist, {"action": action, "_selected_action": [target.pk], "confirmed": "yes"}, follow=True
    )

    assert message in done.content.decode()
    target.refresh_from_db()
    assert target.status == after


def test_the_lists_are_laid_out_without_the_admin_menu(educator_client):
    for model in ("quiz", "question"):
        page = educator_client.get(reverse(f"admin:quizzes_{model}_changelist")).content.decode()
        assert 'id="nav-sidebar"' not in page and "quizzes/admin.css" in page


@pytest.mark.parametrize("name", ["admin:quizzes_quiz_import", "admin:quizzes_quiz_analysis"])
def test_custom_admin_pages_have_the_admins_own_breadcrumbs(educator_client, name):
    args = [make_quiz(questions=1).pk] if name.endswith("analysis") else []

    page = educator_client.get(reverse(name, args=args)).content.decode()

    assert '<ol class="breadcrumbs">' in page and '<div class="breadcrumbs">' not in page


# --- The bank file kept across the import page's refusals and checks -----------------------------------


def kept_file_token(page: str) -> str:
    return re.search(r'name="file_kept" value="([^"]+)"', page).group(1)


def test_a_refused_import_form_keeps_the_file_and_the_next_try_uses_it(educator_client):
    refused = educator_client.post(IMPORT, {"file": upload("good.gift"), "import": "Import"}).content.decode()

    assert (
        "Needed for Moodle XML and GIFT" in refused and "Kept from your last try: <strong>good.gift</strong>" in refused
    )
    data = {"file_kept": kept_file_token(refused), "slug": "imported", "title": "Imported", "topic": "Imports"}

    page = educator_client.post(IMPORT, data | {"import": "Import"}).content.decode()

    assert "Imported 1 quiz" in page and Quiz.objects.get(slug="imported").questions.exists()
    assert BankImport.objects.get().original_name == "good.gift"


def test_after_a_dry_run_the_file_stays_chosen_for_another_check_or_the_import(
    educator_client, django_capture_on_commit_callbacks
):
    checked = educator_client.post(IMPORT, good_gift("dry_run")).content.decode()
    assert "Dry run passed" in checked and "Kept from your last try: <strong>good.gift</strong>" in checked
    token = kept_file_token(checked)
    (held,) = default_storage.listdir("pending")[1]

    with django_capture_on_commit_callbacks(execute=True):
        page = educator_client.post(IMPORT, {"job": BankImport.objects.get().pk, "file_kept": token}).content.decode()

    assert "Imported 1 quiz" in page and "Kept from your last try" not in page
    assert held not in default_storage.listdir("pending")[1]


def test_an_import_without_any_file_says_to_choose_one(educator_client):
    page = educator_client.post(IMPORT, {"slug": "x", "title": "X", "topic": "Y", "import": "Import"}).content.decode()

    assert "Choose the bank&#x27;s file." in page and not Question.objects.exists()
