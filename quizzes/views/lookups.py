"""How the tutor and exam views find an attempt and one of its questions: the trainee's own, or 404."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from quizzes.models import Attempt, Question, Response
from quizzes.querysets import kind_parts_prefetched
from quizzes.services.attempts import attempt_expire_if_due


def current_attempt(request: HttpRequest, attempt_id: int) -> Attempt:
    """The trainee's attempt, finished first if it is an exam whose time is up: the server enforces the
    limit on every request, whatever the trainee's page shows."""
    attempt = get_object_or_404(Attempt.objects.owned_by(request.user).select_related("quiz", "tag"), pk=attempt_id)
    return attempt_expire_if_due(attempt=attempt)


def attempt_question(attempt: Attempt, question_id: int) -> Question:
    """One of the attempt's questions, with `position` (its number in the attempt) and what it renders."""
    question = get_object_or_404(Question.objects.for_display().in_attempt(attempt), pk=question_id)
    kind_parts_prefetched([question])
    return question


def attempt_response(attempt: Attempt, question: Question) -> Response | None:
    """The attempt's answer to the question, with the rows its kind records, or None."""
    return attempt.responses.filter(question=question).with_answer_rows(question).first()


def answer_given(response: Response | None, question: Question) -> tuple[frozenset[int], dict[int, int]]:
    """What a response (read by attempt_response, or None) chose: (option ids, {stem id: option id})."""
    if response is None:
        return frozenset(), {}
    if question.is_matching:
        matches = {match.stem_id: match.choice_id for match in response.matches.all()}
        return frozenset(matches.values()), matches
    return frozenset(choice.pk for choice in response.chosen.all()), {}
