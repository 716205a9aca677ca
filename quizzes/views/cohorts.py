"""Cohorts on the site: a trainee joins one (by link or code), sees its assignments and leaderboard, and
leaves; its owners change it, add trainees and co-owners, assign quizzes and read the results (per
assignment with its item analysis, per trainee, and as CSV).

Every view finds its cohort through Cohort.objects.owned_by (to change it or read its results) or
visible_to (its page and board), so anyone else, an educator who does not own it or a trainee of another
cohort, gets 404 at every cohort URL.
"""

from collections import defaultdict
from collections.abc import Iterator
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quizzes.analysis import quiz_item_analysis
from quizzes.assignments import DONE_LATE, NOT_STARTED, Progress
from quizzes.cohort_forms import AssignmentForm, CohortForm, JoinCodeForm, UsernameForm
from quizzes.downloads import csv_cell, csv_download
from quizzes.models import Assignment, Attempt, Cohort, CohortMembership, Quiz, Response, User
from quizzes.ratelimit import rate_limited
from quizzes.refusals import AlreadyMember, CohortRefused, JoinCodeNotOpen
from quizzes.services.cohorts import (
    COHORT_OWNER_PERMISSION,
    assignment_create,
    assignment_delete,
    assignment_update,
    cohort_code_close,
    cohort_code_save,
    cohort_create,
    cohort_join,
    cohort_member_add,
    cohort_member_remove,
    cohort_owner_add,
    cohort_update,
)
from quizzes.views.leaderboard import board_response

# --- Lookups: the permission rules, as querysets ---------------------------------------------------


def owned_cohort(request: HttpRequest, cohort_id: int) -> Cohort:
    return get_object_or_404(Cohort.objects.owned_by(request.user), pk=cohort_id)


def owned_assignment(request: HttpRequest, cohort_id: int, assignment_id: int) -> Assignment:
    cohort = owned_cohort(request, cohort_id)
    return get_object_or_404(cohort.assignments.select_related("quiz", "cohort"), pk=assignment_id)


def member_of(cohort: Cohort, user_id: int) -> User:
    """A trainee of the cohort: an owner reaches no one else through it."""
    return get_object_or_404(User.objects.filter(cohort_memberships__cohort=cohort), pk=user_id)


def may_create_cohorts(user) -> bool:
    return user.has_perm(COHORT_OWNER_PERMISSION)


def form_page(
    request: HttpRequest, form, *, heading: str, button: str, cohort: Cohort | None = None, back: str = ""
) -> HttpResponse:
    """A cohort or assignment form, again with its errors (422) when it was not valid."""
    context = {"form": form, "cohort": cohort, "heading": heading, "button": button}
    context["back"] = back or (cohort.get_absolute_url() if cohort else reverse("cohort_list"))
    return render(request, "quizzes/cohort_form.html", context, status=422 if form.errors else 200)


def confirm_page(request: HttpRequest, *, heading: str, explanation: str, button: str, back: str) -> HttpResponse:
    """Asks before a change one click does not undo; the change is the POST to the same URL."""
    context = {"heading": heading, "explanation": explanation, "button": button, "back": back}
    return render(request, "quizzes/cohort_confirm.html", context)


def progress_of(row, assignment: Assignment, now) -> Progress:
    """The standing read by assignment_progress into `row`: a membership, the assignment itself, or a row
    of the grid (cohort_grid)."""
    return Progress(
        opened_at=assignment.opened_at,
        due_at=assignment.due_at,
        done_at=row.done_at,
        in_progress=row.in_progress,
        now=now,
        started_at=getattr(row, "done_started_at", None),
    )


def my_assignments(request: HttpRequest) -> list[Assignment]:
    """The signed-in trainee's assignments in cohorts that have not ended, by due date, each with its
    `progress`. One query, read once per request: the header's count and the home page share it."""
    if not hasattr(request, "_my_assignments"):
        now = timezone.now()
        assignments = list(
            Assignment.objects.for_member(request.user)
            .in_current_cohorts(now)
            .with_progress_of(request.user, now)
            .select_related("quiz", "cohort")
            .in_due_order()
        )
        for assignment in assignments:
            assignment.progress = progress_of(assignment, assignment, now)
        request._my_assignments = assignments
    return request._my_assignments


