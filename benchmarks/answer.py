#!/usr/bin/env python
"""The answer benchmark: what an answer costs next to a constant view, on one server, in one run.

    .venv/bin/python benchmarks/answer.py                 # SQLite (or: make bench)
    .venv/bin/python benchmarks/answer.py --db postgres   # PostgreSQL (or: make bench DB=postgres)

The site is served as production serves it: gunicorn from gunicorn.conf.py (5 sync workers on 2 cores),
the production settings with a generated secret key, DEBUG off, allowed hosts 127.0.0.1, collected static
files behind whitenoise, and Redis for sessions and rate-limit counters when --redis-url answers. It runs
through benchmarks/settings.py, which adds only a constant view for a signed-in trainee and a
Server-Timing header (benchmarks/site.py). The rate limit on answers is raised so that it never refuses,
but it still counts every answer. A fresh database (a temporary SQLite file, or the PostgreSQL database
--database-url names, dropped and recreated) holds the bundled quizzes, every kind of question among them,
--trainees simulated trainees (--sign-ins of them log in through the form; the others hold sessions made
while seeding) and a cohort of --cohort others with answers, so the leaderboards have rows to rank.
Each trainee takes the quizzes one after another, the first started before measuring; at the end of one
it finishes it and starts the next (those requests are counted apart from the endpoints').

1. Interleaved, closed loop: --connections clients, each cycling through its own trainees and for each
   sending, one after the other, the constant view anonymous (/healthz) and signed in, the trainee's
   question page, its answer (an htmx POST, well-formed for the question's kind: harness.FORMS) and the
   leaderboard. Every endpoint is thus measured under the same load at the same moments. --warmup seconds
   unrecorded, then --seconds recorded. Printed: the run's throughput; per endpoint the latency at the
   client (p50, p95, p99), the worker's wall and CPU time per request (from Server-Timing), and the
   signed-in constant view's time and CPU as a percentage of the endpoint's: on a server whose cores are
   the limit, the share of the constant view's throughput the endpoint reaches. The CPU share is the
   steadier figure on a shared machine (other work stretches wall times); the time share also counts
   waiting for the database, whose own CPU (PostgreSQL's) is printed for the whole window.
2. Open loop: answers alone, scheduled at each of --rates answers a second for --step-seconds (after 2 s
   unrecorded) whatever the server's speed, each from a trainee not already waiting for a reply; it is
   sent when due, unless its trainee first moves on to its next quiz. Climbing stops after a rate the
   server did not hold (over 10% errors or p95 over 2 s): the next would only time out.

Any reply below 500 that was not expected stops the run with that reply and a non-zero exit status;
5xx and timeouts are counted as errors. The defaults take about three minutes, setup included.
Only 127.0.0.1 is ever contacted.
"""

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections import deque
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import (
    CpuMeter,
    Loopback,
    Recorder,
    Site,
    Trainee,
    UnexpectedReply,
    answer_current,
    at_rate,
    commit,
    machine,
    quiz_finished,
    quiz_started,
    send,
    sign_in,
    summarise,
)
from benchmarks.profiling import breakdown

CONSTANT = "constant, signed in"
ENDPOINTS = ("constant, anonymous", CONSTANT, "question page", "answer (htmx POST)", "leaderboard")
ANSWER = ENDPOINTS[3]
GRACE = 5.0  # seconds a phase may run past its end for replies still on their way
COLLAPSED_ERRORS, COLLAPSED_P95_MS = 0.10, 2000.0


class QuizTaker(Trainee):
    """A trainee taking the bundled quizzes one after another, largest first (the fewest starts), each
    trainee from a different one."""

    def __init__(self, index: int, username: str, session: str | None, quizzes: dict):
        super().__init__(index, username, session, quizzes)
        self.order = sorted(quizzes, key=lambda slug: -len(quizzes[slug]))
        self.taken = index


