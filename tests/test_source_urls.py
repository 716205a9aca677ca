"""Only http(s) source URLs: the admin (and every importer, through the same validator) refuses any
other scheme, and a page never renders a stored non-http(s) URL as a link."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from quizzes.models import Source, validate_http_url
from quizzes.services.attempts import answer_submit, attempt_start
from tests.factories import make_quiz, make_source, questions_of, right_choices

pytestmark = pytest.mark.django_db

NOT_WEB = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    "data:text/html,<script>x</script>",
    "ftp://example.org/x.pdf",
]


@pytest.mark.parametrize("url", NOT_WEB)
def test_the_validator_refuses_any_scheme_but_http_and_https(url):
    with pytest.raises(ValidationError, match="http"):
        validate_http_url(url)


def test_the_validator_takes_http_and_https():
    validate_http_url("https://www.rcr.ac.uk/guidance")
    validate_http_url("http://example.org/paper.pdf")


@pytest.mark.parametrize("url", NOT_WEB)
def test_the_admin_refuses_a_source_url_that_is_not_http(admin_client, url):
    response = admin_client.post(
        reverse("admin:quizzes_source_add"),
        {"key": "evil", "title": "Evil", "publisher": "Nobody", "url": url, "doi": ""},
    )

    assert response.status_code == 200 and response.context["adminform"].form.errors["url"]
    assert not Source.objects.filter(key="evil").exists()


def answered_page_citing(client, trainee, source) -> str:
    """The question page after answering, where the question's sources are cited."""
    quiz = make_quiz(questions=1)
    question = questions_of(quiz)[0]
    question.sources.set([source])
    attempt = attempt_start(user=trainee, quiz=quiz)
    answer_submit(attempt=attempt, question=question, chosen=right_choices(question))
    return client.get(reverse("question_show", args=[attempt.pk, question.pk])).content.decode()


def test_a_stored_non_http_url_is_shown_as_text_never_as_a_link(trainee_client, trainee):
    # Saved by a path that skipped validation, or before it existed.
    page = answered_page_citing(trainee_client, trainee, make_source(url="javascript:alert(1)", title="Sneaky"))

    assert "Sneaky" in page and "javascript:" not in page


def test_an_http_source_url_is_a_link(trainee_client, trainee):
    page = answered_page_citing(trainee_client, trainee, make_source(url="https://example.org/guide", title="Guide"))

    assert 'href="https://example.org/guide"' in page
