"""Educators' previews, reached from the admin: a question, or a quiz question by question, exactly as
trainees see it, drafts included; answering shows the feedback and records nothing."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from quizzes.forms import MatchingAnswerForm, answer_fields, answer_form_for
from quizzes.models import Question, Response
from quizzes.options import presented_options
from quizzes.querysets import kind_parts_prefetched
from quizzes.scoring import Answer, answer_scored
from quizzes.services.attempts import answer_columns


def admin_back_url(request: HttpRequest, default: str) -> str:
    """Where "Back to the admin" leads: the admin page the preview was opened from (?from=), if it is one."""
    back = request.GET.get("from", "")
    if back.startswith(reverse("admin:index")) and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return default


def question_preview(
    request: HttpRequest, *, question: Question, position: int, total: int, back_url: str, next_url: str = ""
) -> HttpResponse:
    """The question page of `question`, as the `position`th of `total`; a posted answer is scored and its
    feedback shown, never saved."""
    kind_parts_prefetched([question])
    options = presented_options(question, shuffle_seed="preview")
    form = answer_form_for(question, options=options, data=request.POST or None)
    context = {
        "preview": True,
        "back_url": back_url,
        "next_url": next_url,
        "quiz": question.quiz,
        "question": question,
        "options": options,
        "form": form,
        "answer_url": request.get_full_path(),
        "position": position,
        "total": total,
        "answered": 0,
        "points": 0,
        "earlier_stages": (
            Question.objects.before(question).in_quiz_order().only("stage", "image", "image_alt")
            if question.quiz.is_case
            else []
        ),
        "match_slots": form.slots() if isinstance(form, MatchingAnswerForm) else [],
    }
    if request.method == "POST" and form.is_valid():
        answer = Answer(**answer_fields(form))
        is_correct, points = answer_scored(question=question, answer=answer)
        context |= {
            "response": Response(
                is_correct=is_correct, points=points, **answer_columns(question=question, answer=answer)
            ),
            "chosen_ids": {choice.pk for choice in answer.chosen} | set(answer.matches.values()),
            "chosen_matches": answer.matches,
        }
    template = "quizzes/question.html#question" if request.htmx else "quizzes/question.html"
    return render(request, template, context)
