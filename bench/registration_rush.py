"""Registration rush: many delegates click at the same moment; nothing is oversold.

Serves the app with gunicorn on PostgreSQL and drives N simulated delegates through
two rushes, each released by a barrier so that every client fires at the same moment:

1. **visit sign-up**: N delegates with a confirmed registration load the sign-ups page
   and sign up for a technical visit that has ``--seats`` seats (the rest go on its
   waiting list);
2. **registration**: N other delegates, with an account but no registration, load the
   registration form and submit it for a type limited to ``--capacity`` places (the
   rest are told it is fully booked).

Each client is a thread with its own HTTP connection and cookies (stdlib only); it is
logged in by a Django session created in the set-up (the login page is not involved).
After each phase the database is counted: seats or places held against the limit,
the waiting list, and the oversell, which must be 0. The script prints a table and exits
with status 1 on any oversell, any error response (4xx other than the expected refusal,
5xx, broken connection) or any failed consistency check.

    .venv/bin/python bench/registration_rush.py                  # 60 clients, 10 seats, 20 places
    .venv/bin/python bench/registration_rush.py --clients 200 --workers 4 --threads 2

By default it creates a fresh database ``atrium_rush`` on the local PostgreSQL (dropping
it first if it exists) and drops it at the end unless ``--keep``. With ``--database-url``
it uses that database as it is: it migrates it, adds its own edition, and leaves both.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_DATABASE = "atrium_rush"
HOST = "127.0.0.1"
FULLY_BOOKED = "is fully booked"  # in the form error of registration_submit


# --------------------------------------------------------------------------- the database


def _admin_connect(admin_url: str):
    import psycopg

    return psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True)


def database_create(admin_url: str, name: str) -> None:
    with _admin_connect(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_drop(admin_url: str, name: str) -> None:
    with _admin_connect(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class World:
    """What the set-up built: the edition, the limits and each client's session cookie."""

    slug: str
    visit_id: int
    limited_type_id: int
    question_id: int
    seats: int
    capacity: int
    visit_sessions: list[str]  # sessionid cookie of each phase-1 client
    register_sessions: list[str]  # sessionid cookie of each phase-2 client


