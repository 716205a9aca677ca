"""What the load test and the answer benchmark share: a throwaway site served by gunicorn on loopback,
a small HTTP client, simulated trainees that answer every kind of question, and the figures.

Only 127.0.0.1 is ever contacted; PostgreSQL and Redis are on loopback too. A PostgreSQL database
named for a run is dropped and recreated, so each run names one of its own.
"""

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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"  # the only address a benchmark ever sends to
PASSWORD = "load-test-password-7d1f"


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Recorder:
    max_requests: int
    sent: int = 0
    latencies: dict = field(default_factory=lambda: defaultdict(list))
    errors: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    answered: dict = field(default_factory=lambda: defaultdict(int))  # requests that got the reply expected
    # What the server said each request cost it (the benchmark settings' Server-Timing header), in seconds.
    server_cpu: dict = field(default_factory=lambda: defaultdict(list))
    server_wall: dict = field(default_factory=lambda: defaultdict(list))

    def allow(self) -> bool:
        if self.sent >= self.max_requests:
            return False
        self.sent += 1
        return True

    def record(self, kind: str, seconds: float, problem: str | None = None) -> None:
        self.latencies[kind].append(seconds)
        if problem:
            self.errors[kind][problem] += 1
        else:
            self.answered[kind] += 1

    def not_sent(self, kind: str, problem: str) -> None:
        """An error for a request that could not even be sent: it has no latency."""
        self.errors[kind][problem] += 1

    def record_timing(self, kind: str, reply: "Reply") -> None:
        timings = reply.server_timing()
        if "cpu" in timings:
            self.server_cpu[kind].append(timings["cpu"])
            self.server_wall[kind].append(timings["app"])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def summarise(recorder: Recorder, seconds: float, cpu: dict) -> dict:
    rows = {}
    everything = []
    for kind in sorted(recorder.latencies.keys() | recorder.errors.keys()):
        values = recorder.latencies[kind]
        everything += values
        rows[kind] = figures(values, sum(recorder.errors[kind].values()), seconds) | {
            "error_kinds": dict(recorder.errors[kind]),
            "answered_per_second": round(recorder.answered[kind] / seconds, 1),
        }
        if recorder.server_cpu[kind]:
            rows[kind] |= {
                "server_cpu_ms": round(1000 * statistics.fmean(recorder.server_cpu[kind]), 2),
                "server_ms": round(1000 * statistics.fmean(recorder.server_wall[kind]), 2),
            }
    total_errors = sum(sum(kinds.values()) for kinds in recorder.errors.values())
    rows["all"] = figures(everything, total_errors, seconds) | {
        "answered_per_second": round(sum(recorder.answered.values()) / seconds, 1)
    }
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
    """CPU time of every PostgreSQL process on the machine (other people's queries included: the
    machine is shared, so this is an upper bound on the benchmark's own)."""
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
        "load_average": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def commit() -> str:
    """The checked-out commit, marked when the work tree differs from it (the figures are then not its)."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return git("rev-parse", "--short", "HEAD") + (" with uncommitted changes" if git("status", "--porcelain") else "")


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

    def server_timing(self) -> dict[str, float]:
        """Server-Timing's metrics in seconds: `cpu` and `app` under the benchmark settings, else none."""
        found = re.findall(r"(\w+);dur=([\d.]+)", self.header("server-timing") or "")
        return {name: float(milliseconds) / 1000 for name, milliseconds in found}


class UnexpectedReply(Exception):
    """A reply below 500 the benchmark did not ask for (a refusal, a redirect to the log-in page): the
    harness or the site is wrong, so the run stops. Errors under load (5xx, timeouts) are counted instead."""

    def __init__(self, kind: str, method: str, path: str, expected, reply: Reply):
        super().__init__(
            f"{kind}: {method} {path} answered {reply.status}, expected {expected}. The response:\n{reply.text[:3000]}"
        )


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
        self.answer_lost = False  # the last answer ended in an error: the server may have recorded it
        self.rng = random.Random(index)
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
    expect: int | tuple[int, ...],
    form: dict | None = None,
    headers: dict | None = None,
) -> Reply | None:
    """One request, timed from the moment it was due (time waiting for a free connection counts,
    as it would for a person waiting on the proxy); the reply, or None after an error (a timeout, a
    5xx), which is counted. Any other status below 500 than `expect` raises UnexpectedReply: the run
    stops, since every later figure would measure a refusal instead of the page."""
    if not recorder.allow():
        return None
    expected = (expect,) if isinstance(expect, int) else expect
    headers = trainee.headers(client.port, **(headers or {})) if trainee else headers or {}
    started = time.perf_counter()
    try:
        reply = await client.request(method, path, headers, form)
    except Exception as error:
        recorder.record(kind, time.perf_counter() - started, type(error).__name__)
        return None
    recorder.record(kind, time.perf_counter() - started, None if reply.status in expected else f"HTTP {reply.status}")
    if reply.status < 500 and reply.status not in expected:
        raise UnexpectedReply(kind, method, path, expect, reply)
    recorder.record_timing(kind, reply)
    if trainee:
        trainee.keep_cookies(reply)
    return reply if reply.status in expected else None


