"""Exam mode: questions in any order, answers saved and changed until "Submit all", flags for review,
and the time limit enforced here whatever the trainee's page shows.

Nothing here renders correctness: no verdict, points, score, explanation or rationale reaches an exam
page before the attempt is finished (tests/views/test_exam.py renders every page and fragment to check).
Every view first finishes an exam whose time is up, then sends a finished attempt to its results.
"""

import functools
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from quizzes.forms import AnyAnswerForm, MatchingAnswerForm, answer_fields, answer_form_for, answer_posted
from quizzes.models import Attempt, AttemptQuestion, Question
from quizzes.options import presented_options
from quizzes.ratelimit import rate_limited
from quizzes.refusals import AnswerRefused, exam_change_refusal
from quizzes.services.exam import exam_answer_clear, exam_answer_save, exam_flag_set
from quizzes.views.lookups import answer_given, attempt_item, current_attempt

TEMPLATE = "quizzes/exam_question.html"


def elsewhere(attempt: Attempt) -> HttpResponse | None:
    """Where a page request goes when the exam pages have nothing to show, or None."""
    if attempt.is_finished:
        return redirect("attempt_summary", attempt.pk)
    if not attempt.is_exam:
        return redirect("attempt_resume", attempt.pk)
    return None


def exam_question_url(attempt: Attempt, question_id: int) -> str:
    return reverse("exam_question", args=[attempt.pk, question_id])


def exam_form(attempt: Attempt, question: Question, data=None) -> AnyAnswerForm:
    """The answer form for one of the exam's questions (found by attempt_item, with its parts), empty or
    bound to `data`. A matching answer may leave stems empty: an exam's answer is saved as it is given."""
    options = presented_options(question, attempt.shuffle_seed)
    return answer_form_for(question, options=options, data=data, every_stem=False)


def exam_items(attempt: Attempt) -> list[AttemptQuestion]:
    """Every question's place, flag and whether it is answered: the navigator, in one query."""
    return list(attempt.items.with_answer_state().in_order())


def timer_context(attempt: Attempt) -> dict:
    # The server's clock, so the countdown script can correct for a wrong clock on the trainee's device.
    now = timezone.now()
    return {"attempt": attempt, "quiz": attempt.quiz, "now": now, "remaining": attempt.deadline - now}


def exam_question_context(
    attempt: Attempt,
    question: Question,
    *,
    form: AnyAnswerForm,
    items: list[AttemptQuestion] | None = None,
) -> dict:
    """What the exam question page renders. Deliberately no Response: only what is saved (the options,
    the typed text, the option for each stem), never how it scored."""
    items = exam_items(attempt) if items is None else items
    by_position = {item.position: item for item in items}
    item = by_position[question.position]
    response, saved_ids, saved_matches = answer_given(attempt, question)
    label_of = {option.choice.pk: option.label for option in form.options}
    saved_labels = [option.label for option in form.options if option.choice.pk in saved_ids]
    saved_by_stem = {stem_id: label_of.get(choice_id, "") for stem_id, choice_id in saved_matches.items()}
    saved_typed = response.typed_answer if response else ""
    match_slots = form.slots(saved_by_stem) if isinstance(form, MatchingAnswerForm) else []
    return (
        timer_context(attempt)
        | {
            "question": question,
            "form": form,
            "options": form.options,
            # A refused form shows what was posted; otherwise the saved answer.
            "checked_labels": form.data.getlist("answer") if form.is_bound else saved_labels,
            "is_answered": response is not None,
            "saved_labels": [] if question.is_matching else saved_labels,
            # A refused form shows what was posted; otherwise the saved answer.
            "typed_value": form.data.get("answer", "") if form.is_bound else saved_typed,
            "saved_typed": saved_typed,
            "match_slots": match_slots,
            # (item number, option label) for each stem with a saved option.
            "saved_matches": [
                (number, saved_by_stem[stem.pk])
                for number, stem in enumerate(question.match_stems.all(), start=1)
                if saved_by_stem.get(stem.pk)
            ]
            if question.is_matching
            else [],
            "saved_point": response.point if response else None,
            "saved_no_abnormality": bool(response and question.is_hotspot and response.point is None),
            "saved_on_earlier_version": bool(response and response.question_version != question.version),
            "items": items,
            "item": item,
            "position": question.position,
            "total": len(items),
            "previous_item": by_position.get(question.position - 1),
            "next_item": by_position.get(question.position + 1),
        }
        | navigator_counts(items)
    )


def navigator_counts(items: list[AttemptQuestion]) -> dict:
    answered = sum(1 for each in items if each.is_answered)
    return {
        "answered_count": answered,
        "unanswered_count": len(items) - answered,
        "flagged_count": sum(1 for each in items if each.is_flagged),
    }