async def ready(client: Loopback, recorder: Recorder, trainee: QuizTaker) -> bool:
    """Whether the trainee has a question to answer: at the end of a quiz it finishes it and starts the
    next (requests counted apart from the endpoints'). False when one of those failed: the turn is lost."""
    if trainee.attempt is not None and trainee.position < len(trainee.questions):
        return True
    if trainee.attempt is not None and not await quiz_finished(client, recorder, trainee):
        return False
    slug = trainee.order[trainee.taken % len(trainee.order)]
    trainee.taken += 1
    return await quiz_started(client, recorder, trainee, slug)


# --- setup -----------------------------------------------------------------------------------------


async def trainees_ready(client: Loopback, trainees: list[QuizTaker], sign_ins: int) -> None:
    """The first `sign_ins` trainees log in through the form (the others hold sessions made while seeding),
    then every trainee starts its first quiz."""
    setup = Recorder(max_requests=10**9)
    for trainee in trainees[:sign_ins]:
        await sign_in(client, setup, trainee)
    started = await asyncio.gather(*(ready(client, setup, trainee) for trainee in trainees))
    if not all(started):
        raise SystemExit(f"The trainees could not be signed in and started: {dict(setup.errors)}")


# --- 1. interleaved, closed loop ------------------------------------------------------------------


async def cycle(client: Loopback, recorder: Recorder, trainee: QuizTaker, keys: dict) -> None:
    """One trainee's turn: each endpoint once, in a fixed order."""
    anonymous = {"X-Forwarded-Proto": "https", "X-Forwarded-For": trainee.address}
    await send(client, recorder, ENDPOINTS[0], None, "GET", "/healthz", 200, headers=anonymous)
    await send(client, recorder, CONSTANT, trainee, "GET", "/benchmark/constant/", 200)
    if not await ready(client, recorder, trainee):
        return
    question = trainee.questions[trainee.position]
    await send(
        client, recorder, "question page", trainee, "GET", f"/attempts/{trainee.attempt}/questions/{question}/", 200
    )
    await answer_current(client, recorder, trainee, keys, ANSWER)
    await send(client, recorder, "leaderboard", trainee, "GET", "/leaderboard/", 200)


async def interleaved(port: int, args, trainees: list[QuizTaker], keys: dict, server_pid: int) -> dict:
    client = Loopback(port, args.connections, timeout=args.timeout, deadline=time.perf_counter() + 10**9)
    warm, recorder = Recorder(max_requests=10**9), Recorder(max_requests=10**9)
    begin = time.perf_counter()
    recording_from, end = begin + args.warmup, begin + args.warmup + args.seconds

    async def loop(own: list[QuizTaker]) -> None:
        turn = 0
        while time.perf_counter() < end:
            now = time.perf_counter()
            await cycle(client, recorder if now >= recording_from else warm, own[turn % len(own)], keys)
            turn += 1

    groups = [trainees[n :: args.connections] for n in range(args.connections)]
    cpu = CpuMeter(server_pid)
    meter = asyncio.create_task(measured_window(cpu, recording_from, end))
    await asyncio.gather(*(loop(group) for group in groups if group))
    await meter
    # Requests still on their way at the end are recorded too: a few more than the window's.
    return summarise(recorder, args.seconds, cpu.result)


async def measured_window(cpu: CpuMeter, start: float, end: float) -> None:
    await asyncio.sleep(max(0.0, start - time.perf_counter()))
    with cpu:
        await asyncio.sleep(max(0.0, end - time.perf_counter()))


def compared(summary: dict) -> list[dict]:
    """Each endpoint's cost next to the signed-in constant view's, as the worker's time and CPU per request:
    on a server whose cores are the limit, the share of the constant view's throughput it would reach."""
    rows = summary["rows"]
    constant = rows[CONSTANT]
    return [
        rows[name]
        | {
            "endpoint": name,
            "time_share": round(100 * constant["server_ms"] / rows[name]["server_ms"], 1),
            "cpu_share": round(100 * constant["server_cpu_ms"] / rows[name]["server_cpu_ms"], 1),
        }
        for name in ENDPOINTS
    ]


# --- 2. open loop ------------------------------------------------------------------------------------