async def quiz_started(client: Loopback, recorder: Recorder, trainee: "Trainee", slug: str) -> bool:
    """Start the quiz (POST, redirected to the attempt); True when the trainee is at its first question."""
    reply = await send(client, recorder, "start quiz (POST)", trainee, "POST", f"/quizzes/{slug}/start/", 302)
    if reply is None:
        return False
    trainee.attempt = int(re.search(r"/attempts/(\d+)/", reply.header("location")).group(1))
    trainee.questions, trainee.position = trainee.quizzes[slug], 0
    return True


async def quiz_finished(client: Loopback, recorder: Recorder, trainee: "Trainee") -> bool:
    path = f"/attempts/{trainee.attempt}/finish/"
    if await send(client, recorder, "finish (POST)", trainee, "POST", path, 302) is None:
        return False
    trainee.attempt = None
    return True


async def answer_current(client: Loopback, recorder: Recorder, trainee: "Trainee", keys: dict, kind: str) -> bool:
    """Post a well-formed answer to the trainee's current question (htmx, as the page does); True when
    it was recorded and the trainee moves on. After an answer lost to an error the same answer is sent
    again, and then "already answered" (409) also means it was recorded the first time."""
    question = trainee.questions[trainee.position]
    reply = await send(
        client,
        recorder,
        kind,
        trainee,
        "POST",
        f"/attempts/{trainee.attempt}/questions/{question}/answer/",
        (200, 409) if trainee.answer_lost else 200,
        form=answer_form(keys[str(question)], trainee.rng),
        headers={"HX-Request": "true"},
    )
    trainee.answer_lost = reply is None
    if reply is not None:
        trainee.position += 1
    return reply is not None


async def sign_in(client, recorder, trainee: Trainee) -> None:
    page = await send(client, recorder, "login page (GET)", trainee, "GET", "/accounts/login/", 200)
    if page is None:
        return
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    data = {"csrfmiddlewaretoken": token, "username": trainee.username, "password": PASSWORD}
    await send(client, recorder, "log in (POST)", trainee, "POST", "/accounts/login/", 302, form=data)


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


# --- answering -----------------------------------------------------------------------------------
# benchmarks/seeding.py writes each question's key (what a well-formed answer to it is); these turn a
# key into the form the question page would post. Every answer is one the site accepts: options of the
# question for the choice kinds and an option for each stem of a matching question (picked at random,
# so about as often right as a guessing trainee), a point inside a target for hotspot questions ("No
# abnormality" where there is none), and the accepted answer worth most for a short answer.


def one_option(key: dict, rng: random.Random) -> dict:
    return {"answer": rng.choice(key["labels"])}


def some_options(key: dict, rng: random.Random) -> dict:
    return {"answer": rng.sample(key["labels"], rng.randint(1, len(key["labels"])))}


def point_on_image(key: dict, rng: random.Random) -> dict:
    if key.get("no_abnormality"):
        return {"no_abnormality": "1"}
    x, y = key["point"]
    return {"x": f"{x:.6f}", "y": f"{y:.6f}"}


def typed_text(key: dict, rng: random.Random) -> dict:
    return {"answer": key["text"]}


def option_per_stem(key: dict, rng: random.Random) -> dict:
    return {f"match-{number}": rng.choice(key["labels"]) for number in range(1, key["stems"] + 1)}


# A question kind without a form here stops the seeding (benchmarks/seeding.py, KEYS) before any load: a
# new kind adds its key there and its form here, posted as the question page's form names it.
FORMS = {
    "single": one_option,
    "true_false": one_option,
    "multiple": some_options,
    "hotspot": point_on_image,
    "short_answer": typed_text,
    "matching": option_per_stem,
}


def answer_form(key: dict, rng: random.Random) -> dict:
    return FORMS[key["kind"]](key, rng)


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def loopback_only(url: str, option: str) -> None:
    if urlsplit(url).hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"Benchmarks run on loopback only: {option} must point at 127.0.0.1")


