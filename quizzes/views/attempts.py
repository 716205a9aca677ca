"""Taking a quiz: start, one question at a time with instant feedback, finish, summary."""

from collections.abc import Collection, Mapping

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from quizzes.forms import AnyAnswerForm, MatchingAnswerForm, answer_fields, answer_form_for
from quizzes.models import Attempt, AttemptQuestion, Question, Quiz, Response
from quizzes.options import presented_options
from quizzes.querysets import kind_parts_prefetched
from quizzes.ratelimit import rate_limited
from quizzes.refusals import AnswerRefused, CountedAttemptOpen, ModeNotOffered, tutor_answer_refusal
from quizzes.services.attempts import answer_submit, attempt_finish, attempt_start
from quizzes.versions import question_as_answered, questions_as_answered
from quizzes.views.lookups import answer_given, answer_rows, attempt_item, current_attempt


def question_url(attempt: Attempt, question: Question, anchor: str = "") -> str:
    return reverse("question_show", args=[attempt.pk, question.pk]) + anchor


def question_context(
    item: AttemptQuestion,
    *,
    form: AnyAnswerForm | None = None,
    response: Response | None = None,
    chosen_ids: Collection[int] = frozenset(),
    chosen_matches: Mapping[int, int] | None = None,
    notice: str = "",
) -> dict:
    """What the question page and its partials need, from the item found with its tutor progress
    (quizzes/querysets.py: with_tutor_progress) and the attempt's running tally: no query of its own."""
    attempt, question = item.attempt, item.question
    context = {
        "attempt": attempt,
        "quiz": question.quiz,
        "question": question,
        "options": form.options if form else presented_options(question, attempt.shuffle_seed, chosen_ids=chosen_ids),
        "form": form,
        "response": response,
        "chosen_ids": chosen_ids,
        "chosen_matches": chosen_matches or {},
        "match_slots": form.slots() if isinstance(form, MatchingAnswerForm) else [],
        "notice": notice,
        "answer_url": reverse("answer", args=[attempt.pk, question.pk]),
        "answered": attempt.answered_count,
        "points": attempt.points_so_far,
        "total": item.total,
        "position": item.position,
    }
    if response is not None:
        context["next_question_id"] = item.next_question_id
        # A case report's title names the diagnosis: the citation leaves it out until the case's last stage.
        context["withholds_case_title"] = question.quiz.is_case and item.has_later_stage
    return context