def build_world(*, clients: int, seats: int, capacity: int) -> World:
    """One edition open for registration, a visit with ``seats`` seats, a type with
    ``capacity`` places, ``clients`` confirmed delegates and ``clients`` account holders."""
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Max
    from django.utils import timezone

    from atrium.events.models import Conference, Session
    from atrium.network.models import Person
    from atrium.registration import services
    from atrium.registration.models import (
        Question,
        Registration,
        RegistrationPolicy,
        RegistrationType,
    )

    User = get_user_model()
    tag = secrets.token_hex(3)
    now = timezone.now()
    start = (now + dt.timedelta(days=60)).date()
    number = (Conference.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    conference = Conference.objects.create(
        slug=f"rush-{tag}",
        number=number,
        name=f"Registration rush {tag}",
        city="Beijing",
        country="CN",
        time_zone="Asia/Shanghai",
        start_date=start,
        end_date=start + dt.timedelta(days=2),
    )
    RegistrationPolicy.objects.create(
        conference=conference,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        reference_prefix="RUSH",
    )
    visit_start = dt.datetime.combine(start, dt.time(9), tzinfo=dt.UTC)
    visit = Session.objects.create(
        conference=conference,
        kind=Session.Kind.TECHNICAL_VISIT,
        title="Technical visit: Zhongguancun Science Park",
        start=visit_start,
        end=visit_start + dt.timedelta(hours=4),
        place="Zhongguancun",
        seats=seats,
    )
    delegate = RegistrationType.objects.create(
        conference=conference, code="delegate", name="Delegate", position=1, is_free=True
    )
    limited = RegistrationType.objects.create(
        conference=conference,
        code="student",
        name="Student",
        price_usd=Decimal(300),
        price_cny=Decimal(2100),
        capacity=capacity,
        position=2,
    )
    question = Question.objects.create(
        conference=conference,
        label="Dietary needs",
        kind=Question.Kind.CHOICE,
        options="None|无\nVegetarian|素食\nHalal|清真",
        required=True,
    )

    unusable = make_password(None)  # no login page involved: sessions are made below
    users = User.objects.bulk_create(
        User(username=f"rush-{tag}-{i}", email=f"rush-{tag}-{i}@example.org", password=unusable)
        for i in range(2 * clients)
    )
    people = [
        Person(user=user, slug=user.username, name=f"Delegate {i}", email=user.email, country="CN")
        for i, user in enumerate(users)
    ]
    for person in people:
        person.refresh_search_key()  # what save() does; bulk_create skips save()
    Person.objects.bulk_create(people)

    for person in people[:clients]:
        registration = services.registration_submit(
            conference=conference,
            person=person,
            rtype=delegate,
            answers={question.pk: "None"},
            by_organiser=True,
        )
        assert registration.status == Registration.Status.CONFIRMED, registration.status

    def login(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    sessions = [login(user) for user in users]
    return World(
        slug=conference.slug,
        visit_id=visit.pk,
        limited_type_id=limited.pk,
        question_id=question.pk,
        seats=seats,
        capacity=capacity,
        visit_sessions=sessions[:clients],
        register_sessions=sessions[clients:],
    )


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def gunicorn_start(*, env: dict, port: int, workers: int, threads: int, log) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "atrium.wsgi:application",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"{HOST}:{port}",
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)


def wait_until_up(process: subprocess.Popen, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on port {port} within {timeout:.0f} s")


def gunicorn_stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def workers_cpu_seconds(master_pid: int) -> float | None:
    """CPU time (user + system) used so far by the gunicorn master's worker processes, read
    from /proc (Linux); None elsewhere. Unlike latency, it barely depends on other load."""
    total, found = 0.0, False
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[1]) == master_pid:  # fields[1] is the parent pid
            total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
            found = True
    return total if found else None


def _proc_cpu_seconds(stat_text: str, tick: int) -> float:
    fields = stat_text[stat_text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / tick  # utime + stime


def postgres_cpu_seconds(database: str) -> dict[int, float]:
    """CPU time so far of each PostgreSQL backend serving ``database`` (by pid), from the
    process titles in /proc ("postgres: 15/main: postgres atrium_rush 127.0.0.1(…)");
    empty elsewhere. A backend that ends during a phase takes its time with it (with
    ``CONN_MAX_AGE`` > 0 the workers' backends live through the phase)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    found: dict[int, float] = {}
    needle = f" {database} ".encode()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            title = (proc / "cmdline").read_bytes()
            if not title.startswith(b"postgres:") or needle not in title:
                continue
            found[int(proc.name)] = _proc_cpu_seconds((proc / "stat").read_text(), tick)
        except (OSError, ValueError):
            continue
    return found


def box_cpu() -> tuple[float, float] | None:
    """(busy, total) CPU seconds of the whole machine so far, all cores, from /proc/stat."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    values = [int(v) for v in first[1:9]]  # user nice system idle iowait irq softirq steal
    idle = values[3] + values[4]
    return (sum(values) - idle) / tick, sum(values) / tick


@dataclass
class CpuSplit:
    """Where the machine's CPU went during a phase (seconds)."""

    workers: float | None
    postgres: float | None
    client: float
    box_busy: float | None
    box_total: float | None


class CpuMeter:
    """Reads the counters before and after a phase; ``split()`` gives the differences."""

    def __init__(self, master_pid: int, database: str):
        self.master_pid, self.database = master_pid, database

    def _read(self):
        return (
            workers_cpu_seconds(self.master_pid),
            postgres_cpu_seconds(self.database),
            sum(os.times()[:2]),
            box_cpu(),
        )

    def start(self) -> None:
        self.before = self._read()

    def split(self) -> CpuSplit:
        workers0, pg0, client0, box0 = self.before
        workers1, pg1, client1, box1 = self._read()
        postgres = sum(t - pg0.get(pid, 0.0) for pid, t in pg1.items()) if pg1 else None
        return CpuSplit(
            workers=None if workers0 is None or workers1 is None else workers1 - workers0,
            postgres=postgres,
            client=client1 - client0,
            box_busy=None if not box0 or not box1 else box1[0] - box0[0],
            box_total=None if not box0 or not box1 else box1[1] - box0[1],
        )


# --------------------------------------------------------------------------- the clients


class Browser:
    """One delegate: a keep-alive connection (reopened when the server closes it) and cookies."""

    def __init__(self, port: int, sessionid: str):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=120)
        self.cookies = {"sessionid": sessionid}

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Accept-Language": "en",  # the refusal is recognised by its English text
        }
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.conn.port}{path}"
        started = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        content = response.read()
        elapsed = time.perf_counter() - started
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.getheader("Location", ""), content, elapsed


