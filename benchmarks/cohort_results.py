"""Cohort results benchmark: prints median times and query counts of a cohort's results; it is not a test.

    .venv/bin/python benchmarks/cohort_results.py              # SQLite
    .venv/bin/python benchmarks/cohort_results.py --db postgres

One fresh database (SQLite: a file under --workdir; PostgreSQL: the database in --postgres-url, dropped
and created again) holds two cohorts owned by one educator, set the same 20 quizzes: a large one of 500
trainees and a small one of 10. Each trainee has, per assigned quiz, by a seeded draw: an attempt
finished on time (65%), one finished late (10%), one still open (10%) or nothing (15%), and one in five
of them a later practice attempt too; 500 trainees outside both cohorts took the quizzes as well, so
the attempts table is not the cohorts' alone. After ANALYZE it measures, through Django's test client
(middleware, session, queries and template all count), as the owner:

- the owners' results page of each cohort (its assignments' tallies, every trainee's standing, the
  overdue list): the whole grid of trainees x assignments is read in one query;
- the results CSV of each cohort (one row per trainee and assignment), read to its end.

5 warm-up requests each, then --runs timed ones, in alternating rounds of 5 (small, large, then large,
small) so whatever else the machine does falls on both sizes alike. Query counts come from separate
requests under CaptureQueriesContext. It prints the medians and the large/small ratio.
"""

import argparse
import datetime
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from leaderboard import database_version, recreate_postgres_database  # noqa: E402  (the sibling benchmark)

