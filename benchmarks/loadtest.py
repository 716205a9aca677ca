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
Only 127.0.0.1 is ever contacted; PostgreSQL and Redis are on loopback too. The PostgreSQL
database named in --database-url is dropped and recreated: give it a name of its own.
"""

import argparse
import asyncio
import json
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"  # the only address this script ever sends to
PASSWORD = "load-test-password-7d1f"


# --- seeding (runs inside Django, in a child process with the server's environment) --------------


def seed(trainees: int, sign_ins: int, out: Path) -> None:
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.utils import timezone

    from quizzes.models import Quiz, User

    call_command("load_content", verbosity=0)
    # One hash for every account: the passwords are the same, and hashing 3,000 of them would
    # take twenty minutes of CPU.
    hashed = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [User(username=f"trainee{n}", display_name=f"Trainee {n}", password=hashed) for n in range(trainees)]
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore
    expires = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    sessions, keys = [], {}
    for user in users[sign_ins:]:
        key = secrets.token_hex(16)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(Session(session_key=key, session_data=store().encode(data), expire_date=expires))
        keys[user.username] = key
    Session.objects.bulk_create(sessions, batch_size=500)
    quizzes = {
        quiz.slug: list(quiz.questions.in_quiz_order().values_list("pk", flat=True))
        for quiz in Quiz.objects.published()
    }
    out.write_text(
        json.dumps(
            {"quizzes": quizzes, "trainees": [{"username": u.username, "session": keys.get(u.username)} for u in users]}
        )
    )


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Recorder:
    max_requests: int
    sent: int = 0
    latencies: dict = field(default_factory=lambda: defaultdict(list))
    errors: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))

    def allow(self) -> bool:
        if self.sent >= self.max_requests:
            return False
        self.sent += 1
        return True

    def record(self, kind: str, seconds: float, problem: str | None = None) -> None:
        self.latencies[kind].append(seconds)
        if problem:
            self.errors[kind][problem] += 1


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def summarise(recorder: Recorder, seconds: float, cpu: dict) -> dict:
    rows = {}
    everything = []
    for kind, values in sorted(recorder.latencies.items()):
        everything += values
        rows[kind] = figures(values, sum(recorder.errors[kind].values()), seconds) | {
            "error_kinds": dict(recorder.errors[kind])
        }
    total_errors = sum(sum(kinds.values()) for kinds in recorder.errors.values())
    rows["all"] = figures(everything, total_errors, seconds)
    return {"seconds": round(seconds, 1), "rows": rows, "cpu": cpu}


def figures(values: list[float], errors: int, seconds: float) -> dict:
    if not values:
        return {"requests": 0, "errors": errors}
    return {
        "requests": len(values),
        "errors": errors,
        "per_second": round(len(values) / seconds, 1),
        "p50_ms": round(1000 * statistics.median(values), 1),
        "p95_ms": round(1000 * percentile(values, 0.95), 1),
        "p99_ms": round(1000 * percentile(values, 0.99), 1),
        "max_ms": round(1000 * max(values), 1),
    }


def process_cpu_seconds(root_pid: int) -> float:
    """CPU time (user + system) of a process and its children so far, from /proc: the live
    workers' own, and the master's including workers it has reaped (gunicorn recycles them)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root_pid:
            total += sum(int(value) for value in fields[11:15]) / tick
        elif ppid == root_pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def postgres_cpu_seconds() -> float:
    """CPU time of every PostgreSQL process on the machine (the load test's is the only load)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if stat.split("(", 1)[1].startswith("postgres)"):
                fields = stat.rsplit(")", 1)[1].split()
                # Own time, plus (on the postmaster) that of backends which have exited.
                total += sum(int(value) for value in fields[11:15]) / tick
    return total


def machine_busy_seconds() -> float:
    """CPU time every process on the machine has used so far (all cores), from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    def __init__(self, server_pid: int):
        self.server_pid = server_pid

    def __enter__(self):
        self.server = process_cpu_seconds(self.server_pid)
        self.database = postgres_cpu_seconds()
        self.machine = machine_busy_seconds()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.client = usage.ru_utime + usage.ru_stime
        self.wall = time.perf_counter()
        return self

    def __exit__(self, *exc):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        server = process_cpu_seconds(self.server_pid) - self.server
        client = usage.ru_utime + usage.ru_stime - self.client
        database = postgres_cpu_seconds() - self.database
        self.result = {
            "server_cpu_s": round(server, 1),
            "client_cpu_s": round(client, 1),
            "postgres_cpu_s": round(database, 1),
            # Anything else on the machine meanwhile (other people's test runs, say) took this much.
            "other_cpu_s": round(max(0.0, machine_busy_seconds() - self.machine - server - client - database), 1),
            "wall_s": round(time.perf_counter() - self.wall, 1),
        }