@dataclass
class Outcome:
    page_status: int = 0
    page_seconds: float = 0.0
    post_status: int = 0
    post_seconds: float = 0.0
    location: str = ""
    body: bytes = b""
    failure: str = ""
    requests: int = 0


def rush(
    *, port: int, sessions: list[str], page: str, post: str, form, meter: CpuMeter
) -> tuple[list[Outcome], float, CpuSplit]:
    """Every client GETs ``page`` (the form, and its CSRF cookie), then POSTs ``form(i)`` to
    ``post``; all start together, released by a barrier. Returns each client's outcome, the
    wall time from the release to the last response, and where the CPU went meanwhile."""
    outcomes = [Outcome() for _ in sessions]
    released: list[float] = []

    def release() -> None:
        meter.start()
        released.append(time.perf_counter())

    barrier = threading.Barrier(len(sessions), action=release)
    finished = [0.0] * len(sessions)

    def client(i: int) -> None:
        outcome = outcomes[i]
        browser = Browser(port, sessions[i])
        barrier.wait()
        try:
            status, _loc, _body, seconds = browser.request("GET", page)
            outcome.requests += 1
            outcome.page_status, outcome.page_seconds = status, seconds
            token = browser.cookies.get("csrftoken")
            if status != 200 or not token:
                outcome.failure = f"GET {page}: status {status}, CSRF cookie {bool(token)}"
                return
            status, location, body, seconds = browser.request(
                "POST", post, {"csrfmiddlewaretoken": token, **form(i)}
            )
            outcome.requests += 1
            outcome.post_status, outcome.post_seconds = status, seconds
            outcome.location, outcome.body = location, body
        except (OSError, http.client.HTTPException) as error:
            outcome.failure = f"{type(error).__name__}: {error}"
        finally:
            finished[i] = time.perf_counter()
            browser.conn.close()

    threads = [
        threading.Thread(target=client, args=(i,), daemon=True) for i in range(len(sessions))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, max(finished) - released[0], meter.split()


def warm_up(*, port: int, world: World, parallel: int, rounds: int = 3) -> None:
    """Load both forms a few times in parallel, so that every worker has imported the views
    and compiled the templates before the rush (read-only requests: nothing changes)."""
    pages = [
        (world.visit_sessions[0], f"/c/{world.slug}/sign-ups/"),
        (world.register_sessions[0], f"/c/{world.slug}/register/"),
    ]

    failures: list[str] = []

    def client() -> None:
        try:
            for _round in range(rounds):
                for sessionid, page in pages:
                    browser = Browser(port, sessionid)
                    status = browser.request("GET", page)[0]
                    browser.conn.close()
                    if status != 200:
                        failures.append(f"GET {page} answered {status}")
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=client, daemon=True) for _ in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"warm-up failed: {failures[0]}")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Row:
    phase: str
    clients: int
    requests: int
    errors: int
    server_errors: int
    wall: float
    post_ms: list[float]
    page_ms: list[float]
    held: int
    limit: int
    waitlisted: str
    refused: str
    oversell: int
    checks: list[tuple[str, bool]]
    cpu: CpuSplit | None = None


def _errors(outcomes: list[Outcome], ok) -> tuple[int, int, list[str]]:
    """(errors, 5xx, a few messages): a failed request, or a status ``ok`` does not accept."""
    errors = server = 0
    messages = []
    for outcome in outcomes:
        problem = outcome.failure
        if not problem and not ok(outcome):
            problem = f"POST status {outcome.post_status} {outcome.location}".strip()
        if problem:
            errors += 1
            server += outcome.page_status >= 500 or outcome.post_status >= 500
            if len(messages) < 5:
                messages.append(problem)
    return errors, server, messages


