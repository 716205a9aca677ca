"""Report a problem with a question, from its feedback or a summary item: a plain form that posts and
goes back, or with htmx a swap of the form in place."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from quizzes.forms import ProblemReportForm
from quizzes.models import Attempt, Question
from quizzes.ratelimit import rate_limited
from quizzes.services.reports import problem_report_create
from quizzes.templatetags.quiz_extras import report_problem_context

PARTIAL = "quizzes/_report_problem.html"


@require_POST
@login_required
@rate_limited("report", back_to="question_show", region="report-{question_id}")
def problem_report(request: HttpRequest, attempt_id: int, question_id: int) -> HttpResponse:
    attempt = get_object_or_404(Attempt.objects.owned_by(request.user), pk=attempt_id)
    question = get_object_or_404(Question.objects.in_attempt(attempt), pk=question_id)
    if attempt.is_exam and not attempt.is_finished:
        raise Http404("An exam's questions are reported from its results.")  # no report form before them
    form = ProblemReportForm(request.POST)
    back = back_url(request, attempt, question)
    context = report_problem_context(attempt=attempt, question=question, form=form, back=back, is_open=True)
    if not form.is_valid():
        template = PARTIAL if request.htmx else "quizzes/problem_report.html"
        return render(request, template, context, status=422)
    problem_report_create(reporter=request.user, attempt=attempt, question=question, **form.cleaned_data)
    if request.htmx:
        return render(request, f"{PARTIAL}#sent", context)
    messages.success(
        request, f"Thank you: your report on question {question.position} was sent to the educators. {FOLLOW_UP}"
    )
    return redirect(back)


FOLLOW_UP = "My progress shows when it is resolved."


def back_url(request: HttpRequest, attempt: Attempt, question: Question) -> str:
    """Where the trainee reported from (`next`, when it is one of ours), else the question's feedback."""
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return back
    return reverse("question_show", args=[attempt.pk, question.pk]) + "#feedback"
