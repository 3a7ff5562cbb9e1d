"""The exhibition under load: the plan page, an offline queue sent in one go, lead scans.

Serves the app with gunicorn on PostgreSQL (a fresh database ``atrium_exhibition_bench``,
dropped at the end unless ``--keep``) and measures:

1. **plan page**: ``--booths`` booths (300) in two halls, half of them booked; the public
   plan page fetched ``--plan-requests`` times one after the other: p50, p95, size;
2. **offline queue**: ``--queued`` scans (1,000) made offline by one booth steward, sent
   in one request to the lead page's endpoint (as ``leads.js`` does when the network
   returns); the time until stored, then the same queue again (a retry after a lost answer):
   the number of leads must not change (no duplicate);
3. **lead scan latency**: ``--scanners`` stewards (20) at once, each scanning
   ``--scans-each`` badges (25) one request at a time: p50, p95 of the answer.

Prints figures (no pass/fail on time); exits 1 on an error answer or a duplicate lead.

    .venv/bin/python bench/exhibition.py
    .venv/bin/python bench/exhibition.py --workers 4 --threads 4 --scanners 40
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.registration_rush import (  # noqa: E402 - after the path is set
    DEFAULT_ADMIN_URL,
    HOST,
    Browser,
    database_create,
    database_drop,
    free_port,
    gunicorn_start,
    gunicorn_stop,
    percentile,
    wait_until_up,
)

DATABASE = "atrium_exhibition_bench"


def build_world(*, booths: int, visitors: int, scanners: int) -> dict:
    """An edition with ``booths`` booths (half booked), one exhibitor with ``scanners``
    stewards (each logged in), and ``visitors`` confirmed delegates with badges."""
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from atrium.checkin.models import Badge, new_badge_key
    from atrium.checkin.tokens import sign_badge_key
    from atrium.events.models import Conference
    from atrium.exhibition.models import Booth, BoothBooking, Exhibitor, Hall, StaffPass
    from atrium.network.models import Organisation, Person
    from atrium.registration.models import Registration

    User = get_user_model()
    tag = secrets.token_hex(3)
    conference = Conference.objects.create(
        slug=f"bench-{tag}",
        number=9000 + secrets.randbelow(900),
        name="Exhibition bench",
        city="Beijing",
        country="CN",
        time_zone="Asia/Shanghai",
        start_date=dt.date(2025, 9, 16),
        end_date=dt.date(2025, 9, 18),
    )
    per_hall = booths // 2
    columns = 25
    rows_needed = -(-per_hall // columns)
    halls = [
        Hall.objects.create(
            conference=conference,
            code=code,
            name=f"Hall {code}",
            outline=[
                [0, 0],
                [columns * 6 + 2, 0],
                [columns * 6 + 2, rows_needed * 7 + 2],
                [0, rows_needed * 7 + 2],
            ],
        )
        for code in ("A", "B")
    ]
    Booth.objects.bulk_create(
        [
            Booth(
                hall=hall,
                code=f"{hall.code}{i:03d}",
                x=1 + (i % columns) * 6,
                y=1 + (i // columns) * 7,
                width=5,
                height=6,
                price_usd=Decimal("5000"),
                price_cny=Decimal("36000"),
            )
            for hall in halls
            for i in range(per_hall)
        ]
    )
    all_booths = list(Booth.objects.filter(hall__conference=conference).order_by("code"))
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(slug=f"bench-{tag}-{i}", name=f"Bench Park {i}", name_zh=f"测试园区{i}")
            for i in range(len(all_booths) // 2)
        ]
    )
    owner = User.objects.create_user(username=f"owner-{tag}@example.org", password=None)
    exhibitors = []
    for organisation in organisations:
        exhibitor = Exhibitor(
            conference=conference, organisation=organisation, contact=owner, status="accepted"
        )
        exhibitor.save()
        exhibitors.append(exhibitor)
    BoothBooking.objects.bulk_create(
        [
            BoothBooking(booth=booth, exhibitor=exhibitor, status="booked")
            for booth, exhibitor in zip(all_booths[::2], exhibitors, strict=False)
        ]
    )
    scanning = exhibitors[0]
    stewards = []
    for i in range(scanners + 1):
        user = User.objects.create_user(username=f"steward-{tag}-{i}@example.org", password=None)
        person = Person.objects.create(slug=f"steward-{tag}-{i}", name=f"Steward {i}", user=user)
        StaffPass.objects.create(
            exhibitor=scanning,
            email=user.username,
            person=person,
            role="scan",
            status="accepted",
            token_hash=secrets.token_hex(32),
        )
        stewards.append(user)
    people = Person.objects.bulk_create(
        [Person(slug=f"visitor-{tag}-{i}", name=f"Visitor {i}") for i in range(visitors)]
    )
    registrations = Registration.objects.bulk_create(
        [Registration(conference=conference, person=p, status="confirmed") for p in people]
    )
    badges = Badge.objects.bulk_create(
        [Badge(registration=r, key=new_badge_key()) for r in registrations]
    )
    tokens = [sign_badge_key(b.key) for b in badges]

    def login(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    return {
        "slug": conference.slug,
        "exhibitor": scanning.pk,
        "sessions": [login(u) for u in stewards],
        "tokens": tokens,
        "booths": len(all_booths),
    }


class Steward(Browser):
    """A logged-in steward with the CSRF cookie of the lead page, sending JSON scans."""

    def __init__(self, port: int, sessionid: str, lead_page: str):
        super().__init__(port, sessionid)
        self.lead_page = lead_page
        status, _location, _body, _elapsed = self.request("GET", lead_page)
        if status != 200 or "csrftoken" not in self.cookies:
            raise RuntimeError(f"lead page answered {status}")

    def send(self, scans: list[dict]) -> tuple[int, dict, float]:
        body = json.dumps({"scans": scans})
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Content-Type": "application/json",
            "X-CSRFToken": self.cookies["csrftoken"],
            "Referer": f"http://{HOST}:{self.conn.port}{self.lead_page}",
        }
        started = time.perf_counter()
        try:
            self.conn.request("POST", self.lead_page + "submit/", body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn.request("POST", self.lead_page + "submit/", body=body, headers=headers)
            response = self.conn.getresponse()
        content = response.read()
        elapsed = time.perf_counter() - started
        answer = json.loads(content) if response.status == 200 else {}
        return response.status, answer, elapsed


def lead_count(exhibitor_id: int) -> int:
    from django.db import connection

    from atrium.exhibition.models import Lead

    count = Lead.objects.filter(exhibitor_id=exhibitor_id).count()
    connection.close()
    return count


def run(args, *, env: dict, log) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("The bench runs on PostgreSQL.")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    world = build_world(
        booths=args.booths,
        visitors=args.queued + args.scanners * args.scans_each,
        scanners=args.scanners,
    )
    connection.close()
    print(
        f"set-up {time.perf_counter() - started:.1f} s: {world['booths']} booths, "
        f"{len(world['tokens'])} badges, {args.scanners} stewards; {os.cpu_count()} cores"
    )
    port = args.port or free_port()
    server = gunicorn_start(env=env, port=port, workers=args.workers, threads=args.threads, log=log)
    failures = 0
    try:
        wait_until_up(server, port)
        lead_page = f"/c/{world['slug']}/exhibition/portal/{world['exhibitor']}/leads/"

        # 1. the plan page
        browser = Browser(port, "none")
        plan = f"/c/{world['slug']}/exhibition/"
        times, size = [], 0
        for _ in range(3):
            browser.request("GET", plan)
        for _ in range(args.plan_requests):
            status, _loc, body, elapsed = browser.request("GET", plan)
            failures += status != 200
            times.append(elapsed)
            size = len(body)
        print(
            f"plan page ({world['booths']} booths): p50 {percentile(times, 50) * 1000:.0f} ms, "
            f"p95 {percentile(times, 95) * 1000:.0f} ms, {size / 1024:.0f} KiB, "
            f"{args.plan_requests} requests"
        )

        # 2. an offline queue sent in one go, then again
        tokens = world["tokens"]
        queue = [
            {
                "token": tokens[i],
                "client_id": str(uuid.uuid4()),
                "scanned_at": "2025-09-16T02:00:00Z",
            }
            for i in range(args.queued)
        ]
        steward = Steward(port, world["sessions"][-1], lead_page)
        status, answer, elapsed = steward.send(queue)
        stored = lead_count(world["exhibitor"])
        ok = sum(1 for r in answer.get("results", []) if r.get("ok"))
        failures += status != 200 or ok != args.queued or stored != args.queued
        status2, _answer, elapsed2 = steward.send(queue)
        again = lead_count(world["exhibitor"])
        failures += status2 != 200 or again != stored
        print(
            f"offline queue: {args.queued} scans stored in {elapsed:.1f} s "
            f"({stored} leads); sent again in {elapsed2:.1f} s: {again} leads "
            f"({'no duplicate' if again == stored else 'DUPLICATES'})"
        )

        # 3. concurrent scanners, one scan a request
        rest = tokens[args.queued :]
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        barrier = threading.Barrier(args.scanners)

        def scanner(index: int) -> None:
            mine = rest[index * args.scans_each : (index + 1) * args.scans_each]
            try:
                client = Steward(port, world["sessions"][index], lead_page)
                barrier.wait()
                for token in mine:
                    status, answer, elapsed = client.send(
                        [{"token": token, "client_id": str(uuid.uuid4())}]
                    )
                    with lock:
                        latencies.append(elapsed)
                        if status != 200 or not answer["results"][0]["ok"]:
                            errors.append(f"{status} {answer}")
            except Exception as error:  # noqa: BLE001 - reported below
                with lock:
                    errors.append(repr(error))

        threads = [threading.Thread(target=scanner, args=(i,)) for i in range(args.scanners)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - began
        failures += len(errors)
        print(
            f"lead scans: {args.scanners} stewards x {args.scans_each} scans on gunicorn "
            f"({args.workers} workers x {args.threads} threads): p50 "
            f"{percentile(latencies, 50) * 1000:.0f} ms, p95 "
            f"{percentile(latencies, 95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms, "
            f"{len(latencies) / wall:.0f} scans/s; errors: {len(errors)}"
        )
        for error in errors[:5]:
            print("  ", error)
    finally:
        gunicorn_stop(server)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--booths", type=int, default=300)
    parser.add_argument("--plan-requests", type=int, default=30)
    parser.add_argument("--queued", type=int, default=1000)
    parser.add_argument("--scanners", type=int, default=20)
    parser.add_argument("--scans-each", type=int, default=25)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int)
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args()
    database_create(args.admin_url, DATABASE)
    database_url = args.admin_url.rsplit("/", 1)[0] + f"/{DATABASE}"
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
    )
    os.environ.update(env)
    log_path = Path(tempfile.gettempdir()) / f"atrium-exhibition-gunicorn-{os.getpid()}.log"
    status = 1
    try:
        with log_path.open("w") as log:
            status = run(args, env=env, log=log)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"kept the database {DATABASE} ({database_url})")
        else:
            database_drop(args.admin_url, DATABASE)
        if status == 0:
            log_path.unlink(missing_ok=True)
        else:
            print(f"gunicorn's log: {log_path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