def phase_visit(port: int, world: World, meter: CpuMeter) -> tuple[Row, list[str]]:
    from atrium.registration.models import SeatBooking

    page = f"/c/{world.slug}/sign-ups/"
    post = f"/c/{world.slug}/sign-ups/{world.visit_id}/"
    outcomes, wall, cpu = rush(
        port=port,
        sessions=world.visit_sessions,
        page=page,
        post=post,
        form=lambda i: {},
        meter=meter,
    )
    signed = sum(o.post_status == 302 and o.location.endswith(page) for o in outcomes)
    errors, server, messages = _errors(
        outcomes, lambda o: o.post_status == 302 and o.location.endswith(page)
    )
    bookings = SeatBooking.objects.filter(session_id=world.visit_id)
    confirmed = bookings.filter(status=SeatBooking.Status.CONFIRMED)
    waitlisted = bookings.filter(status=SeatBooking.Status.WAITLISTED)
    n_confirmed, n_waitlisted = confirmed.count(), waitlisted.count()
    last_seat = max(confirmed.values_list("created", flat=True), default=None)
    first_wait = min(waitlisted.values_list("created", flat=True), default=None)
    checks = [
        ("one booking per delegate who got an answer", n_confirmed + n_waitlisted == signed),
        ("no seat left empty while someone waits", n_waitlisted == 0 or n_confirmed >= world.seats),
        (
            "seats went to the first to get the lock",
            last_seat is None or first_wait is None or last_seat <= first_wait,
        ),
    ]
    row = Row(
        phase="visit sign-up",
        clients=len(outcomes),
        requests=sum(o.requests for o in outcomes),
        errors=errors,
        server_errors=server,
        wall=wall,
        post_ms=[o.post_seconds * 1000 for o in outcomes if o.post_status],
        page_ms=[o.page_seconds * 1000 for o in outcomes if o.page_status],
        held=n_confirmed,
        limit=world.seats,
        waitlisted=str(n_waitlisted),
        refused="-",
        oversell=max(0, n_confirmed - world.seats),
        checks=checks,
        cpu=cpu,
    )
    return row, messages


def phase_register(port: int, world: World, meter: CpuMeter) -> tuple[Row, list[str]]:
    from atrium.registration.models import Registration

    page = f"/c/{world.slug}/register/"

    def form(i: int) -> dict:
        return {
            "type": world.limited_type_id,
            "currency": "USD",
            "name": f"Student {i}",
            "country": "CN",
            f"q_{world.question_id}": "Vegetarian",
            "consent_directory": "on",
        }

    outcomes, wall, cpu = rush(
        port=port, sessions=world.register_sessions, page=page, post=page, form=form, meter=meter
    )

    def accepted(o: Outcome) -> bool:
        return o.post_status == 302 and "/pay/" in o.location

    def refused(o: Outcome) -> bool:
        return o.post_status == 200 and FULLY_BOOKED.encode() in o.body

    errors, server, messages = _errors(outcomes, lambda o: accepted(o) or refused(o))
    n_accepted = sum(accepted(o) for o in outcomes)
    n_refused = sum(refused(o) for o in outcomes)
    held = Registration.objects.filter(
        type_id=world.limited_type_id, status__in=Registration.ACTIVE
    ).count()
    clients = len(outcomes)
    checks = [
        ("one registration per delegate told 'received'", held == n_accepted),
        ("refused only when full", n_refused == 0 or held >= world.capacity),
        ("every delegate got a place or a 'fully booked'", n_accepted + n_refused == clients),
    ]
    row = Row(
        phase="registration",
        clients=clients,
        requests=sum(o.requests for o in outcomes),
        errors=errors,
        server_errors=server,
        wall=wall,
        post_ms=[o.post_seconds * 1000 for o in outcomes if o.post_status],
        page_ms=[o.page_seconds * 1000 for o in outcomes if o.page_status],
        held=held,
        limit=world.capacity,
        waitlisted="-",
        refused=str(n_refused),
        oversell=max(0, held - world.capacity),
        checks=checks,
        cpu=cpu,
    )
    return row, messages


