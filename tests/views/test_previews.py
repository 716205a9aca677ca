"""Educators' previews from the admin: one question or a whole quiz, drafts included, staff only, with a
way back to the admin page they came from; answering records nothing."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from quizzes.models import Question, Quiz, Response, User
from tests.factories import make_question, make_quiz

pytestmark = pytest.mark.django_db


def test_a_draft_question_of_a_draft_quiz_is_previewed_with_a_way_back_to_its_admin_page(educator_client):
    quiz = make_quiz(questions=0, status=Quiz.Status.DRAFT, title="Unfinished quiz")
    question = make_question(quiz=quiz, status=Question.Status.DRAFT, stem="A **draft** stem?")
    url = reverse("admin:quizzes_question_preview", args=[question.pk])

    page = educator_client.get(url).content.decode()

    assert "A <strong>draft</strong> stem?" in page and "Trainees do not see this draft question yet." in page
    change = reverse("admin:quizzes_question_change", args=[question.pk])
    assert f'<a href="{change}">Back to the admin</a>' in page
    assert quiz.get_absolute_url() not in page  # a draft quiz's own page is a 404 for everyone


def test_the_preview_leads_back_to_the_admin_page_it_was_opened_from_and_nowhere_else(educator_client):
    question = make_quiz(questions=1).questions.get()
    url = reverse("admin:quizzes_question_preview", args=[question.pk])
    changelist = reverse("admin:quizzes_question_changelist") + "?kind=single"

    from_list = educator_client.get(url, {"from": changelist}).content.decode()
    elsewhere = educator_client.get(url, {"from": "https://example.com/admin/"}).content.decode()
    not_admin = educator_client.get(url, {"from": "/accounts/logout/"}).content.decode()

    assert 'href="/admin/quizzes/question/?kind=single">Back to the admin' in from_list
    change = reverse("admin:quizzes_question_change", args=[question.pk])
    assert f'href="{change}">Back to the admin' in elsewhere and f'href="{change}">Back to the admin' in not_admin


def test_answering_a_preview_shows_the_feedback_and_records_nothing(educator_client):
    question = make_quiz(questions=1).questions.get()
    url = reverse("admin:quizzes_question_preview", args=[question.pk])
    right = next(
        label for label in "ABCD" if "Correct" in educator_client.post(url, {"answer": label}).content.decode()
    )

    page = educator_client.post(url, {"answer": right}).content.decode()

    assert "Rationale for Right 1" in page and "Preview: nothing was recorded." in page
    assert not Response.objects.exists()


def test_a_whole_quiz_is_previewed_question_by_question_drafts_included(educator_client):
    quiz = make_quiz(questions=2, status=Quiz.Status.DRAFT)
    make_question(quiz=quiz, order=3, status=Question.Status.DRAFT, stem="Third, a draft?")
    back = reverse("admin:quizzes_quiz_change", args=[quiz.pk])

    first = educator_client.get(reverse("admin:quizzes_quiz_preview", args=[quiz.pk])).content.decode()
    third = educator_client.get(reverse("admin:quizzes_quiz_preview", args=[quiz.pk, 3])).content.decode()

    assert "Question 1 of 3" in first and "Stem of question 1?" in first
    second = reverse("admin:quizzes_quiz_preview", args=[quiz.pk, 2])
    assert f'href="{second}?from=%2Fadmin%2Fquizzes%2Fquiz%2F{quiz.pk}%2Fchange%2F">Skip to the next question' in first
    assert "Question 3 of 3" in third and "Third, a draft?" in third and "Skip to the next question" not in third
    assert f'href="{back}">Back to the admin' in third
    assert educator_client.get(reverse("admin:quizzes_quiz_preview", args=[quiz.pk, 4])).status_code == 404


def test_an_empty_quiz_preview_says_so_on_the_quiz_page(educator_client):
    quiz = make_quiz(questions=0)

    response = educator_client.get(reverse("admin:quizzes_quiz_preview", args=[quiz.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    assert "This quiz has no questions to preview yet." in response.content.decode()


def test_view_on_site_of_a_draft_quiz_is_its_preview_and_of_a_published_one_its_page(educator_client):
    draft = make_quiz(questions=1, status=Quiz.Status.DRAFT)
    published = make_quiz(questions=1)

    draft_page = educator_client.get(reverse("admin:quizzes_quiz_change", args=[draft.pk])).content.decode()
    published_page = educator_client.get(reverse("admin:quizzes_quiz_change", args=[published.pk])).content.decode()

    assert f'href="{reverse("admin:quizzes_quiz_preview", args=[draft.pk])}" class="viewsitelink"' in draft_page
    assert f'href="{published.get_absolute_url()}" class="viewsitelink"' in published_page


@pytest.mark.parametrize("name", ["admin:quizzes_question_preview", "admin:quizzes_quiz_preview"])
def test_trainees_are_sent_to_the_admin_login_from_a_preview(trainee_client, name):
    quiz = make_quiz(questions=1, status=Quiz.Status.DRAFT)
    target = quiz.questions.get() if "question" in name else quiz

    response = trainee_client.get(reverse(name, args=[target.pk]))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_who_may_not_view_questions_are_refused_a_preview(client):
    question = make_quiz(questions=1).questions.get()
    staff = User.objects.create_user(username="clerk", password="x-long-password-1", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_attempt"))
    client.force_login(staff)

    assert client.get(reverse("admin:quizzes_question_preview", args=[question.pk])).status_code == 403
    assert client.get(reverse("admin:quizzes_quiz_preview", args=[question.quiz_id])).status_code == 403