async def open_loop(port: int, args, trainees: list[QuizTaker], keys: dict, server_pid: int) -> list[dict]:
    idle = deque(trainees)

    async def one_answer(client: Loopback, recorder: Recorder) -> None:
        if not idle:
            # Every trainee is still waiting for a reply: the server is that far behind.
            recorder.not_sent(ANSWER, "no trainee free to answer")
            return
        trainee = idle.popleft()
        try:
            if await ready(client, recorder, trainee):
                await answer_current(client, recorder, trainee, keys, ANSWER)
            else:
                recorder.not_sent(ANSWER, "its quiz could not be finished or the next started")
        finally:
            idle.append(trainee)

    steps = []
    for rate in args.rates:
        warm, recorder = Recorder(max_requests=10**9), Recorder(max_requests=10**9)
        deadline = time.perf_counter() + 2 + args.step_seconds + GRACE
        client = Loopback(port, 10**6, timeout=args.timeout, deadline=deadline)
        await at_rate(rate, round(rate * 2), partial(one_answer, client, warm))
        with CpuMeter(server_pid) as cpu:
            await at_rate(rate, round(rate * args.step_seconds), partial(one_answer, client, recorder))
        row = summarise(recorder, args.step_seconds, cpu.result)["rows"].get(ANSWER, {"requests": 0, "errors": 0})
        steps.append(row | {"rate": rate, "cpu": cpu.result})
        print(f"  {rate:>5g} answers/s: p95 {row.get('p95_ms', '-')} ms, {row['errors']} errors", flush=True)
        if row["errors"] > COLLAPSED_ERRORS * max(1, row["requests"]) or row.get("p95_ms", 0) > COLLAPSED_P95_MS:
            break
    return steps


# --- report ----------------------------------------------------------------------------------------


