"""Starting an attempt beside an open exam is refused with a way back to the exam."""

import pytest
from django.urls import reverse

from quizzes.models import Attempt
from quizzes.services.attempts import attempt_start

pytestmark = pytest.mark.django_db


def test_a_tutor_attempt_beside_an_open_exam_is_refused_with_a_link_to_resume_it(trainee_client, trainee):
    from tests.factories import make_quiz

    quiz = make_quiz(questions=2, exam_minutes=20)
    exam = attempt_start(user=trainee, quiz=quiz, mode=Attempt.Mode.EXAM)

    response = trainee_client.post(reverse("attempt_start", args=[quiz.slug]), follow=True)

    page = response.content.decode()
    assert response.redirect_chain == [(quiz.get_absolute_url(), 302)]
    assert "Your exam at “" in page and "is still open" in page
    assert f'href="{exam.get_absolute_url()}"' in page and "Resume your exam" in page
    assert "Start a new attempt" not in page and "Start exam" not in page
    assert list(Attempt.objects.filter(user=trainee)) == [exam]


def test_the_scoring_page_says_one_counted_attempt_is_open_at_a_time(client):
    page = client.get(reverse("scoring")).content.decode()

    assert "One open counted attempt" in page