# --------------------------------------------------------------------------- report


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'phase':14} {'clients':>7} {'requests':>8} {'errors':>6} {'req/s':>7} "
        f"{'POST p50':>8} {'POST p99':>8} {'page p50':>8} {'held/limit':>10} "
        f"{'waitlisted':>10} {'refused':>7} {'oversell':>8} {'CPU ms/req':>10}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        workers = row.cpu.workers if row.cpu else None
        cpu = "-" if workers is None else f"{workers * 1000 / row.requests:.0f}"
        print(
            f"{row.phase:14} {row.clients:7d} {row.requests:8d} {row.errors:6d} "
            f"{row.requests / row.wall:7.1f} {percentile(row.post_ms, 50):8.0f} "
            f"{percentile(row.post_ms, 99):8.0f} {percentile(row.page_ms, 50):8.0f} "
            f"{f'{row.held}/{row.limit}':>10} {row.waitlisted:>10} {row.refused:>7} "
            f"{row.oversell:8d} {cpu:>10}"
        )
    print(
        "latencies in ms. req/s: GET + POST requests / wall time from the release to the last\n"
        "response. POST: the sign-up or the submission; page: the GET of the form before it.\n"
        "held/limit: confirmed seats / seats, or registrations of the type / its capacity.\n"
        "CPU ms/req: CPU time of the gunicorn workers during the phase / requests."
    )


def print_cpu(rows: list[Row]) -> None:
    """Where the machine's CPU went during each phase, per request (ms) and as a share."""
    header = (
        f"{'phase':14} {'workers':>8} {'postgres':>8} {'client':>8} {'others':>8} "
        f"{'idle':>8} {'box busy':>9} {'alone req/s':>11}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        cpu = row.cpu
        if cpu is None or cpu.box_total is None or cpu.workers is None or cpu.postgres is None:
            print(f"{row.phase:14} (no /proc: not measured)")
            continue
        idle = cpu.box_total - cpu.box_busy
        others = max(0.0, cpu.box_busy - cpu.workers - cpu.postgres - cpu.client)

        def ms(seconds: float, requests: int = row.requests) -> str:
            return f"{seconds * 1000 / requests:8.1f}"

        ours = cpu.workers + cpu.postgres + cpu.client
        alone = (os.cpu_count() or 1) * row.requests / ours if ours else 0.0
        print(
            f"{row.phase:14} {ms(cpu.workers)} {ms(cpu.postgres)} {ms(cpu.client)} "
            f"{ms(others)} {ms(idle)} {cpu.box_busy / cpu.box_total:9.0%} {alone:11.0f}"
        )
    print(
        "CPU ms per request during each phase, all cores: the gunicorn workers, the\n"
        "PostgreSQL backends of the bench's database, this script's client threads, every\n"
        "other process on the machine, and the time left idle; box busy: share of all cores.\n"
        "alone req/s: the rate the cores would allow if nothing else ran (cores / CPU time of\n"
        "workers, PostgreSQL and client per request): an estimate, not a measurement."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=60, help="delegates per phase (60)")
    parser.add_argument("--seats", type=int, default=10, help="seats on the visit (10)")
    parser.add_argument(
        "--capacity", type=int, default=20, help="places of the limited registration type (20)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=4,
        help="gunicorn workers (4; gunicorn advises 2 x cores + 1, this box has 2 shared cores)",
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (1: sync workers)"
    )
    parser.add_argument(
        "--database-url",
        help=f"use this PostgreSQL database as it is (default: a fresh {DEFAULT_DATABASE} "
        "on the local PostgreSQL, created and dropped by the script)",
    )
    parser.add_argument(
        "--admin-url",
        default=DEFAULT_ADMIN_URL,
        help=f"where to create and drop the fresh database ({DEFAULT_ADMIN_URL})",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="seconds each worker keeps its database connection (ATRIUM_DB_CONN_MAX_AGE; "
        "60, the production default; 0: a new connection per request)",
    )
    parser.add_argument(
        "--db-pool",
        default="",
        help='a psycopg pool per worker instead (ATRIUM_DB_POOL: "1" or "MIN,MAX")',
    )
    parser.add_argument(
        "--redis-url",
        default="",
        help="ATRIUM_REDIS_URL for the server: the cache and the sessions (cached_db) on Redis, "
        "as docs/deploy.md asks for several workers (default: none, database sessions)",
    )
    parser.add_argument("--port", type=int, help="port for gunicorn (default: a free one)")
    parser.add_argument("--keep", action="store_true", help="keep the fresh database at the end")
    args = parser.parse_args()
    if args.clients < 1 or args.seats < 0 or args.capacity < 0:
        parser.error("--clients must be at least 1; --seats and --capacity not negative")
    if args.workers * args.threads + 5 > 100:
        parser.error("workers x threads must stay well below PostgreSQL's 100 connections")

    created = None
    if args.database_url:
        database_url = args.database_url
    else:
        parts = urllib.parse.urlsplit(args.admin_url)
        database_url = urllib.parse.urlunsplit(parts._replace(path=f"/{DEFAULT_DATABASE}"))
        import psycopg

        try:
            database_create(args.admin_url, DEFAULT_DATABASE)
        except psycopg.Error as error:
            raise SystemExit(f"Cannot create the database {DEFAULT_DATABASE}: {error}") from error
        created = DEFAULT_DATABASE

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="atrium.settings",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="0",
        ALLOWED_HOSTS=HOST,
        ATRIUM_HTTPS="0",
        ATRIUM_STATIC_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
        ATRIUM_TASK_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        ATRIUM_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        ATRIUM_PAYMENT_PROVIDERS="bank_transfer",
        ATRIUM_DB_CONN_MAX_AGE=str(args.conn_max_age),
        ATRIUM_DB_POOL=args.db_pool,
        ATRIUM_REDIS_URL=args.redis_url,
        ATRIUM_CACHE_PREFIX=f"atrium-rush-{os.getpid()}",
    )
    os.environ.update(env)
    log_path = Path(tempfile.gettempdir()) / f"atrium-rush-gunicorn-{os.getpid()}.log"
    status = 1
    try:
        with log_path.open("w") as log:
            status = run(args, env=env, log=log)
    except KeyboardInterrupt:
        print("\ninterrupted: stopping gunicorn and cleaning up", file=sys.stderr)
        status = 130
    finally:
        if created:
            from django.db import connections

            connections.close_all()
            if args.keep:
                print(f"kept the database {created} ({database_url})")
            else:
                database_drop(args.admin_url, created)
        if status == 0:
            log_path.unlink(missing_ok=True)
        else:
            print(f"gunicorn's log: {log_path}")
    return status