SIZES = {"small": 10, "large": 500}
ASSIGNMENTS = 20
OUTSIDERS = 500
ROUND = 5
PAGES = ["results page", "results CSV"]
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/quizsite_cohort_bench"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=50, help="Timed requests per page and size (a multiple of 5).")
    parser.add_argument("--warm-up", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--workdir", default="/tmp/quizsite-bench")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    args = parser.parse_args()
    setup_django(args)

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"… {args.db}: seeding", file=sys.stderr, flush=True)
    began = time.perf_counter()
    owner, cohorts, counts = seed(random.Random(args.seed))
    seed_seconds = time.perf_counter() - began
    with connection.cursor() as cursor:
        # A production database keeps its statistics up to date (autovacuum, or ANALYZE after a load).
        cursor.execute("VACUUM ANALYZE" if args.db == "postgres" else "ANALYZE")

    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(owner)
    urls = {
        size: {
            "results page": reverse("cohort_detail", args=[cohort.pk]),
            "results CSV": reverse("cohort_results_csv", args=[cohort.pk]),
        }
        for size, cohort in cohorts.items()
    }
    for size in SIZES:
        for page in PAGES:
            for _ in range(args.warm_up):
                fetch(client, urls[size][page])
    print(f"… {args.db}: measuring", file=sys.stderr, flush=True)
    timings = {size: {page: [] for page in PAGES} for size in SIZES}
    for round_number in range(args.runs // ROUND):
        order = list(SIZES) if round_number % 2 == 0 else list(reversed(SIZES))
        for size in order:
            for page in PAGES:
                for _ in range(ROUND):
                    began = time.perf_counter()
                    fetch(client, urls[size][page])
                    timings[size][page].append(time.perf_counter() - began)
    queries = {size: {page: query_count(client, urls[size][page]) for page in PAGES} for size in SIZES}
    report(args, database_version(connection), seed_seconds, counts, timings, queries)


def fetch(client, url: str) -> bytes:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200 and body, url
    return body


def query_count(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        fetch(client, url)
    return len(queries)


def seed(draw: random.Random):
    """The educator, the two cohorts (by size name) and how many attempts there are."""
    from django.db import transaction
    from django.utils import timezone

    from quizzes.models import Assignment, Attempt, Cohort, CohortMembership, Quiz, Topic, User

    now = timezone.now()
    with transaction.atomic():
        topic = Topic.objects.create(name="Benchmark", slug="benchmark")
        quizzes = Quiz.objects.bulk_create(
            Quiz(title=f"Bench quiz {n}", slug=f"bench-quiz-{n}", topic=topic, status="published", order=n)
            for n in range(ASSIGNMENTS)
        )
        owner = User.objects.create(username="bench-owner", display_name="Dr Owner", is_staff=True, password="!")
        users = User.objects.bulk_create(
            User(username=f"bench-{n}", display_name=f"Trainee {n}", password="!")
            for n in range(sum(SIZES.values()) + OUTSIDERS)
        )
        cohorts, members, start = {}, {}, 0
        for size, count in SIZES.items():
            cohort = Cohort.objects.create(
                name=f"Bench {size}",
                starts_on=(now - datetime.timedelta(days=30)).date(),
                ends_on=(now + datetime.timedelta(days=60)).date(),
                join_code=Cohort.new_join_code(),
                created_by=owner,
            )
            cohort.owners.add(owner)
            members[size] = users[start : start + count]
            start += count
            CohortMembership.objects.bulk_create(CohortMembership(cohort=cohort, user=user) for user in members[size])
            # Half the assignments are past their due date, half still to come.
            Assignment.objects.bulk_create(
                Assignment(
                    cohort=cohort,
                    quiz=quiz,
                    opens_at=now - datetime.timedelta(days=21),
                    due_at=now + datetime.timedelta(days=n - ASSIGNMENTS // 2),
                    assigned_by=owner,
                )
                for n, quiz in enumerate(quizzes)
            )
            cohorts[size] = cohort
        attempts = []
        for user in users:
            for n, quiz in enumerate(quizzes):
                attempts += attempts_of(
                    draw, user, quiz, due=now + datetime.timedelta(days=n - ASSIGNMENTS // 2), now=now
                )
        Attempt.objects.bulk_create(attempts, batch_size=2000)
    return owner, cohorts, {"attempts": len(attempts), "users": len(users) + 1}


def attempts_of(draw: random.Random, user, quiz, *, due, now) -> list:
    """One trainee's attempts at one assigned quiz (opened 21 days ago), by the seeded draw."""
    from quizzes.models import Attempt

    roll = draw.random()
    if roll >= 0.85:
        return []  # not started
    if roll < 0.65:
        finished = min(now, due) - datetime.timedelta(hours=2)  # on time
    elif roll < 0.75 and due + datetime.timedelta(hours=5) < now:
        finished = due + datetime.timedelta(hours=5)  # late
    else:
        finished = None  # still open
    started = (finished or now) - datetime.timedelta(minutes=draw.randint(5, 40))
    fields = {"user": user, "quiz": quiz, "kind": "quiz", "mode": "tutor", "shuffle_seed": "0" * 32}
    score = {"score": 80, "max_score": 100} if finished else {}
    made = [Attempt(**fields, **score, started_at=started, finished_at=finished, is_ranked=True)]
    if finished and draw.random() < 0.2:
        later = finished + datetime.timedelta(minutes=30)
        made.append(Attempt(**fields, **score, started_at=later, finished_at=later + datetime.timedelta(minutes=10)))
    return made


def report(args, db_version: str, seed_seconds: float, counts: dict, timings: dict, queries: dict) -> None:
    import django

    memory = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "0"
    )
    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs (nproc), {int(memory) // 1024} MiB memory, "
        f"Python {platform.python_version()}, Django {django.get_version()}, {db_version}; "
        f"load average when it finished: {', '.join(f'{load:.2f}' for load in os.getloadavg())}"
    )
    print(f"Seeded {counts['users']:,} users and {counts['attempts']:,} attempts in {seed_seconds:.1f} s.")
    print()
    print("| page | trainees | assignments | median (ms) | queries |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for page in PAGES:
        for size, trainees in SIZES.items():
            median = 1000 * statistics.median(timings[size][page])
            print(f"| {page} | {trainees} | {ASSIGNMENTS} | {median:.1f} | {queries[size][page]} |")
    print()
    for page in PAGES:
        ratio = statistics.median(timings["large"][page]) / statistics.median(timings["small"][page])
        print(
            f"{db_version}, {page}: {SIZES['large']} trainees take {ratio:.2f}x the time of {SIZES['small']} "
            f"({ASSIGNMENTS} assignments each); queries {queries['small'][page]} and {queries['large'][page]}"
        )


def setup_django(args) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "quizsite.settings.test"
    if args.db == "postgres":
        os.environ["DATABASE_URL"] = args.postgres_url
        recreate_postgres_database(args.postgres_url)
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    if args.db == "sqlite":
        path = Path(args.workdir) / "cohort-results.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        settings.DATABASES["default"]["NAME"] = path  # before the first connection: never the developer's db
    django.setup()


if __name__ == "__main__":
    main()