def due_soon_count(request: HttpRequest) -> int:
    """How many of the trainee's assignments are overdue or due soon and not done (the header's count)."""
    return sum(assignment.progress.is_due_soon for assignment in my_assignments(request))


# --- Every signed-in user: the list, joining, leaving ------------------------------------------------


@require_GET
@login_required
def cohort_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "quizzes/cohort_list.html",
        {
            "joined": list(Cohort.objects.joined_by(request.user).with_sizes()),
            "owned": list(Cohort.objects.owned_by(request.user).with_sizes()),
            "may_create": may_create_cohorts(request.user),
            "assignments": my_assignments(request),
            "form": JoinCodeForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@rate_limited("join", back_to="cohort_join")
def cohort_join_by_code(request: HttpRequest) -> HttpResponse:
    form = JoinCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = cohort_join(user=request.user, code=form.cleaned_data["code"])
        except AlreadyMember as refusal:
            messages.info(request, str(refusal))
            return redirect(refusal.cohort)
        except CohortRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            messages.success(request, f"You joined “{cohort.name}”.")
            return redirect(cohort)
    status = 422 if form.errors else 200
    return render(request, "quizzes/cohort_join.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limited("join", back_to="cohort_join_link")
def cohort_join_by_link(request: HttpRequest, code: str) -> HttpResponse:
    """The join link: a page that says which cohort it is and asks to confirm; joining is the POST. Its
    GET says whether a code works, so it counts against the join rate limit as a POST does."""
    if request.method == "POST":
        try:
            cohort = cohort_join(user=request.user, code=code)
        except AlreadyMember as refusal:
            messages.info(request, str(refusal))
            return redirect(refusal.cohort)
        except CohortRefused as refusal:
            return render(request, "quizzes/cohort_join.html", {"refusal": str(refusal)}, status=404)
        messages.success(request, f"You joined “{cohort.name}”.")
        return redirect(cohort)
    cohort = Cohort.objects.open_with_code(code).first()
    if cohort is None:
        return render(request, "quizzes/cohort_join.html", {"refusal": str(JoinCodeNotOpen(code))}, status=404)
    context = {
        "cohort": cohort,
        "owners": list(cohort.owners.all()),
        "is_member": cohort.memberships.filter(user=request.user).exists(),
        "is_owner": cohort.owners.filter(pk=request.user.pk).exists(),
    }
    return render(request, "quizzes/cohort_join.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def cohort_leave(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.joined_by(request.user), pk=cohort_id)
    if request.method == "POST":
        cohort_member_remove(cohort=cohort, user=request.user)
        messages.success(request, f"You left “{cohort.name}”.")
        return redirect("home")
    return confirm_page(
        request,
        heading=f"Leave “{cohort.name}”?",
        explanation="You will no longer see its assignments or its leaderboard, and its owners will no longer see "
        "your results. Your attempts stay yours. To come back you need its join code.",
        button="Leave this cohort",
        back=cohort.get_absolute_url(),
    )


# --- Members and owners: the cohort's page and its leaderboard -------------------------------------


@require_GET
@login_required
def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.visible_to(request.user), pk=cohort_id)
    if cohort.viewer_owns:
        return render(request, "quizzes/cohort_results.html", cohort_results(request, cohort))
    now = timezone.now()
    assignments = list(cohort.assignments.with_progress_of(request.user, now).select_related("quiz").in_due_order())
    for assignment in assignments:
        assignment.progress = progress_of(assignment, assignment, now)
    return render(
        request,
        "quizzes/cohort_detail.html",
        {"cohort": cohort, "owners": list(cohort.owners.all()), "assignments": assignments},
    )


def cohort_results(request: HttpRequest, cohort: Cohort) -> dict:
    """The owners' page: each assignment's tally, each trainee's standing and overdue work, in the same
    queries however many trainees and assignments (the whole grid is one query)."""
    now = timezone.now()
    assignments = {a.pk: a for a in cohort.assignments.select_related("quiz").in_due_order()}
    members = [m.user for m in CohortMembership.objects.of(cohort).select_related("user").in_name_order()]
    tallies = {pk: defaultdict(int) for pk in assignments}
    standing = {user.pk: {"done": 0, "late": 0, "overdue": []} for user in members}
    for row in cohort_grid(cohort, now):
        assignment = assignments[row.assignment_id]
        progress = progress_of(row, assignment, now)
        tallies[assignment.pk][progress.status] += 1
        trainee = standing[row.user_id]
        trainee["done"] += progress.is_done
        trainee["late"] += progress.status == DONE_LATE
        if progress.is_overdue:
            trainee["overdue"].append(assignment)
    for user in members:
        user.standing = standing[user.pk]
    for assignment in assignments.values():
        assignment.tally = tallies[assignment.pk]
    return {
        "cohort": cohort,
        "owners": list(cohort.owners.all()),
        "assignments": list(assignments.values()),
        "members": members,
        "overdue": [user for user in members if user.standing["overdue"]],
        "join_url": request.build_absolute_uri(reverse("cohort_join_link", args=[cohort.join_code]))
        if cohort.join_code
        else "",
        "trainee_form": UsernameForm(prefix="trainee"),
        "owner_form": UsernameForm(prefix="owner"),
    }


def cohort_grid(cohort: Cohort, now, attempt_fields: tuple[str, ...] = ()) -> Iterator[SimpleNamespace]:
    """Every trainee's progress on every assignment of the cohort (CohortMembershipQuerySet.progress_grid),
    as light rows (user_id, assignment_id, done_at, in_progress, done_<field>): no model per row."""
    fields = ["user_id", "assignment_id", "done_at", "in_progress", *(f"done_{field}" for field in attempt_fields)]
    grid = CohortMembership.objects.of(cohort).progress_grid(now, attempt_fields=attempt_fields)
    for values in grid.values_list(*fields):
        yield SimpleNamespace(**dict(zip(fields, values, strict=True)))


@require_GET
@login_required
def cohort_leaderboard(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.visible_to(request.user), pk=cohort_id)
    members = CohortMembership.objects.of(cohort).values("user")
    return board_response(
        request,
        "quizzes/cohort_leaderboard.html",
        board_url=reverse("cohort_leaderboard", args=[cohort.pk]),
        among=members,
        extra_context={"cohort": cohort},
    )


# --- Owners: creating and changing a cohort ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def cohort_new(request: HttpRequest) -> HttpResponse:
    if not may_create_cohorts(request.user):
        raise Http404("Only educators create cohorts.")
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cohort = cohort_create(created_by=request.user, **form.cleaned_data)
        messages.success(request, f"“{cohort.name}” is created. Give trainees its join code or link.")
        return redirect(cohort)
    return form_page(request, form, heading="New cohort", button="Create cohort", back=reverse("cohort_list"))


@require_http_methods(["GET", "POST"])
@login_required
def cohort_edit(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = owned_cohort(request, cohort_id)
    initial = {field: getattr(cohort, field) for field in ("name", "description", "starts_on", "ends_on")}
    form = CohortForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cohort_update(cohort=cohort, **form.cleaned_data)
        messages.success(request, "The cohort is saved.")
        return redirect(cohort)
    return form_page(request, form, cohort=cohort, heading=f"Change “{cohort.name}”", button="Save cohort")


@require_POST
@login_required
def cohort_code(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Make a new join code (the old code and link stop working) or close joining."""
    cohort = owned_cohort(request, cohort_id)
    if request.POST.get("action") == "close":
        cohort_code_close(cohort=cohort)
        messages.success(request, "Joining is closed: nobody can join with a code or link until you make a new code.")
    else:
        cohort_code_save(cohort=cohort)
        messages.success(request, f"The new join code is {cohort.join_code}. The old code and link no longer work.")
    return redirect(cohort)


@require_POST
@login_required
def cohort_member_new(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = owned_cohort(request, cohort_id)
    return username_added(request, cohort, UsernameForm(request.POST, prefix="trainee"), cohort_member_add, "a trainee")


@require_POST
@login_required
def cohort_owner_new(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = owned_cohort(request, cohort_id)
    return username_added(request, cohort, UsernameForm(request.POST, prefix="owner"), cohort_owner_add, "an owner")


def username_added(request: HttpRequest, cohort: Cohort, form: UsernameForm, add, role: str) -> HttpResponse:
    """Add someone by username with `add` (a service), then back to the cohort's page with what happened."""
    if not form.is_valid():
        messages.error(request, "Type the username of the person to add.")
    else:
        try:
            user = add(cohort=cohort, username=form.cleaned_data["username"])
        except CohortRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, f"{user.public_name} ({user.username}) is now {role} of “{cohort.name}”.")
    return redirect(cohort)


@require_http_methods(["GET", "POST"])
@login_required
def cohort_member_remove_view(request: HttpRequest, cohort_id: int, user_id: int) -> HttpResponse:
    cohort = owned_cohort(request, cohort_id)
    trainee = member_of(cohort, user_id)
    if request.method == "POST":
        cohort_member_remove(cohort=cohort, user=trainee)
        messages.success(request, f"{trainee.public_name} ({trainee.username}) is no longer in “{cohort.name}”.")
        return redirect(cohort)
    return confirm_page(
        request,
        heading=f"Remove {trainee.public_name} from “{cohort.name}”?",
        explanation="They will no longer see its assignments or leaderboard, and you will no longer see their "
        "results. Their attempts stay theirs; they can join again with the join code.",
        button="Remove from this cohort",
        back=reverse("cohort_trainee", args=[cohort.pk, trainee.pk]),
    )


# --- Owners: assignments ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def assignment_new(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = owned_cohort(request, cohort_id)
    quizzes = Quiz.objects.published().exclude(assignments__cohort=cohort).in_topic_order()
    form = AssignmentForm(request.POST or None, quizzes=quizzes)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = assignment_create(cohort=cohort, assigned_by=request.user, **form.cleaned_data)
        except CohortRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"“{assignment.quiz.title}” is assigned, {assignment_due_words(assignment)}.")
            return redirect(cohort)
    return form_page(request, form, cohort=cohort, heading=f"Assign a quiz to “{cohort.name}”", button="Assign")


def assignment_due_words(assignment: Assignment) -> str:
    return f"due {timezone.localtime(assignment.due_at):%-d %b %Y, %H:%M}"


@require_http_methods(["GET", "POST"])
@login_required
def assignment_edit(request: HttpRequest, cohort_id: int, assignment_id: int) -> HttpResponse:
    assignment = owned_assignment(request, cohort_id, assignment_id)
    initial = {"mode": assignment.mode, "opens_at": assignment.opens_at, "due_at": assignment.due_at}
    form = AssignmentForm(request.POST or None, initial=initial, quiz=assignment.quiz)
    if request.method == "POST" and form.is_valid():
        try:
            assignment_update(assignment=assignment, **form.cleaned_data)
        except CohortRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"“{assignment.quiz.title}” is now {assignment_due_words(assignment)}.")
            return redirect(assignment.cohort)
    return form_page(
        request,
        form,
        cohort=assignment.cohort,
        heading=f"Change the assignment of “{assignment.quiz.title}”",
        button="Save assignment",
        back=reverse("cohort_assignment", args=[cohort_id, assignment.pk]),
    )


@require_http_methods(["GET", "POST"])
@login_required
def assignment_delete_view(request: HttpRequest, cohort_id: int, assignment_id: int) -> HttpResponse:
    assignment = owned_assignment(request, cohort_id, assignment_id)
    if request.method == "POST":
        assignment_delete(assignment=assignment)
        messages.success(request, f"“{assignment.quiz.title}” is no longer assigned.")
        return redirect(assignment.cohort)
    return confirm_page(
        request,
        heading=f"Take away the assignment of “{assignment.quiz.title}”?",
        explanation="Trainees will no longer see it. Their attempts at the quiz stay theirs.",
        button="Take away this assignment",
        back=reverse("cohort_assignment", args=[cohort_id, assignment.pk]),
    )


@require_GET
@login_required
def assignment_results(request: HttpRequest, cohort_id: int, assignment_id: int) -> HttpResponse:
    """Who has done it (on time or late), who is on it, who has not started, with scores and times; and
    the item analysis of the attempts that did it."""
    assignment = owned_assignment(request, cohort_id, assignment_id)
    now = timezone.now()
    memberships = CohortMembership.objects.of(assignment.cohort)
    rows = list(memberships.with_progress_on(assignment, now).select_related("user").in_name_order())
    for row in rows:
        row.progress = progress_of(row, assignment, now)
    counted = Attempt.objects.filter(pk__in=memberships.with_progress_on(assignment, now).values("done_id"))
    return render(
        request,
        "quizzes/cohort_assignment.html",
        {
            "cohort": assignment.cohort,
            "assignment": assignment,
            "rows": rows,
            "not_started": sum(row.progress.status == NOT_STARTED for row in rows),
            "analysis": quiz_item_analysis(assignment.quiz, attempts=counted.finished()),
        },
    )


@require_GET
@login_required
def trainee_results(request: HttpRequest, cohort_id: int, user_id: int) -> HttpResponse:
    """One trainee's assignments in the cohort and their accuracy per topic on the cohort's quizzes."""
    cohort = owned_cohort(request, cohort_id)
    trainee = member_of(cohort, user_id)
    now = timezone.now()
    assignments = list(
        cohort.assignments.with_progress_of(trainee, now, with_attempt=True).select_related("quiz").in_due_order()
    )
    for assignment in assignments:
        assignment.progress = progress_of(assignment, assignment, now)
    # Only answers to the cohort's quizzes: its owners see the cohort's work, not the trainee's whole record.
    answers = Response.objects.filter(attempt__user=trainee, question__quiz__assignments__cohort=cohort).final()
    return render(
        request,
        "quizzes/cohort_trainee.html",
        {"cohort": cohort, "trainee": trainee, "assignments": assignments, "topics": topic_rows(answers)},
    )


def topic_rows(answers: QuerySet[Response]) -> list[dict]:
    return [
        {
            "name": row["question__quiz__topic__name"],
            "answered": row["answered"],
            "correct": row["correct"],
            "percent": round(100 * row["correct"] / row["answered"]),
        }
        for row in answers.accuracy_by_topic()
    ]


CSV_ATTEMPT_FIELDS = ("started_at", "score", "max_score")
CSV_HEADER = [
    "cohort",
    "display_name",
    "username",
    "quiz",
    "mode",
    "opens_at",
    "due_at",
    "status",
    "finished_at",
    "score",
    "max_score",
    "percent",
    "minutes_taken",
]


@require_GET
@login_required
def cohort_results_csv(request: HttpRequest, cohort_id: int) -> StreamingHttpResponse:
    """Every trainee's standing on every assignment, one row each, by username then due date: the whole
    of the results."""
    cohort = owned_cohort(request, cohort_id)
    now = timezone.now()
    assignments = list(cohort.assignments.select_related("quiz").in_due_order())
    trainees = User.objects.filter(cohort_memberships__cohort=cohort).order_by("username", "pk")
    grid = {(row.user_id, row.assignment_id): row for row in cohort_grid(cohort, now, CSV_ATTEMPT_FIELDS)}

    def rows() -> Iterator[list]:
        yield CSV_HEADER
        for trainee in trainees:
            for assignment in assignments:
                row = grid[(trainee.pk, assignment.pk)]
                progress = progress_of(row, assignment, now)
                taken = progress.time_taken
                yield [
                    csv_cell(cohort.name),
                    csv_cell(trainee.public_name),
                    csv_cell(trainee.username),
                    assignment.quiz.slug,
                    assignment.mode,
                    assignment.opened_at.isoformat(),
                    assignment.due_at.isoformat(),
                    progress.status,
                    row.done_at.isoformat() if row.done_at else "",
                    "" if row.done_score is None else row.done_score,
                    "" if row.done_max_score is None else row.done_max_score,
                    round(100 * row.done_score / row.done_max_score)
                    if row.done_score is not None and row.done_max_score
                    else "",
                    "" if taken is None else round(taken.total_seconds() / 60, 1),
                ]

    return csv_download(rows(), f"cohort-{slugify(cohort.name) or cohort.pk}-results.csv")
