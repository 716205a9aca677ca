"""Leaderboard and answer benchmark: prints median times and query counts; it is not a test.

    .venv/bin/python benchmarks/leaderboard.py --db sqlite --db postgres

For each database it builds two cohorts in fresh databases (migrate, then seed_benchmark): 100
trainees with 10,000 responses, and 10,000 trainees with 1,000,000 responses, 1,000 questions in
quizzes of 10 either way. It refreshes the planner's statistics as a production database keeps
them, then measures through Django's test client, so middleware, session, queries and templates
all count:

- the leaderboard page (all time, this week, one quiz) seen by a trainee ranked in the middle of
  the cohort, well outside the top 20: median of --page-runs requests per board;
- an answer submission (the htmx POST), each to a fresh question of a first attempt, so it goes
  through the leaderboard upsert: median of --answers answers.

Each cohort lives in its own process (SQLite: a file under --workdir; PostgreSQL: the database in
--postgres-url with _100 or _10000 appended, dropped and created again). The two processes are
measured in alternating rounds of 5 requests, so whatever else the machine is doing meanwhile
falls on both sizes alike. Query counts come from separate requests under CaptureQueriesContext,
so counting does not slow the timed ones. Everything is bounded: a fixed number of requests.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = {
    "100": {"users": 100, "questions": 1000, "responses": 10_000},
    "10000": {"users": 10_000, "questions": 1000, "responses": 1_000_000},
}
BOARDS = ["all", "week", "quiz"]
ROUND = 5  # requests per board (and answers) in each round
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/quizsite_bench"
REPLY = "@@ "  # marks the lines of the parent-child protocol on the child's stdout


# The parent: starts one process per cohort and drives them in alternating rounds.


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"], help="Repeat for both (default both).")
    parser.add_argument("--page-runs", type=int, default=50, help="Timed requests per board (a multiple of 5).")
    parser.add_argument("--answers", type=int, default=50, help="Timed answers (a multiple of 5).")
    parser.add_argument("--warm-up", type=int, default=5, help="Untimed requests per board first.")
    parser.add_argument("--workdir", default="/tmp/quizsite-bench")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--serve", nargs=2, metavar=("DB", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args, *args.serve)
        return

    results = []
    for db in args.db or ["sqlite", "postgres"]:
        results.append(run_database(args, db))
    report(results)


class Child:
    def __init__(self, args, db: str, size: str):
        print(f"… {db}: seeding {SIZES[size]['users']:,} trainees", file=sys.stderr, flush=True)
        command = [
            sys.executable,
            __file__,
            "--serve",
            db,
            size,
            "--workdir",
            args.workdir,
            "--postgres-url",
            args.postgres_url,
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.ready = self.read()

    def ask(self, command: str):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.read()

    def read(self):
        for line in self.process.stdout:
            if line.startswith(REPLY):
                return json.loads(line[len(REPLY) :])
        raise RuntimeError(f"the benchmark process stopped (exit code {self.process.wait()})")

    def close(self):
        self.ask("quit")
        self.process.wait(timeout=60)


def run_database(args, db: str) -> dict:
    children = {size: Child(args, db, size) for size in SIZES}
    try:
        for child in children.values():
            child.ask(f"pages {args.warm_up}")
        pages = {size: {board: [] for board in BOARDS} for size in SIZES}
        answers = {size: [] for size in SIZES}
        print(f"… {db}: measuring", file=sys.stderr, flush=True)
        for round_number in range(max(args.page_runs, args.answers) // ROUND):
            order = list(SIZES) if round_number % 2 == 0 else list(reversed(SIZES))
            for size in order:
                if round_number * ROUND < args.page_runs:
                    for board, timings in children[size].ask(f"pages {ROUND}").items():
                        pages[size][board] += timings
                if round_number * ROUND < args.answers:
                    answers[size] += children[size].ask(f"answers {ROUND}")
        summaries = {size: child.ask("summary") for size, child in children.items()}
    finally:
        for child in children.values():
            child.close()
    return {
        "db": db,
        "sizes": {
            size: summaries[size]
            | {
                "pages": {
                    board: summaries[size]["pages"][board] | {"median_ms": median_ms(pages[size][board])}
                    for board in BOARDS
                },
                "answer": summaries[size]["answer"] | {"median_ms": median_ms(answers[size])},
            }
            for size in SIZES
        },
    }


def median_ms(timings: list[float]) -> float:
    return 1000 * statistics.median(timings)


def report(results: list[dict]) -> None:
    import django

    memory = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "0"
    )
    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs (nproc), {int(memory) // 1024} MiB memory, "
        f"Python {platform.python_version()}, Django {django.get_version()}; "
        f"load average when it finished: {', '.join(f'{load:.2f}' for load in os.getloadavg())}"
    )
    print()
    print(
        "| database | trainees | responses | entries | seed (s) | board | rows on board | viewer rank "
        "| page median (ms) | page queries | answer median (ms) | answer queries |"
    )
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for result in results:
        for _size, cohort in result["sizes"].items():
            for board, page in cohort["pages"].items():
                print(
                    f"| {cohort['db_version']} | {cohort['users']:,} | {cohort['responses']:,} | "
                    f"{cohort['entries']:,} | {cohort['seed_seconds']:.1f} | {board} | {page['board_size']:,} | "
                    f"{page['viewer_rank']:,} | {page['median_ms']:.1f} | {page['queries']} | "
                    f"{cohort['answer']['median_ms']:.1f} | {', '.join(map(str, cohort['answer']['queries']))} |"
                )
    print()
    for result in results:
        small, large = result["sizes"]["100"], result["sizes"]["10000"]
        for board in BOARDS:
            ratio = large["pages"][board]["median_ms"] / small["pages"][board]["median_ms"]
            print(
                f"{small['db_version']}, {board}: 10,000 trainees take {ratio:.2f}x the time of 100; "
                f"queries {small['pages'][board]['queries']} and {large['pages'][board]['queries']}"
            )
        ratio = large["answer"]["median_ms"] / small["answer"]["median_ms"]
        print(
            f"{small['db_version']}, answer: {ratio:.2f}x the time; "
            f"queries {small['answer']['queries']} and {large['answer']['queries']}"
        )


# The child: one cohort in its own database, measured on request.


def serve(args, db: str, size: str) -> None:
    cohort = Cohort(args, db, size)
    reply({"ready": True})
    for line in sys.stdin:
        command, *rest = line.split()
        if command == "pages":
            reply(cohort.pages(int(rest[0])))
        elif command == "answers":
            reply(cohort.answers(int(rest[0])))
        elif command == "summary":
            reply(cohort.summary())
        elif command == "quit":
            reply({"bye": True})
            return


def reply(value) -> None:
    print(REPLY + json.dumps(value), flush=True)


class Cohort:
    def __init__(self, args, db: str, size: str):
        self.db, self.size = db, size
        setup_django(db, size, args)
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        from quizzes.models import LeaderboardEntry, Quiz, User

        freeze_time_on_a_sunday_evening()
        call_command("migrate", verbosity=0)
        began = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            call_command("seed_benchmark", **SIZES[size], stdout=quiet)
        self.seed_seconds = time.perf_counter() - began
        with connection.cursor() as cursor:
            # A production database keeps its statistics up to date (autovacuum, or ANALYZE after a load).
            cursor.execute("VACUUM ANALYZE" if db == "postgres" else "ANALYZE")

        # The viewer: in the middle of the all-time board among those answering this week.
        this_week = LeaderboardEntry.week_board(LeaderboardEntry.week_of(now()))
        on_week = LeaderboardEntry.objects.filter(board=this_week).values("user")
        middle = LeaderboardEntry.objects.filter(board="all", user__in=on_week).order_by("-points", "user_id")
        self.viewer = User.objects.get(pk=middle[middle.count() // 2].user_id)
        # The viewer's weakest quiz, so that on its board too they are usually outside the top 20.
        quiz_boards = self.viewer.leaderboard_entries.filter(board__startswith="quiz-").order_by("points")
        quiz_board = quiz_boards.values_list("board", flat=True).first()
        quiz = Quiz.objects.get(pk=int(quiz_board.removeprefix("quiz-")))
        self.keys = {"all": "all", "week": this_week, "quiz": quiz_board}
        self.params = {"all": {}, "week": {"board": "week"}, "quiz": {"board": "quiz", "quiz": quiz.slug}}
        self.entries = LeaderboardEntry.objects.count()
        self.boards = {}
        for board, key in self.keys.items():
            on_board = LeaderboardEntry.objects.filter(board=key)
            self.boards[board] = {
                "board_size": on_board.count(),
                "viewer_rank": on_board.filter(user=self.viewer).with_rank().get().rank,
            }
        self.url = reverse("leaderboard")
        self.client = Client()
        self.client.force_login(self.viewer)
        self.answer_client = Client()
        self.answer_steps = self.answer_requests()
        self.answer_queries = []

    def pages(self, count: int) -> dict:
        timings = {}
        for board in BOARDS:
            timings[board] = []
            for _ in range(count):
                began = time.perf_counter()
                response = self.client.get(self.url, self.params[board])
                timings[board].append(time.perf_counter() - began)
                assert response.status_code == 200 and b"is-viewer" in response.content
        return timings

    def answer_requests(self):
        """Endless answers: fresh trainees, each answering 5 questions of a first (counted) attempt.
        Yields the POST to time; each trainee's first answer is not timed but counts the queries."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from quizzes.models import Question, Quiz, User
        from quizzes.options import presented_options
        from quizzes.services.attempts import attempt_start

        quizzes = list(Quiz.objects.filter(slug__startswith="bench-")[:10])
        number = 0
        while True:
            number += 1
            user = User.objects.create(username=f"answerer-{number}", display_name=f"Answerer {number}", password="!")
            self.answer_client.force_login(user)
            quiz = quizzes[number % len(quizzes)]
            attempt = attempt_start(user=user, quiz=quiz)
            for position, question in enumerate(Question.objects.filter(quiz=quiz).prefetch_related("choices")[:6]):
                label = next(o.label for o in presented_options(question, attempt.shuffle_seed) if o.choice.is_correct)
                post = (reverse("answer", args=[attempt.pk, question.pk]), {"answer": label})
                if position == 0:
                    with CaptureQueriesContext(connection) as queries:
                        self.answer_client.post(*post, HTTP_HX_REQUEST="true")
                    self.answer_queries.append(len(queries))
                    continue
                yield post

    def answers(self, count: int) -> list[float]:
        timings = []
        for _ in range(count):
            url, data = next(self.answer_steps)
            began = time.perf_counter()
            response = self.answer_client.post(url, data, HTTP_HX_REQUEST="true")
            timings.append(time.perf_counter() - began)
            assert response.status_code == 200 and b"Correct" in response.content
        return timings

    def summary(self) -> dict:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        pages = {}
        for board in BOARDS:
            with CaptureQueriesContext(connection) as queries:
                self.client.get(self.url, self.params[board])
            pages[board] = {"queries": len(queries)} | self.boards[board]  # sizes as seeded, before the answers
        return {
            "db_version": database_version(connection),
            **SIZES[self.size],
            "seed_seconds": self.seed_seconds,
            "entries": self.entries,
            "pages": pages,
            "answer": {"queries": sorted(set(self.answer_queries))},
        }


