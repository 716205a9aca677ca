#!/usr/bin/env python
"""Load test on loopback: gunicorn with the production settings, simulated trainees signing in
and answering, and the same request rate against /healthz for comparison.

    .venv/bin/python benchmarks/loadtest.py --db sqlite
    .venv/bin/python benchmarks/loadtest.py --db postgres --database-url postgres://postgres@127.0.0.1:5432/quizsite_load

It builds a throwaway site in a temporary folder (migrated, the bundled quizzes loaded, --trainees
accounts), starts gunicorn from gunicorn.conf.py on 127.0.0.1, and runs three phases:

1. baseline: /healthz, a constant string, at the rate the trainees will send requests;
2. sign-in: --sign-ins trainees log in through the login form, as a browser does;
3. trainees: every trainee answers one question every --interval seconds (htmx POST) and then
   opens the next question (GET), as the page does; at the end of a quiz it finishes and starts
   another. The other trainees signed in earlier: their sessions are made while seeding, because
   hashing 3,000 passwords (0.35 s of CPU each) would take the whole run.

Requests are scheduled in advance (open loop): a slow server does not slow the arrivals down.
Every phase stops by itself after its time, and no run sends more than --max-requests requests.
Every answer is one the site accepts (benchmarks/harness.py, FORMS): options of the question for
the choice kinds, a point inside a target for hotspot questions. Any reply below 500 that the
trainee did not expect (a 422, a 409, a redirect to the log-in page) stops the run with that reply
and a non-zero exit status. Only 127.0.0.1 is ever contacted; PostgreSQL and Redis are on loopback
too. The PostgreSQL database named in --database-url is dropped and recreated: give it a name of
its own.
"""

import argparse
import asyncio
import json
import random
import sys
import time
from datetime import UTC, datetime
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

# --- a trainee's conversation --------------------------------------------------------------------


async def start_quiz(client, recorder, trainee: Trainee, pages: bool) -> None:
    if not await quiz_started(client, recorder, trainee, random.choice(sorted(trainee.quizzes))):
        return
    if pages:
        await send(
            client,
            recorder,
            "question page (GET)",
            trainee,
            "GET",
            f"/attempts/{trainee.attempt}/questions/{trainee.questions[0]}/",
            200,
        )


async def answer_turn(client, recorder, trainee: Trainee, pages: bool, keys: dict) -> None:
    if trainee.attempt is None:
        await start_quiz(client, recorder, trainee, pages)
        return
    if not await answer_current(client, recorder, trainee, keys, "answer (htmx POST)"):
        return
    if trainee.position < len(trainee.questions):
        if pages:
            following = trainee.questions[trainee.position]
            await send(
                client,
                recorder,
                "question page (GET)",
                trainee,
                "GET",
                f"/attempts/{trainee.attempt}/questions/{following}/",
                200,
                headers={"HX-Request": "true", "HX-Boosted": "true"},
            )
        return
    await quiz_finished(client, recorder, trainee)


# --- phases --------------------------------------------------------------------------------------


async def trainees_phase(
    client, recorder, trainees: list[Trainee], interval: float, warmup: float, seconds: float, pages: bool, keys: dict
) -> None:
    """Each trainee acts once per interval at its own random offset; only the window after the
    warm-up (in which everyone opens a quiz) is recorded."""
    begin = time.perf_counter()
    end = begin + warmup + seconds
    warm = Recorder(max_requests=recorder.max_requests)

    async def life(trainee: Trainee):
        moment = begin + random.uniform(0, interval)
        while moment < end:
            await asyncio.sleep(max(0.0, moment - time.perf_counter()))
            target = warm if moment < begin + warmup else recorder
            await answer_turn(client, target, trainee, pages, keys)
            moment += interval

    await asyncio.gather(*(life(trainee) for trainee in trainees))
    recorder.sent += warm.sent
    recorder.warmup_requests = warm.sent


# --- main ----------------------------------------------------------------------------------------

GRACE = 15.0  # seconds a phase may run past its end for replies still on their way, then it stops


