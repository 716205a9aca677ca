"""The home page and a quiz's page."""

import pytest
from django.urls import reverse

from quizzes.models import Attempt, Topic
from quizzes.services.attempts import attempt_finish, attempt_start
from tests.factories import make_quiz

pytestmark = pytest.mark.django_db


def finished_attempt(user, quiz, score, max_score):
    attempt = attempt_start(user=user, quiz=quiz)
    Attempt.objects.filter(pk=attempt.pk).update(finished_at=attempt.started_at, score=score, max_score=max_score)
    return attempt


def test_home_lists_published_quizzes_by_topic_for_visitors(client):
    published = make_quiz(title="Cannonball metastases")
    draft = make_quiz(title="Unfinished draft", status="draft")

    html = client.get(reverse("home")).content.decode()

    assert published.title in html and published.topic.name in html
    assert draft.title not in html
    assert "3 questions" in html and "Sign up" in html


def test_home_groups_quizzes_under_each_topic_once_in_topic_and_quiz_order(client):
    chest = Topic.objects.create(name="Chest", slug="chest", order=1)
    basics = Topic.objects.create(name="Basics", slug="basics", order=2)
    # Created out of order, so the list's order can only come from the topic and quiz orders.
    make_quiz(title="Chest second", topic=chest, order=2)
    make_quiz(title="Basics only", topic=basics)
    make_quiz(title="Chest first", topic=chest, order=1)

    html = client.get(reverse("home")).content.decode()

    positions = [html.index(text) for text in ("Chest", "Chest first", "Chest second", "Basics", "Basics only")]
    assert positions == sorted(positions)
    assert html.count(">Chest</h2>") == 1


def test_home_shows_the_trainees_best_score_per_quiz(trainee_client, trainee, other_trainee):
    taken, _untaken = make_quiz(title="Taken quiz"), make_quiz(title="Untaken quiz")
    finished_attempt(trainee, taken, 1, 3)
    finished_attempt(trainee, taken, 2, 3)
    finished_attempt(other_trainee, taken, 3, 3)  # someone else's better score is not ours

    html = trainee_client.get(reverse("home")).content.decode()

    assert "your best: <strong>67%</strong>" in html
    assert "not taken yet" in html


def test_quiz_page_offers_to_start_and_to_resume(trainee_client, trainee, quiz):
    page = trainee_client.get(quiz.get_absolute_url()).content.decode()
    assert "Start quiz" in page

    attempt = attempt_start(user=trainee, quiz=quiz)
    page = trainee_client.get(quiz.get_absolute_url()).content.decode()

    # The attempt that counts is open: it is the one way on until it finishes.
    assert "Resume your attempt" in page and attempt.get_absolute_url() in page
    assert "is still open" in page and "Start a new attempt" not in page

    attempt_finish(attempt=attempt)
    practice = attempt_start(user=trainee, quiz=quiz)
    page = trainee_client.get(quiz.get_absolute_url()).content.decode()

    assert "Resume your attempt" in page and practice.get_absolute_url() in page
    assert "Start a new attempt" in page


def test_quiz_page_asks_visitors_to_log_in(client, quiz):
    page = client.get(quiz.get_absolute_url()).content.decode()

    assert "Log in to start" in page and "Start quiz" not in page


def test_unknown_or_draft_quizzes_are_not_found(client):
    draft = make_quiz(status="draft")

    assert client.get(reverse("quiz_detail", args=["no-such-quiz"])).status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_pages_send_a_content_security_policy_with_a_script_nonce(client, quiz):
    response = client.get(reverse("home"))

    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    head = response.content.decode().split("<body")[0]
    # htmx 2 comes from django-htmx's vendored copy on this host, carrying the nonce.
    assert '<script src="/static/django_htmx/htmx-2.min.js"' in head and f'nonce="{nonce}"' in head
    assert "//" not in head.replace("http://www.w3.org", "")  # nothing is requested from other hosts