def report_text(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"{report['date']}, commit {report['commit']}, {report['database']}",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory']}, Python {m['python']}; "
        f"load average {report['load_before']} before, {m['load_average']} after (the machine is shared)",
        f"Command: {report['command']} ({report['run_seconds']} s in all, setup included)",
        "",
        f"Interleaved, closed loop: {report['connections']} connections, {report['seconds']} s after "
        f"{report['warmup']} s of warm-up; {report['throughput']} requests answered a second in all",
        "",
        "| endpoint | requests | p50 ms | p95 ms | p99 ms | errors | worker ms | worker CPU ms "
        "| % of constant (time) | % of constant (CPU) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report["interleaved"]:
        lines.append(
            f"| {row['endpoint']} | {row['requests']} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} "
            f"| {row['errors']} | {row['server_ms']} | {row['server_cpu_ms']} | {row['time_share']} "
            f"| {row['cpu_share']} |"
        )
    cpu = report["interleaved_cpu"]
    other = report["interleaved_other"]
    lines += [
        "",
        "Trainees moving on to their next quiz also sent: "
        + (", ".join(f"{name} {row['requests']} ({row['errors']} errors)" for name, row in other.items()) or "nothing"),
        "",
        f"CPU over the window: gunicorn {cpu['server_cpu_s']} s, PostgreSQL {cpu['postgres_cpu_s']} s, load "
        f"generator {cpu['client_cpu_s']} s, other processes {cpu['other_cpu_s']} s in {cpu['wall_s']} s",
    ]
    if report["open_loop"]:
        lines += [
            "",
            f"Open loop, answers only, {report['step_seconds']} s at each rate:",
            "",
            "| answers/s offered | answered/s | p50 ms | p95 ms | p99 ms | errors | gunicorn CPU ms per answer |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
    for step in report["open_loop"]:
        per_answer = 1000 * step["cpu"]["server_cpu_s"] / max(1, step["requests"])
        lines.append(
            f"| {step['rate']:g} | {step.get('answered_per_second', 0)} | {step.get('p50_ms', '-')} "
            f"| {step.get('p95_ms', '-')} "
            f"| {step.get('p99_ms', '-')} | {step['errors']} {step.get('error_kinds') or ''} | {per_answer:.1f} |"
        )
    skipped = [rate for rate in report["rates"] if rate not in {step["rate"] for step in report["open_loop"]}]
    if skipped:
        lines.append(f"\nNot run: {', '.join(f'{rate:g}' for rate in skipped)} answers/s (the rate before collapsed).")
    if report["profile"]:
        answers, areas = report["profile"]
        lines += [
            "",
            f"Where an answer's time goes: {answers} answers profiled in the workers (the timings above are "
            "inflated by profiling; the shares are the figure):",
            "",
            "| area of code | share of the time | ms per answer, profiled |",
            "| --- | ---: | ---: |",
            *(f"| {area['area']} | {area['share']}% | {area['ms_per_answer']} |" for area in areas),
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/quizsite_bench_answer",
        help="dropped and recreated: a database of the benchmark's own",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/15",
        help="the production cache (sessions, rate limits); '' for none; this Redis database is flushed",
    )
    parser.add_argument("--trainees", type=int, default=120)
    parser.add_argument("--sign-ins", type=int, default=2, help="trainees who log in through the form")
    parser.add_argument("--cohort", type=int, default=2000, help="other trainees with answers on the leaderboards")
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=40.0, help="the interleaved run's recorded window")
    parser.add_argument("--rates", type=float, nargs="+", default=[10, 25, 50, 100, 150])
    parser.add_argument("--step-seconds", type=float, default=12.0, help="recorded seconds at each open-loop rate")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds before a request counts as failed")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (database, logs)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the answers of the interleaved run and print where their time goes, by area of code "
        "(benchmarks/profiling.py); no open loop, and the timings are inflated by profiling",
    )
    args = parser.parse_args()
    run_began = time.perf_counter()
    if args.trainees < args.connections:
        raise SystemExit("--trainees must be at least --connections: each connection has trainees of its own")

    load_before = " ".join(f"{value:.2f}" for value in os.getloadavg())
    profiles = tempfile.mkdtemp(prefix="answer-profiles-") if args.profile else ""
    site = Site(
        db=args.db,
        database_url=args.database_url,
        redis_url=args.redis_url,
        settings="benchmarks.settings",
        workers=args.workers,
        # Counted as always, never refused: a refusal would measure the 429 page instead of the answer.
        environment={"DJANGO_RATE_LIMIT_ANSWER": "1000000000/60s"}
        | ({"BENCHMARK_PROFILE_DIR": profiles} if profiles else {}),
        keep=args.keep,
    )
    with site:
        seed = site.prepare(
            "--trainees", str(args.trainees), "--sign-ins", str(args.sign_ins), "--cohort", str(args.cohort)
        )
        trainees = [
            QuizTaker(n, entry["username"], entry["session"], seed["quizzes"])
            for n, entry in enumerate(seed["trainees"])
        ]
        with site.serving() as server_pid:
            try:
                began = time.perf_counter()
                setup_client = Loopback(site.port, args.connections, timeout=60, deadline=began + 600)
                asyncio.run(trainees_ready(setup_client, trainees, args.sign_ins))
                print(
                    f"  trainees signed in and at their first quizzes: {time.perf_counter() - began:.0f} s", flush=True
                )
                print("Interleaved run ...", flush=True)
                summary = asyncio.run(interleaved(site.port, args, trainees, seed["keys"], server_pid))
                steps = []
                if not args.profile:
                    print("Open loop ...", flush=True)
                    steps = asyncio.run(open_loop(site.port, args, trainees, seed["keys"], server_pid))
            except UnexpectedReply as stopped:
                raise SystemExit(f"Stopped: {stopped}") from None

    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load_before": load_before,
        "commit": commit(),
        "command": " ".join(["benchmarks/answer.py", *sys.argv[1:]]),
        "database": seed["database"],
        "connections": args.connections,
        "warmup": args.warmup,
        "seconds": args.seconds,
        "throughput": summary["rows"]["all"]["answered_per_second"],
        "interleaved": compared(summary),
        "interleaved_cpu": summary["cpu"],
        "interleaved_other": {
            name: row for name, row in summary["rows"].items() if name not in ENDPOINTS and name != "all"
        },
        "step_seconds": args.step_seconds,
        "rates": [] if args.profile else args.rates,
        "open_loop": steps,
        "profile": breakdown(Path(profiles)) if profiles else None,
        "run_seconds": round(time.perf_counter() - run_began),
    }
    print()
    print(report_text(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
