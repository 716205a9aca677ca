"""How the tutor and exam views find an attempt and one of its questions: the trainee's own, or 404."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from quizzes.models import Attempt, Question
from quizzes.services.attempts import attempt_expire_if_due


def current_attempt(request: HttpRequest, attempt_id: int) -> Attempt:
    """The trainee's attempt, finished first if it is an exam whose time is up: the server enforces the
    limit on every request, whatever the trainee's page shows."""
    attempt = get_object_or_404(Attempt.objects.owned_by(request.user).select_related("quiz", "tag"), pk=attempt_id)
    return attempt_expire_if_due(attempt=attempt)


def attempt_question(attempt: Attempt, question_id: int) -> Question:
    """One of the attempt's questions, with `position` (its number in the attempt) and what it renders."""
    return get_object_or_404(Question.objects.for_display().in_attempt(attempt), pk=question_id)