async def measure(args, port: int, seed_data: dict, server_pid: int) -> dict:
    rate = args.trainees / args.interval * (2 if args.pages else 1)
    results = {}

    def loopback(seconds: float) -> Loopback:
        return Loopback(port, args.connections, timeout=args.timeout, deadline=time.perf_counter() + seconds + GRACE)

    recorder = Recorder(max_requests=args.max_requests)
    client = loopback(args.baseline_seconds)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.9.9.9"}
    with CpuMeter(server_pid) as cpu:
        await at_rate(
            rate,
            round(rate * args.baseline_seconds),
            lambda: send(client, recorder, "healthz (GET)", None, "GET", "/healthz", 200, headers=headers),
        )
    results["baseline"] = summarise(recorder, args.baseline_seconds, cpu.result) | {
        "offered_per_second": round(rate, 1)
    }
    budget = args.max_requests - recorder.sent

    trainees = [
        Trainee(n, entry["username"], entry["session"], seed_data["quizzes"])
        for n, entry in enumerate(seed_data["trainees"])
    ]
    recorder = Recorder(max_requests=budget)
    newcomers = trainees[: args.sign_ins]
    client = loopback(len(newcomers) / args.sign_in_rate)
    with CpuMeter(server_pid) as cpu:
        queue = iter(newcomers)
        await at_rate(args.sign_in_rate, len(newcomers), lambda: sign_in(client, recorder, next(queue)))
    results["sign-in"] = summarise(recorder, cpu.result["wall_s"], cpu.result) | {
        "offered_per_second": args.sign_in_rate
    }
    budget -= recorder.sent

    recorder = Recorder(max_requests=budget)
    client = loopback(args.warmup + args.seconds)
    with CpuMeter(server_pid) as cpu:
        await trainees_phase(
            client, recorder, trainees, args.interval, args.warmup, args.seconds, args.pages, seed_data["keys"]
        )
    results["trainees"] = summarise(recorder, args.seconds, cpu.result) | {
        "offered_per_second": round(rate, 1),
        "warmup_requests": recorder.warmup_requests,
    }
    return results


def markdown(report: dict) -> str:
    lines = [
        f"Run {report['date']} on {report['machine']['nproc']} cores, {report['machine']['memory']} "
        f"({report['machine']['cpu']}): `{report['command']}`",
        "",
        "| phase | requests | req/s (offered) | errors | p50 ms | p95 ms | p99 ms | max ms | CPU s: gunicorn / PostgreSQL / load generator / other |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for phase, result in report["results"].items():
        for kind, row in result["rows"].items():
            if not row.get("requests"):
                continue
            label = f"**{phase}: all**" if kind == "all" else f"{phase}: {kind}"
            cpu = result["cpu"]
            cpu_text = (
                (
                    f"{cpu['server_cpu_s']} / {cpu['postgres_cpu_s']} / {cpu['client_cpu_s']} / {cpu['other_cpu_s']} "
                    f"in {cpu['wall_s']} s"
                )
                if kind == "all"
                else ""
            )
            offered = f" ({result['offered_per_second']})" if kind == "all" else ""
            lines.append(
                f"| {label} | {row['requests']} | {row['per_second']}{offered} | {row['errors']} | {row['p50_ms']} "
                f"| {row['p95_ms']} | {row['p99_ms']} | {row['max_ms']} | {cpu_text} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/quizsite_load",
        help="dropped and recreated: a database of the load test's own",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/14",
        help="the production cache (rate limits, sessions); '' for none; this Redis database is flushed",
    )
    parser.add_argument("--trainees", type=int, default=3000)
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between one trainee's answers")
    parser.add_argument(
        "--pages",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also open the next question after each answer, as the page does",
    )
    parser.add_argument("--sign-ins", type=int, default=40, help="trainees who log in through the form")
    parser.add_argument("--sign-in-rate", type=float, default=2.0, help="log-ins started per second")
    parser.add_argument("--baseline-seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=None, help="default: one interval")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured window of the trainees phase")
    parser.add_argument("--max-requests", type=int, default=60_000, help="hard cap over the whole run")
    parser.add_argument("--connections", type=int, default=64, help="connections at once, like a proxy's pool")
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds before a request counts as failed")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument("--threads", type=int, default=0, help="gunicorn threads per worker")
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (database, logs)")
    args = parser.parse_args()
    args.warmup = args.interval if args.warmup is None else args.warmup
    if args.seconds + args.warmup + args.baseline_seconds > 600:
        raise SystemExit("A run is bounded to ten minutes of load; shorten --seconds, --warmup or --baseline-seconds")

    site = Site(
        db=args.db,
        database_url=args.database_url,
        redis_url=args.redis_url,
        workers=args.workers,
        threads=args.threads,
        keep=args.keep,
    )
    with site:
        seed_data = site.prepare("--trainees", str(args.trainees), "--sign-ins", str(args.sign_ins))
        with site.serving() as server_pid:
            try:
                results = asyncio.run(measure(args, site.port, seed_data, server_pid))
            except UnexpectedReply as reply:
                raise SystemExit(f"Stopped: {reply}") from None

    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "commit": commit(),
        "command": " ".join(["benchmarks/loadtest.py", *sys.argv[1:]]),
        "database": seed_data["database"],
        "results": results,
    }
    print(json.dumps(report, indent=2))
    print()
    print(markdown(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
