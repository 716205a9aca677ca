"""Where an answer's time goes, by area of code: `benchmarks/answer.py --profile` has each gunicorn worker
profile the answers it serves (benchmarks/site.py) and reads the profiles back here.

Each function's own CPU time (not counting what it calls) goes to the area its file belongs to, so the
areas add up to the whole and nothing is counted twice. Profiling slows Python code down more than the
database, so the split is a guide to where the CPU goes, not a timing; with PostgreSQL, the database's own
CPU is in another process and not in the figures.
"""

import cProfile
import os
import pstats
import time
from pathlib import Path

from django.http import HttpRequest, HttpResponse

# A worker writes its profile every this many answers: the end of a run stops workers with a signal, not a
# moment to rely on for writing files. The answers after a worker's last write are left out of the figures.
DUMP_EVERY = 20

# The areas, in the order they are tried: the first whose marker is in a function's file (or, for C
# functions, its name) takes its time.
AREAS = [
    ("database driver and waiting for the database", ("sqlite3", "SQLiteCursorWrapper", "psycopg", "socket")),
    ("ORM: building, compiling and running queries", ("django/db/models/sql", "django/db/backends")),
    ("ORM: models, fields, querysets, expressions", ("django/db/",)),
    ("templates", ("django/template", "django/templatetags", "quizzes/templatetags")),
    ("forms", ("django/forms",)),
    (
        "sessions, authentication and the cache",
        ("django/contrib/sessions", "django/contrib/auth", "redis/", "quizsite/cache"),
    ),
    ("the rest of Django (request, middleware, URLs, responses, utils)", ("django/",)),
    ("spaced repetition (fsrs)", ("fsrs/",)),
    ("the app's own code", ("quizzes/",)),
]
OTHER = "other Python (standard library, gunicorn)"


class AnswerProfiler:
    """In one gunicorn worker: profiles the answers (tutor mode's htmx POSTs) it serves into `folder`."""

    def __init__(self, folder: Path):
        # CPU time, not wall time: on a shared machine a worker waiting for a core is not the code's cost.
        self.folder, self.profile, self.answers = folder, cProfile.Profile(time.process_time), 0

    @staticmethod
    def wants(request: HttpRequest) -> bool:
        return request.method == "POST" and request.path.endswith("/answer/")

    def served(self, get_response, request: HttpRequest) -> HttpResponse:
        self.profile.enable()
        try:
            return get_response(request)
        finally:
            self.profile.disable()
            self.answers += 1
            if self.answers % DUMP_EVERY == 1:  # from the first, so even a short run leaves a profile
                # The profile and how many answers it holds, written together.
                self.profile.dump_stats(self.folder / f"{os.getpid()}.prof")
                (self.folder / f"{os.getpid()}.answers").write_text(str(self.answers))


def area_of(function: tuple[str, int, str]) -> str:
    filename, _line, name = function
    where = filename if filename != "~" else name  # a C function: "<method 'execute' of 'sqlite3.Cursor' ...>"
    return next((area for area, markers in AREAS if any(marker in where for marker in markers)), OTHER)


def areas_of_own_time(function: tuple[str, int, str], own_time: float, callers: dict) -> dict[str, float]:
    """Where a function's own time goes: its area's, except that a built-in function (getattr, str.join,
    a lock) that belongs to no area counts in the areas of the code that called it, in proportion."""
    area = area_of(function)
    if function[0] != "~" or area != OTHER or not callers:
        return {area: own_time}
    shares: dict[str, float] = {}
    for caller, (_calls, _primitive, time_in_calls, _cumulative) in callers.items():
        shares[area_of(caller)] = shares.get(area_of(caller), 0.0) + time_in_calls
    called = sum(shares.values()) or 1.0
    return {caller_area: own_time * time / called for caller_area, time in shares.items()}


def breakdown(folder: Path) -> tuple[int, list[dict]]:
    """How many answers the workers profiled, and per area its share of their time and milliseconds per
    answer, largest first."""
    files = sorted(folder.glob("*.prof"))
    if not files:
        return 0, []
    answers = sum(int(path.with_suffix(".answers").read_text()) for path in files)
    stats = pstats.Stats(*map(str, files))
    by_area: dict[str, float] = {}
    for function, (_calls, _primitive, own_time, _cumulative, callers) in stats.stats.items():
        for area, seconds in areas_of_own_time(function, own_time, callers).items():
            by_area[area] = by_area.get(area, 0.0) + seconds
    total = sum(by_area.values())
    return answers, [
        {"area": area, "share": round(100 * seconds / total, 1), "ms_per_answer": round(1000 * seconds / answers, 2)}
        for area, seconds in sorted(by_area.items(), key=lambda item: -item[1])
    ]