@require_POST
@login_required
def start(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_object_or_404(Quiz.objects.published(), slug=slug)
    mode = Attempt.Mode.EXAM if request.POST.get("mode") == Attempt.Mode.EXAM else Attempt.Mode.TUTOR
    try:
        attempt = attempt_start(user=request.user, quiz=quiz, mode=mode)
    except (ModeNotOffered, CountedAttemptOpen) as refusal:
        # The quiz's page offers the way on: its "Resume" link to the open attempt, or tutor mode.
        messages.error(request, str(refusal))
        return redirect(quiz)
    return redirect("attempt_resume", attempt.pk)


@require_GET
@login_required
def resume(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = current_attempt(request, attempt_id)
    if attempt.is_finished:
        return redirect("attempt_summary", attempt.pk)
    if attempt.is_exam:
        # The first unanswered question, or the review page when every question has an answer.
        current = Question.objects.unanswered_in(attempt).first()
        if current is None:
            return redirect("exam_review", attempt.pk)
        return redirect("exam_question", attempt.pk, current.pk)
    current = Question.objects.unanswered_in(attempt).first()
    if current is None:
        # Every question is answered: go back to the last one, whose feedback offers "Finish".
        current = Question.objects.in_attempt(attempt).last()
        if current is None:
            messages.info(request, "This quiz has no questions yet.")
            return redirect(attempt.quiz or "home")
    return redirect(question_url(attempt, current))


@require_GET
@login_required
def question_show(request: HttpRequest, attempt_id: int, question_id: int) -> HttpResponse:
    items = AttemptQuestion.objects.with_answer_state().with_open_state().with_tutor_progress()
    item = attempt_item(request, attempt_id, question_id, items)
    attempt, question = item.attempt, item.question
    if attempt.is_exam:
        return redirect("exam_question", attempt.pk, question_id)  # which sends a finished exam to its results
    if not item.is_answered:
        if attempt.is_finished:
            return redirect("attempt_summary", attempt.pk)
        if not item.is_open:
            # Questions come in order: a later one (and a later case stage) waits its turn.
            return redirect("attempt_resume", attempt.pk)
        form = answer_form_for(question, options=presented_options(question, attempt.shuffle_seed))
        context = question_context(item, form=form)
    else:
        response, chosen_ids, chosen_matches = answer_given(attempt, question)
        # The feedback on the version answered, should the question have changed since.
        question = item.question = question_as_answered(question, response)
        context = question_context(item, response=response, chosen_ids=chosen_ids, chosen_matches=chosen_matches)
    if question.quiz.is_case:
        # Read here, not as the template loops: templates make no queries.
        context["earlier_stages"] = list(
            Question.objects.before(question).for_trainees().in_quiz_order().only("stage_html", "image", "image_alt")
        )
    return render(request, "quizzes/question.html", context)


@require_POST
@login_required
@rate_limited("answer", back_to="question_show")
def answer(request: HttpRequest, attempt_id: int, question_id: int) -> HttpResponse:
    items = (
        AttemptQuestion.objects.filter(question__quiz__status=Quiz.Status.PUBLISHED)
        .with_tutor_progress()
        .with_review_card_of(request.user)
    )
    item = attempt_item(request, attempt_id, question_id, items)
    attempt, question = item.attempt, item.question
    # Before the form: "this attempt is finished" is what the trainee needs to hear, not a form error.
    if refusal := tutor_answer_refusal(attempt):
        return answer_refused(request, item, refusal)
    form = answer_form_for(question, options=presented_options(question, attempt.shuffle_seed), data=request.POST)
    if not form.is_valid():
        template = "quizzes/question.html#question" if request.htmx else "quizzes/question.html"
        return render(request, template, question_context(item, form=form), status=422)
    try:
        result = answer_submit(
            attempt=attempt,
            question=question,
            **answer_fields(form),
            confidence=form.cleaned_data["confidence"],
            # Read with the question, so recording the answer reads nothing more.
            card=getattr(item, "review_card", None),
        )
    except AnswerRefused as refusal:
        return answer_refused(request, item, refusal)
    if not request.htmx:
        return redirect(question_url(attempt, question, "#feedback"))
    # The feedback comes from what is in memory: the answer just recorded, the question's parts read with
    # it, and the attempt's tally as the answer left it.
    context = question_context(
        item, response=result.response, chosen_ids=result.chosen_ids, chosen_matches=result.matches
    )
    return render(request, "quizzes/question.html#answered", context)


def answer_refused(request: HttpRequest, item: AttemptQuestion, refusal: AnswerRefused) -> HttpResponse:
    """409: nothing was recorded. Shows the answer already given, if there is one, and says why.

    An exam's answers stay hidden until it ends, so an exam is only told where its answers go.
    """
    attempt, question = item.attempt, item.question
    if not request.htmx:
        messages.warning(request, str(refusal))
        if attempt.is_exam:
            return redirect("attempt_resume", attempt.pk)
        return redirect(question_url(attempt, question, "#feedback"))
    response, chosen_ids, chosen_matches = (
        answer_given(attempt, question) if not attempt.is_exam else (None, frozenset(), {})
    )
    if response is None:  # Not answered: an exam, the attempt has finished, or the question is not open yet.
        context = {"notice": str(refusal), "attempt": attempt}
        return render(request, "quizzes/question.html#refused", context, status=409)
    # The answer that stands, on the version it answered, and the tally with it (an answer that won a
    # race moved it on).
    attempt.refresh_from_db(fields=["answered_count", "points_so_far"])
    item.question = question_as_answered(question, response)
    context = question_context(
        item, response=response, chosen_ids=chosen_ids, chosen_matches=chosen_matches, notice=str(refusal)
    )
    return render(request, "quizzes/question.html#answered", context, status=409)


@require_POST
@login_required
def finish(request: HttpRequest, attempt_id: int) -> HttpResponse:
    # An exam submitted after its time is up finishes as of its deadline, not now.
    attempt = attempt_finish(attempt=current_attempt(request, attempt_id))
    return redirect("attempt_summary", attempt.pk)


@require_GET
@login_required
def summary(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The results, question by question with the reasons; `?only=wrong` keeps the ones not got right."""
    attempt = current_attempt(request, attempt_id)
    if not attempt.is_finished:
        return redirect("attempt_resume", attempt.pk)
    only_wrong = request.GET.get("only") == "wrong"
    rows = summary_rows(attempt)
    shown = [row for row in rows if not row["is_right"]] if only_wrong else rows
    context = {"attempt": attempt, "quiz": attempt.quiz, "rows": shown, "only_wrong": only_wrong}
    context["report_back"] = request.get_full_path()  # a problem report comes back to this summary
    context |= {"total": len(rows), "wrong_count": sum(1 for row in rows if not row["is_right"])}
    return render(request, "quizzes/summary.html", context)


def summary_rows(attempt: Attempt) -> list[dict]:
    """Each question of the attempt with the trainee's answer and what the review of it needs."""
    responses = {r.question_id: r for r in attempt.responses.prefetch_related("chosen", "matches")}
    # Each question as it was answered: the version the trainee saw, should an educator have changed it since.
    questions = questions_as_answered(
        kind_parts_prefetched(
            list(Question.objects.in_attempt(attempt).select_related("author").prefetch_related("choices", "sources"))
        ),
        responses,
    )
    # A case report's title names the diagnosis: withheld while the case's final stage is unanswered.
    withholds_case_title = bool(
        attempt.quiz and attempt.quiz.is_case and questions and questions[-1].pk not in responses
    )
    rows = []
    for question in questions:
        response = responses.get(question.pk)
        chosen_ids, chosen_matches = answer_rows(response, question)
        rows.append(
            {
                "question": question,
                "response": response,
                "is_right": bool(response and response.is_correct),
                "chosen_ids": chosen_ids,
                "chosen_matches": chosen_matches,
                # The order the trainee saw, with a retired option still shown where they chose it.
                "options": presented_options(question, attempt.shuffle_seed, chosen_ids=chosen_ids),
                "withholds_case_title": withholds_case_title,
            }
        )
    return rows
