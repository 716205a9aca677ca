"""Templates print what the views read: rendering a trainee's page, or the fragment an answer returns,
makes no query of its own. The one exception is the header's count of assignments due (a template tag,
quizzes/templatetags/cohort_tags.py), one query on each full page."""

import pytest
from django.db import connection
from django.template.backends.django import Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.models import Quiz
from quizzes.services.attempts import attempt_finish, attempt_start
from tests.factories import (
    HTMX,
    make_hotspot_question,
    make_matching_question,
    make_quiz,
    make_short_answer_question,
    questions_of,
    stem_answers,
)
from tests.views.test_attempts import answer_url, right_answer
from tests.views.test_matching import posted

pytestmark = pytest.mark.django_db
ASSIGNMENTS = connection.ops.quote_name("quizzes_assignment")


@pytest.fixture
def rendering_queries(monkeypatch):
    """For each template rendered, in order: (its name, the SQL of the queries made as it rendered)."""
    renders = []
    render = Template.render

    def counted(self, context=None, request=None):
        with CaptureQueriesContext(connection) as queries:
            html = render(self, context, request)
        renders.append((self.template.name, [query["sql"] for query in queries.captured_queries]))
        return html

    monkeypatch.setattr(Template, "render", counted)
    return renders


def answer_posted(attempt, question) -> dict:
    if question.is_short_answer:
        return {"answer": "miliary metastases"}
    if question.is_matching:
        return posted(attempt, question, stem_answers(question))
    return right_answer(attempt, question)


def every_kinds_pages(client, trainee) -> None:
    """A tutor attempt at a quiz of every kind (each question's page, its answer as a fragment, its page
    answered), its summary, an exam's page, and the home, progress and leaderboard pages."""
    quiz = make_quiz(questions=2)
    make_hotspot_question(quiz=quiz, order=3)
    make_short_answer_question(quiz=quiz, order=4)
    make_matching_question(quiz=quiz, order=5)
    attempt = attempt_start(user=trainee, quiz=quiz)
    for question in questions_of(quiz):
        page = reverse("question_show", args=[attempt.pk, question.pk])
        assert client.get(page).status_code == 200
        answered = client.post(answer_url(attempt, question), answer_posted(attempt, question), **HTMX)
        assert answered.status_code == 200 and "Correct" in answered.content.decode()
        assert client.get(page).status_code == 200
    attempt_finish(attempt=attempt)
    assert client.get(reverse("attempt_summary", args=[attempt.pk])).status_code == 200
    exam = attempt_start(user=trainee, quiz=make_quiz(questions=2, exam_minutes=30), mode="exam")
    assert client.get(reverse("attempt_resume", args=[exam.pk]), follow=True).status_code == 200
    for name in ("home", "my_progress", "leaderboard"):
        assert client.get(reverse(name)).status_code == 200


def test_rendering_a_page_or_an_answer_makes_no_query_but_the_headers_count(trainee_client, trainee, rendering_queries):
    every_kinds_pages(trainee_client, trainee)

    assert len(rendering_queries) >= 20
    querying = [
        (name, queries)
        for name, queries in rendering_queries
        if len(queries) > 1 or any(ASSIGNMENTS not in sql for sql in queries)
    ]
    assert querying == []


def test_the_answer_fragment_renders_without_the_header_and_without_a_query(trainee_client, trainee, rendering_queries):
    quiz = make_quiz(questions=1, kind=Quiz.Kind.STANDARD)
    attempt = attempt_start(user=trainee, quiz=quiz)
    question = questions_of(quiz)[0]

    trainee_client.post(answer_url(attempt, question), right_answer(attempt, question), **HTMX)

    assert rendering_queries == [("answered", [])]  # question.html's partial alone
