"""Starting practice sets: the trainee's mistakes (everywhere or in one quiz), today's due reviews and
a tag's questions.
Once started, a set is taken through the ordinary attempt pages (quizzes/views/attempts.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from quizzes.models import Attempt, Quiz, Tag
from quizzes.services.practice import (
    NothingToPractise,
    mistakes_start,
    review_start,
    tag_practice_start,
    these_start,
)


@require_POST
@login_required
def mistakes(request: HttpRequest) -> HttpResponse:
    """`quiz` (a slug, as a form field or in the query string) limits the set to one quiz."""
    slug = request.POST.get("quiz") or request.GET.get("quiz")
    quiz = get_object_or_404(Quiz.objects.published(), slug=slug) if slug else None
    try:
        attempt = mistakes_start(user=request.user, quiz=quiz)
    except NothingToPractise as nothing:
        return nothing_to_practise(request, nothing)
    return redirect("attempt_resume", attempt.pk)


@require_POST
@login_required
def review(request: HttpRequest) -> HttpResponse:
    try:
        attempt = review_start(user=request.user)
    except NothingToPractise as nothing:
        return nothing_to_practise(request, nothing)
    return redirect("attempt_resume", attempt.pk)


@require_POST
@login_required
def tag(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag.objects.practisable(), slug=slug)
    try:
        attempt = tag_practice_start(user=request.user, tag=tag)
    except NothingToPractise as nothing:
        return nothing_to_practise(request, nothing)
    return redirect("attempt_resume", attempt.pk)


@require_POST
@login_required
def these(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """ "Practise these" on a summary: the attempt's questions again, or (`only=wrong`) those not got right."""
    attempt = get_object_or_404(Attempt.objects.owned_by(request.user).finished(), pk=attempt_id)
    try:
        practice = these_start(user=request.user, attempt=attempt, only_wrong=request.POST.get("only") == "wrong")
    except NothingToPractise as nothing:
        messages.info(request, str(nothing))
        return redirect("attempt_summary", attempt.pk)
    return redirect("attempt_resume", practice.pk)


def nothing_to_practise(request: HttpRequest, nothing: NothingToPractise) -> HttpResponse:
    """Say why, and go back to the page the button was on (`next`, when it is one of ours)."""
    messages.info(request, str(nothing))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = "home"
    return redirect(back)