# --- HTTP on loopback ---------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    text: str

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name), None)

    def header_list(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name]


class Loopback:
    """A small HTTP/1.1 client: one connection per request (gunicorn's sync workers close it anyway),
    at most `connections` at once, like a proxy's pool. It costs the shared CPU a fraction of
    what a general-purpose client does, so the server, not the load generator, is what is measured."""

    def __init__(self, port: int, connections: int, timeout: float, deadline: float):
        self.port = port
        self.pool = asyncio.Semaphore(connections)
        self.timeout = timeout
        self.deadline = deadline

    async def request(self, method: str, path: str, headers: dict, form: dict | None = None) -> Reply:
        body = urlencode(form or {}, doseq=True).encode() if method == "POST" else b""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {HOST}:{self.port}",
            "Connection: close",
            f"Content-Length: {len(body)}",
        ]
        if method == "POST":
            lines.append("Content-Type: application/x-www-form-urlencoded")
        lines += [f"{name}: {value}" for name, value in headers.items()]
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        async with self.pool:
            remaining = min(self.timeout, self.deadline - time.perf_counter())
            if remaining <= 0:
                raise TimeoutError("the phase ended before this request could be sent")
            return await asyncio.wait_for(self.exchange(payload), remaining)

    async def exchange(self, payload: bytes) -> Reply:
        reader, writer = await asyncio.open_connection(HOST, self.port)
        try:
            writer.write(payload)
            raw = await reader.read()
        finally:
            writer.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = [tuple(part.strip() for part in line.split(":", 1)) for line in header_lines if ":" in line]
        return Reply(status=int(status_line.split()[1]), headers=headers, text=body.decode("utf-8", "replace"))


# --- a trainee's conversation --------------------------------------------------------------------


class Trainee:
    """One simulated trainee: cookies, the quiz in progress, where it is in that quiz."""

    def __init__(self, index: int, username: str, session: str | None, quizzes: dict):
        self.index = index
        self.username = username
        self.cookies = {"sessionid": session} if session else {}
        if session:
            # A browser holding a session also holds a CSRF cookie; an unmasked secret is a valid token.
            self.cookies["csrftoken"] = "".join(random.choices(string.ascii_letters + string.digits, k=32))
        self.quizzes = quizzes
        self.attempt = None
        self.questions: list[int] = []
        self.position = 0
        # The proxy in front would append the trainee's address; loopback addresses, as labels only.
        self.address = f"127.{10 + index // 65025}.{index // 255 % 255}.{index % 255 + 1}"

    def headers(self, port: int, **extra) -> dict:
        headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "Origin": f"https://{HOST}:{port}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        return headers | extra

    def keep_cookies(self, reply: Reply) -> None:
        for header in reply.header_list("set-cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]


async def send(
    client: Loopback,
    recorder: Recorder,
    kind: str,
    trainee: Trainee | None,
    method: str,
    path: str,
    expect: int,
    form: dict | None = None,
    headers: dict | None = None,
) -> Reply | None:
    """One request, timed from the moment it was due (time waiting for a free connection counts,
    as it would for a person waiting on the proxy)."""
    if not recorder.allow():
        return None
    headers = trainee.headers(client.port, **(headers or {})) if trainee else headers or {}
    started = time.perf_counter()
    try:
        reply = await client.request(method, path, headers, form)
    except Exception as error:
        recorder.record(kind, time.perf_counter() - started, type(error).__name__)
        return None
    recorder.record(kind, time.perf_counter() - started, None if reply.status == expect else f"HTTP {reply.status}")
    if trainee:
        trainee.keep_cookies(reply)
    return reply if reply.status == expect else None


async def sign_in(client, recorder, trainee: Trainee) -> None:
    page = await send(client, recorder, "login page (GET)", trainee, "GET", "/accounts/login/", 200)
    if page is None:
        return
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    data = {"csrfmiddlewaretoken": token, "username": trainee.username, "password": PASSWORD}
    await send(client, recorder, "log in (POST)", trainee, "POST", "/accounts/login/", 302, form=data)


async def start_quiz(client, recorder, trainee: Trainee, pages: bool) -> None:
    slug = random.choice(sorted(trainee.quizzes))
    started = await send(client, recorder, "start quiz (POST)", trainee, "POST", f"/quizzes/{slug}/start/", 302)
    if started is None:
        return
    trainee.attempt = int(re.search(r"/attempts/(\d+)/", started.header("location")).group(1))
    trainee.questions = trainee.quizzes[slug]
    trainee.position = 0
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


async def answer_turn(client, recorder, trainee: Trainee, pages: bool) -> None:
    if trainee.attempt is None:
        await start_quiz(client, recorder, trainee, pages)
        return
    question = trainee.questions[trainee.position]
    path = f"/attempts/{trainee.attempt}/questions/{question}/answer/"
    answered = await send(
        client,
        recorder,
        "answer (htmx POST)",
        trainee,
        "POST",
        path,
        200,
        form={"answer": random.choice("AB")},
        headers={"HX-Request": "true"},
    )
    if answered is None:
        return
    trainee.position += 1
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
    await send(client, recorder, "finish (POST)", trainee, "POST", f"/attempts/{trainee.attempt}/finish/", 302)
    trainee.attempt = None


# --- phases --------------------------------------------------------------------------------------


async def at_rate(rate: float, count: int, make_call) -> None:
    """Start make_call() `count` times, `rate` a second, whatever the replies' speed."""
    tasks = []
    begin = time.perf_counter()
    for n in range(count):
        delay = begin + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(make_call()))
    await asyncio.gather(*tasks)