def setup_django(db: str, size: str, args) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "quizsite.settings.test"
    if db == "postgres":
        os.environ["DATABASE_URL"] = f"{args.postgres_url}_{size}"
        recreate_postgres_database(os.environ["DATABASE_URL"])
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    if db == "sqlite":
        path = Path(args.workdir) / f"bench-{size}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        settings.DATABASES["default"]["NAME"] = path  # before the first connection: never the developer's db
    django.setup()


def recreate_postgres_database(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def now():
    from django.utils import timezone

    return timezone.now()


def freeze_time_on_a_sunday_evening() -> None:
    """Run the whole benchmark at the last Sunday 20:00 (site time) before now, so that "this week"
    holds six and a half days of answers whatever day the benchmark runs on, not a few hours."""
    import datetime

    from django.utils import timezone

    local = timezone.localtime(timezone.now(), timezone.get_default_timezone())
    sunday = local.date() - datetime.timedelta(days=(local.weekday() + 1) % 7 or 7)
    frozen = datetime.datetime.combine(sunday, datetime.time(20), tzinfo=timezone.get_default_timezone())
    timezone.now = lambda: frozen


def database_version(connection) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return "PostgreSQL " + cursor.fetchone()[0].split()[0]
    import sqlite3

    return "SQLite " + sqlite3.sqlite_version


if __name__ == "__main__":
    main()
