"""The "My progress" page: every attempt, best and last score per quiz, accuracy per topic."""

import pytest
from django.urls import reverse

from quizzes.services.attempts import answer_submit, attempt_finish, attempt_start
from tests.factories import make_quiz, right_choices, wrong_choices

pytestmark = pytest.mark.django_db


def take(user, quiz, right_count):
    attempt = attempt_start(user=user, quiz=quiz)
    for number, question in enumerate(quiz.questions.in_quiz_order().prefetch_related("choices")):
        chosen = right_choices(question) if number < right_count else wrong_choices(question)[:1]
        answer_submit(attempt=attempt, question=question, chosen=chosen)
    return attempt_finish(attempt=attempt)


def test_progress_shows_best_and_last_score_per_quiz(trainee_client, trainee):
    quiz = make_quiz(questions=4, title="Miliary pattern")
    take(trainee, quiz, 3)
    take(trainee, quiz, 1)

    html = trainee_client.get(reverse("my_progress")).content.decode()

    row = html.split("Miliary pattern</a></th>")[1].split("</tr>")[0]
    assert "75% (30/40)" in row.split("</td>")[0]  # best
    assert "25% (10/40)" in row.split("</td>")[1]  # last
    assert "<td>2</td>" in row


def test_progress_shows_accuracy_per_topic(trainee_client, trainee):
    quiz_a, quiz_b = make_quiz(questions=4), make_quiz(questions=2)
    take(trainee, quiz_a, 1)
    take(trainee, quiz_b, 2)

    html = trainee_client.get(reverse("my_progress")).content.decode()

    assert f'<th scope="row">{quiz_a.topic.name}</th><td>4</td><td>1</td><td>25%</td>' in html
    assert f'<th scope="row">{quiz_b.topic.name}</th><td>2</td><td>2</td><td>100%</td>' in html


def test_progress_lists_every_attempt_including_unfinished_ones(trainee_client, trainee, quiz):
    take(trainee, quiz, 2)
    attempt_start(user=trainee, quiz=quiz)

    html = trainee_client.get(reverse("my_progress")).content.decode()

    assert html.count(quiz.title + "<span") == 2 and "in progress" in html


def test_progress_shows_only_the_trainees_own_attempts(trainee_client, other_trainee):
    quiz = make_quiz(title="Someone else's quiz")
    take(other_trainee, quiz, 3)

    html = trainee_client.get(reverse("my_progress")).content.decode()

    assert "Someone else" not in html and "You have not taken a quiz yet" in html


def test_progress_needs_a_login(client):
    response = client.get(reverse("my_progress"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
