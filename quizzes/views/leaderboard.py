"""Leaderboards (all time, this week, per quiz), their CSV export for educators, and a trainee's
leaderboard settings."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from quizzes.downloads import csv_cell, csv_download
from quizzes.forms import LeaderboardSettingsForm
from quizzes.models import LeaderboardEntry, Quiz, User
from quizzes.services.leaderboard import leaderboard_settings_update

EDUCATOR_PERMISSION = "quizzes.view_response"
ANONYMOUS = "Anonymous trainee"


@dataclass(frozen=True)
class Board:
    kind: str  # "all", "week" or "quiz": the tab
    key: str  # LeaderboardEntry.board
    caption: str
    quiz: Quiz | None = None
    week_start: datetime.date | None = None

    @property
    def query(self) -> str:
        """This board's query string: the same URL serves the page, the htmx fragment and the CSV."""
        params = {"board": self.kind} | ({"quiz": self.quiz.slug} if self.quiz else {})
        return urlencode(params)

    @property
    def week_end(self) -> datetime.date | None:
        return self.week_start + datetime.timedelta(days=6) if self.week_start else None


@dataclass(frozen=True)
class Row:
    rank: int
    name: str
    username: str  # only for educators; empty otherwise
    is_hidden: bool
    is_viewer: bool
    entry: LeaderboardEntry


def board_from(request: HttpRequest) -> tuple[Board, list[Quiz]]:
    """The board the query string asks for, and for the per-quiz board the quizzes to choose from."""
    kind = request.GET.get("board", "all")
    if kind == "all":
        return Board("all", LeaderboardEntry.ALL_TIME, "All time"), []
    if kind == "week":
        monday = LeaderboardEntry.week_of(timezone.now())
        return Board("week", LeaderboardEntry.week_board(monday), "This week", week_start=monday), []
    if kind == "quiz":
        # One query serves both the chooser and the chosen quiz.
        quizzes = list(Quiz.objects.published().only("pk", "slug", "title"))
        slug = request.GET.get("quiz")
        quiz = next((q for q in quizzes if q.slug == slug), None) if slug else next(iter(quizzes), None)
        if quiz is None:
            if slug:
                raise Http404("No such published quiz.")
            return Board("quiz", "", "By quiz"), quizzes
        return Board("quiz", LeaderboardEntry.quiz_board(quiz.pk), quiz.title, quiz=quiz), quizzes
    raise Http404("No such leaderboard.")


def shown_name(user: User, *, viewer: User, is_educator: bool) -> str:
    """Trainees see display names, never usernames, and a hidden trainee only as "Anonymous trainee"."""
    if user.hide_from_leaderboard and user.pk != viewer.pk and not is_educator:
        return ANONYMOUS
    return user.public_name


def row_for(rank: int, entry: LeaderboardEntry, *, viewer: User, is_educator: bool) -> Row:
    return Row(
        rank=rank,
        name=shown_name(entry.user, viewer=viewer, is_educator=is_educator),
        username=entry.user.username if is_educator else "",
        is_hidden=entry.user.hide_from_leaderboard,
        is_viewer=entry.user_id == viewer.pk,
        entry=entry,
    )


@require_GET
@login_required
def leaderboard(request: HttpRequest) -> HttpResponse:
    """The top of a board and the viewer's own row, in the same queries at any cohort size:
    the top rows come from the rank index, and the viewer's rank is one indexed count."""
    return board_response(request, "quizzes/leaderboard.html", board_url=reverse("leaderboard"))


def board_response(
    request: HttpRequest, template: str, *, board_url: str, among=None, extra_context: dict | None = None
) -> HttpResponse:
    """A board's page (`template`) or the fragment htmx asks for. `among` (a queryset of users) makes it
    a cohort's board: only those users' rows, ranked among them; names are shown exactly as site-wide."""
    board, quizzes = board_from(request)
    # Educators are staff (manage.py create_educator): asking only then spares a trainee's request the
    # two permission queries (the user's own, then their groups').
    is_educator = request.user.is_staff and request.user.has_perm(EDUCATOR_PERMISSION)
    entries = LeaderboardEntry.objects.on_board(board.key)
    if among is not None:
        entries = entries.among(among)
    top = entries.select_related("user").in_rank_order()[: LeaderboardEntry.TOP].standings(stream=False)
    rows = [row_for(rank, entry, viewer=request.user, is_educator=is_educator) for rank, entry in top]
    mine = entries.filter(user=request.user).with_rank(among=among).first() if board.key else None
    own_row = None
    if mine is not None:
        mine.user = request.user
        own_row = row_for(mine.rank, mine, viewer=request.user, is_educator=is_educator)
    fragment = request.htmx and not request.htmx.history_restore_request
    context = {
        "board": board,
        "board_url": board_url,
        "quizzes": quizzes,
        "rows": rows,
        "own_row": own_row,
        "own_row_in_top": any(row.is_viewer for row in rows),
        "is_educator": is_educator,
        "top": LeaderboardEntry.TOP,
        "fragment": fragment,
    } | (extra_context or {})
    response = render(request, "quizzes/leaderboard.html#board" if fragment else template, context)
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@permission_required(EDUCATOR_PERMISSION, raise_exception=True)
def leaderboard_export(request: HttpRequest) -> StreamingHttpResponse:
    """The whole board as CSV, streamed in rank order, with usernames: for educators only."""
    board, _ = board_from(request)
    header = ["rank", "display_name", "username", "hidden", "points", "accuracy_percent", "answered", "correct"]

    def rows() -> Iterator[list]:
        yield header
        entries = LeaderboardEntry.objects.on_board(board.key).select_related("user").in_rank_order()
        for rank, entry in entries.standings(stream=True):
            yield [
                rank,
                csv_cell(entry.user.public_name),
                csv_cell(entry.user.username),
                "yes" if entry.user.hide_from_leaderboard else "no",
                entry.points,
                entry.accuracy,
                entry.answered,
                entry.correct,
            ]

    return csv_download(rows(), f"leaderboard-{board.key or 'empty'}.csv")


@require_http_methods(["GET", "POST"])
@login_required
def leaderboard_settings(request: HttpRequest) -> HttpResponse:
    initial = {"display_name": request.user.display_name, "hide_from_leaderboard": request.user.hide_from_leaderboard}
    form = LeaderboardSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        leaderboard_settings_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Your leaderboard settings are saved.")
        return redirect(reverse("leaderboard"))
    return render(request, "quizzes/leaderboard_settings.html", {"form": form})