async def trainees_phase(
    client, recorder, trainees: list[Trainee], interval: float, warmup: float, seconds: float, pages: bool
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
            await answer_turn(client, target, trainee, pages)
            moment += interval

    await asyncio.gather(*(life(trainee) for trainee in trainees))
    recorder.sent += warm.sent
    recorder.warmup_requests = warm.sent


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def prepare_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    if parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("The load test runs on loopback only: --database-url must point at 127.0.0.1")
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name in {"postgres", "quizsite", "quizsite_ci"}:
        raise SystemExit(f"Refusing to drop database {name!r}: give the load test a database of its own")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def server_environment(args, work: Path, port: int) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "GUNICORN_"))}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env |= {
        "DJANGO_SETTINGS_MODULE": "quizsite.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "DJANGO_MEDIA_ROOT": str(work / "media"),
        "DJANGO_TRUSTED_PROXY_COUNT": "1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"{HOST}:{port}",
        "GUNICORN_ACCESSLOG": str(work / "access.log"),
        "GUNICORN_LOGLEVEL": "warning",
    }
    if args.workers:
        env["GUNICORN_WORKERS"] = str(args.workers)
    if args.threads:
        env["GUNICORN_THREADS"] = str(args.threads)
    if args.db == "postgres":
        env["DATABASE_URL"] = args.database_url
    else:
        env["DJANGO_SQLITE_PATH"] = str(work / "db.sqlite3")
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    return env


def run(command: list[str], env: dict) -> None:
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


async def wait_until_up(port: int, process: subprocess.Popen) -> None:
    client = Loopback(port, connections=1, timeout=2.0, deadline=time.perf_counter() + 30)
    for _ in range(100):
        if process.poll() is not None:
            raise SystemExit("gunicorn exited while starting: see gunicorn.log in the work folder")
        try:
            if (await client.request("GET", "/healthz", {})).status == 200:
                return
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz within 20 seconds")


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
        await trainees_phase(client, recorder, trainees, args.interval, args.warmup, args.seconds, args.pages)
    results["trainees"] = summarise(recorder, args.seconds, cpu.result) | {
        "offered_per_second": round(rate, 1),
        "warmup_requests": recorder.warmup_requests,
    }
    return results


def machine() -> dict:
    memory = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    return {
        "nproc": os.cpu_count(),
        "memory": f"{int(memory.split()[1]) // 1024 // 1024} GiB",
        "cpu": model,
        "python": sys.version.split()[0],
    }


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
    if args.redis_url and urlsplit(args.redis_url).hostname not in {"127.0.0.1", "localhost"}:
        raise SystemExit("The load test runs on loopback only: --redis-url must point at 127.0.0.1")

    work = Path(tempfile.mkdtemp(prefix="quizsite-load-"))
    port = free_port()
    env = server_environment(args, work, port)
    if args.db == "postgres":
        prepare_postgres(args.database_url)
    if args.redis_url:
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
    print(f"Work folder {work}; preparing the site ...", flush=True)
    run([PYTHON, "manage.py", "migrate", "--noinput"], env)
    run([PYTHON, "manage.py", "collectstatic", "--noinput"], env)
    run(
        [PYTHON, __file__, "seed", str(args.trainees), str(args.sign_ins), str(work / "seed.json")],
        env | {"PYTHONPATH": str(ROOT)},
    )
    seed_data = json.loads((work / "seed.json").read_text())

    with open(work / "gunicorn.log", "w") as log:
        server = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        asyncio.run(wait_until_up(port, server))
        print(f"gunicorn up on {HOST}:{port}; measuring ...", flush=True)
        results = asyncio.run(measure(args, port, seed_data, server.pid))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "command": " ".join(["benchmarks/loadtest.py", *sys.argv[1:]]),
        "database": args.db,
        "results": results,
    }
    print(json.dumps(report, indent=2))
    print()
    print(markdown(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    if args.keep:
        print(f"Kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "seed":
        seed(int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))
    else:
        main()