def run(args: argparse.Namespace, *, env: dict, log) -> int:
    """Set up, serve, rush twice, report; gunicorn is stopped whatever happens."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(
            f"The rush needs PostgreSQL (row locks); DATABASE_URL is {connection.vendor}"
        )
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    world = build_world(clients=args.clients, seats=args.seats, capacity=args.capacity)
    pg_version = connection.pg_version // 10000
    connection.close()
    port = args.port or free_port()
    server = gunicorn_start(env=env, port=port, workers=args.workers, threads=args.threads, log=log)
    try:
        wait_until_up(server, port)
        warm_up(port=port, world=world, parallel=args.workers * args.threads)
        print(
            f"set-up {time.perf_counter() - started:.1f} s; gunicorn on {HOST}:{port}, "
            f"{args.workers} workers x {args.threads} threads; "
            f"{f'pool {args.db_pool}' if args.db_pool else f'CONN_MAX_AGE {args.conn_max_age}'}; "
            f"{'Redis cache and sessions; ' if args.redis_url else ''}"
            f"PostgreSQL {pg_version}; "
            f"{os.cpu_count()} cores; edition /c/{world.slug}/",
            flush=True,
        )
        rows, problems = [], []
        meter = CpuMeter(server.pid, connection.settings_dict["NAME"])
        for phase in (phase_visit, phase_register):
            row, messages = phase(port, world, meter)
            connection.close()
            rows.append(row)
            problems += [f"{row.phase}: {m}" for m in messages]
            if row.oversell:
                problems.append(f"{row.phase}: OVERSOLD by {row.oversell}")
    finally:
        gunicorn_stop(server)

    print()
    print_table(rows)
    print()
    print_cpu(rows)
    print()
    for row in rows:
        for name, ok in row.checks:
            print(f"{'ok  ' if ok else 'FAIL'} {row.phase}: {name}")
            if not ok:
                problems.append(f"{row.phase}: check failed: {name}")
    if problems:
        print("\nPROBLEMS:")
        for problem in problems:
            print("  " + problem)
    failed = bool(problems) or any(r.oversell or r.errors for r in rows)
    if any(r.server_errors for r in rows):
        log.flush()
        tail = Path(log.name).read_text(errors="replace").splitlines()[-40:]
        print(f"\nlast lines of the gunicorn log ({log.name}):")
        print("\n".join(tail))
    print("\nFAIL" if failed else "\nOK: no oversell, no error")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
