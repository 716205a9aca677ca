"""How the tutor and exam views find an attempt and one of its questions: the trainee's own, or 404."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from quizzes.models import Attempt, AttemptQuestion, Question, Response
from quizzes.question_parts import parts_install
from quizzes.services.attempts import attempt_expire_if_due


def current_attempt(request: HttpRequest, attempt_id: int) -> Attempt:
    """The trainee's attempt, finished first if it is an exam whose time is up: the server enforces the
    limit on every request, whatever the trainee's page shows."""
    attempt = get_object_or_404(Attempt.objects.owned_by(request.user).select_related("quiz", "tag"), pk=attempt_id)
    return attempt_expire_if_due(attempt=attempt)


def attempt_item(
    request: HttpRequest, attempt_id: int, question_id: int, items: QuerySet[AttemptQuestion] | None = None
) -> AttemptQuestion:
    """The trainee's attempt and one of its questions, in one query, as the item that places the
    question in the attempt: `item.attempt` (finished first if it is an exam whose time is up, as
    current_attempt does) and `item.question`, which has `position` (its number in the attempt) and its
    options, stems, regions, accepted answers and sources as if prefetched (quizzes/question_parts.py).
    `items` narrows or annotates the lookup (quizzes/querysets.py: AttemptQuestionQuerySet)."""
    items = AttemptQuestion.objects.all() if items is None else items
    # By the related primary keys, not the item's own columns: their lookups turn an id too large for
    # the column into "no such row" rather than a database error.
    item = get_object_or_404(
        items.owned_by(request.user).with_attempt_and_question().with_question_parts(),
        attempt__pk=attempt_id,
        question__pk=question_id,
    )
    item.attempt = attempt_expire_if_due(attempt=item.attempt)
    item.question.position = item.position
    parts_install(item.question, item.question_parts)
    return item


def answer_given(attempt: Attempt, question: Question) -> tuple[Response | None, frozenset[int], dict[int, int]]:
    """The attempt's answer to the question (None if there is none) with what answer_rows says it chose:
    its rows are read only for a question answered with options."""
    responses = attempt.responses.filter(question=question)
    if not question.has_options:
        return responses.first(), frozenset(), {}
    response = responses.with_answer_rows(question).first()
    return response, *answer_rows(response, question)


def answer_rows(response: Response | None, question: Question) -> tuple[frozenset[int], dict[int, int]]:
    """What a response (its rows prefetched, or None) chose: (option ids, {stem id: option id})."""
    if response is None:
        return frozenset(), {}
    if question.is_matching:
        matches = {match.stem_id: match.choice_id for match in response.matches.all()}
        return frozenset(matches.values()), matches
    return frozenset(choice.pk for choice in response.chosen.all()), {}