def prepare_postgres(url: str) -> None:
    import psycopg

    loopback_only(url, "--database-url")
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name in {"postgres", "quizsite", "quizsite_ci"}:
        raise SystemExit(f"Refusing to drop database {name!r}: give the benchmark a database of its own")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


class Site:
    """A throwaway site for the `with` block: a work folder and a fresh database, migrated, its static files
    collected and seeded by benchmarks/seeding.py (prepare), and gunicorn from gunicorn.conf.py (serving)."""

    def __init__(
        self,
        *,
        db: str,
        database_url: str,
        redis_url: str,
        settings: str = "quizsite.settings.production",
        workers: int = 0,
        threads: int = 0,
        environment: dict | None = None,
        keep: bool = False,
    ):
        if redis_url:
            loopback_only(redis_url, "--redis-url")
        self.db, self.database_url, self.redis_url, self.keep = db, database_url, redis_url, keep
        self.port = free_port()
        self.settings, self.workers, self.threads, self.environment = settings, workers, threads, environment or {}

    def __enter__(self) -> "Site":
        self.work = Path(tempfile.mkdtemp(prefix="quizsite-bench-"))
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "GUNICORN_"))}
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        env |= {
            "DJANGO_SETTINGS_MODULE": self.settings,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_STATIC_ROOT": str(self.work / "static"),
            "DJANGO_MEDIA_ROOT": str(self.work / "media"),
            "DJANGO_TRUSTED_PROXY_COUNT": "1",
            "DJANGO_LOG_LEVEL": "WARNING",
            "GUNICORN_BIND": f"{HOST}:{self.port}",
            "GUNICORN_ACCESSLOG": str(self.work / "access.log"),
            "GUNICORN_LOGLEVEL": "warning",
            "PYTHONPATH": str(ROOT),
        }
        if self.workers:
            env["GUNICORN_WORKERS"] = str(self.workers)
        if self.threads:
            env["GUNICORN_THREADS"] = str(self.threads)
        if self.db == "postgres":
            env["DATABASE_URL"] = self.database_url
        else:
            env["DJANGO_SQLITE_PATH"] = str(self.work / "db.sqlite3")
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        self.env = env | self.environment
        return self

    def __exit__(self, *exc) -> None:
        if self.keep:
            print(f"Kept {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    def prepare(self, *seed_args: str) -> dict:
        """Migrate, collect the static files and seed; returns what benchmarks/seeding.py wrote."""
        if self.db == "postgres":
            prepare_postgres(self.database_url)
        if self.redis_url:
            import redis

            try:
                redis.Redis.from_url(self.redis_url).flushdb()
            except redis.ConnectionError:
                raise SystemExit(
                    f"Redis does not answer at {self.redis_url}: start it, or pass --redis-url ''"
                ) from None
        print(f"Work folder {self.work}; preparing the site ...", flush=True)
        self.run("manage.py", "migrate", "--noinput")
        self.run("manage.py", "collectstatic", "--noinput")
        self.run("benchmarks/seeding.py", str(self.work / "seed.json"), *seed_args)
        return json.loads((self.work / "seed.json").read_text())

    def run(self, *command: str) -> None:
        began = time.perf_counter()
        subprocess.run([PYTHON, *command], cwd=ROOT, env=self.env, check=True, stdout=subprocess.DEVNULL)
        print(f"  {' '.join(command[:2])}: {time.perf_counter() - began:.0f} s", flush=True)

    @contextmanager
    def serving(self) -> Iterator[int]:
        """gunicorn on loopback while the block runs; yields its process id (for CpuMeter)."""
        with open(self.work / "gunicorn.log", "w") as log:
            server = subprocess.Popen(
                [str(Path(PYTHON).parent / "gunicorn"), "--config", "gunicorn.conf.py"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            asyncio.run(self.wait_until_up(server))
            print(f"gunicorn up on {HOST}:{self.port}; measuring ...", flush=True)
            yield server.pid
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    async def wait_until_up(self, server: subprocess.Popen) -> None:
        client = Loopback(self.port, connections=1, timeout=2.0, deadline=time.perf_counter() + 30)
        for _ in range(100):
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited while starting: see {self.work / 'gunicorn.log'}")
            try:
                if (await client.request("GET", "/healthz", {})).status == 200:
                    return
            except OSError:
                pass
            await asyncio.sleep(0.2)
        raise SystemExit("gunicorn did not answer /healthz within 20 seconds")