def exam_change(view: Callable[[HttpRequest, Attempt, Question], HttpResponse]) -> Callable[..., HttpResponse]:
    """For the views that change an exam: they get the attempt and the question, and nothing of them
    runs once the exam takes no more changes. The refusal is asked before the form is read, so a
    finished exam says so rather than what was wrong with the form; the service asks again under its lock."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, attempt_id: int, question_id: int) -> HttpResponse:
        item = attempt_item(request, attempt_id, question_id)
        attempt, question = item.attempt, item.question
        if refusal := exam_change_refusal(attempt):
            return exam_refused(request, attempt, question_id, refusal)
        try:
            return view(request, attempt, question)
        except AnswerRefused as refusal:
            return exam_refused(request, attempt, question_id, refusal)

    return wrapper


@require_GET
@login_required
def exam_question(request: HttpRequest, attempt_id: int, question_id: int) -> HttpResponse:
    item = attempt_item(request, attempt_id, question_id)
    attempt, question = item.attempt, item.question
    if away := elsewhere(attempt):
        return away
    return render(request, TEMPLATE, exam_question_context(attempt, question, form=exam_form(attempt, question)))


@require_POST
@login_required
@rate_limited("answer", back_to="exam_question")
@exam_change
def exam_answer(request: HttpRequest, attempt: Attempt, question: Question) -> HttpResponse:
    """Save the answer, then go where the trainee asked: `go` is the position of a question or "review"
    (the navigation buttons submit this form, so a chosen answer is never left behind), otherwise the
    next question (after the last, the review page). htmx saves each change as it happens and gets
    the saved state and the navigator back, staying on the page."""
    form = exam_form(attempt, question, data=request.POST)
    go = request.POST.get("go")
    if go is not None and not answer_posted(request.POST):
        return redirect(exam_destination(attempt, question, go))  # nothing chosen: nothing to save
    if not form.is_valid():
        if request.htmx:
            context = exam_question_context(attempt, question, form=form) | {"state_error": not_saved(form)}
            return render(request, f"{TEMPLATE}#exam-saved", context, status=422)
        return render(request, TEMPLATE, exam_question_context(attempt, question, form=form), status=422)
    exam_answer_save(attempt=attempt, question=question, **answer_fields(form))
    if request.htmx:
        return render(
            request,
            f"{TEMPLATE}#exam-saved",
            exam_question_context(attempt, question, form=exam_form(attempt, question)),
        )
    messages.success(request, f"Answer to question {question.position} saved.")
    return redirect(exam_destination(attempt, question, go))


def exam_destination(attempt: Attempt, question: Question, go: str | None) -> str:
    """Where a navigation button goes: a question by its position, or "review"; by default the next one."""
    position = int(go) if go and go.isdecimal() else question.position + 1
    question_id = None
    if go != "review":
        question_id = attempt.items.filter(position=position).values_list("question_id", flat=True).first()
    return exam_question_url(attempt, question_id) if question_id else reverse("exam_review", args=[attempt.pk])


def not_saved(form: AnyAnswerForm) -> str:
    error = form.errors.get("answer") or form.non_field_errors() or next(iter(form.errors.values()), None)
    return f"Not saved: {error[0]}" if error else "Not saved."


@require_POST
@login_required
@exam_change
def exam_clear(request: HttpRequest, attempt: Attempt, question: Question) -> HttpResponse:
    """Take an answer back, so the question counts as unanswered."""
    exam_answer_clear(attempt=attempt, question=question)
    messages.success(request, f"Answer to question {question.position} cleared: it counts as unanswered.")
    return redirect(exam_question_url(attempt, question.pk))


@require_POST
@login_required
@exam_change
def exam_flag(request: HttpRequest, attempt: Attempt, question: Question) -> HttpResponse:
    """Flag a question for review before submitting, or take the flag off (`flagged` is 1 or 0)."""
    flagged = request.POST.get("flagged")
    if flagged not in {"0", "1"}:
        context = exam_question_context(attempt, question, form=exam_form(attempt, question)) | {
            "flag_error": "Say whether to flag the question (1) or take the flag off (0)."
        }
        return render(request, f"{TEMPLATE}#exam-question" if request.htmx else TEMPLATE, context, status=422)
    exam_flag_set(attempt=attempt, question=question, flagged=flagged == "1")
    if request.htmx:
        # The flag control, and out of band the question's state and its navigator entry: no reload.
        return render(
            request,
            f"{TEMPLATE}#exam-flagged",
            exam_question_context(attempt, question, form=exam_form(attempt, question)),
        )
    if flagged == "1":
        messages.success(request, f"Question {question.position} flagged for review.")
    else:
        messages.success(request, f"Flag taken off question {question.position}.")
    return redirect(exam_question_url(attempt, question.pk))


@require_GET
@login_required
def exam_review(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """ "Submit all": what is still unanswered or flagged, then the confirmation."""
    attempt = current_attempt(request, attempt_id)
    if away := elsewhere(attempt):
        return away
    items = exam_items(attempt)
    context = timer_context(attempt) | {
        "items": items,
        "total": len(items),
        "answered_count": sum(1 for item in items if item.is_answered),
        "unanswered": [item for item in items if not item.is_answered],
        "flagged": [item for item in items if item.is_flagged],
    }
    return render(request, "quizzes/exam_review.html", context)


def exam_refused(request: HttpRequest, attempt: Attempt, question_id: int, refusal: AnswerRefused) -> HttpResponse:
    """Nothing was changed. htmx gets a 409 fragment saying why; a page goes where it can say so."""
    if request.htmx:
        return render(request, f"{TEMPLATE}#refused", {"attempt": attempt, "notice": str(refusal)}, status=409)
    messages.warning(request, str(refusal))
    if attempt.is_finished:
        return redirect("attempt_summary", attempt.pk)
    if not attempt.is_exam:
        return redirect("attempt_resume", attempt.pk)
    return redirect(exam_question_url(attempt, question_id))
