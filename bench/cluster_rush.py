"""The cluster of `scripts/cluster.sh` under a rush, one server killed in the middle.

Run against a started cluster (it reads the cluster's env file for the database and the
ports); every request goes to 127.0.0.1. In order:

1. **sessions**: a demo delegate logs in on server 1; server 2 knows the session;
2. **API rate limit**: N calls with one token, alternating servers, then one more:
   refused (429), since the count is in the shared cache (the cluster must be started with
   a small ``token`` rate, e.g. ``ATRIUM_CLUSTER_API_RATES=token=30/day``);
3. **print run**: the organiser starts a background print run on server 1; the RQ
   worker prints it (waited for at most 240 s);
4. **visit sign-up rush** through HAProxy: ``--clients`` delegates at once, ``--seats`` seats;
5. **registration rush** through HAProxy with ``--kill``: server 1 (gunicorn's master and
   workers) is SIGKILLed ``--kill-after`` seconds after the release. Clients whose request
   failed try once more; then every client told "received" has exactly one registration,
   no one has two, and the type holds no more than its capacity.

Prints a table, and with ``--json`` one JSON document (what tests/ops/test_cluster.py
reads). Exits 1 on any failed check. Restart the killed server with
``scripts/cluster.sh start``.

    scripts/cluster.sh start && .venv/bin/python bench/cluster_rush.py --clients 200 --kill
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

HOST = "127.0.0.1"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def load_env(state: Path) -> dict[str, str]:
    env = {}
    for line in (state / "env").read_text().splitlines():
        if line.startswith("export ") and "=" in line:
            name, _, value = line[len("export ") :].partition("=")
            env[name] = value
    return env


# --------------------------------------------------------------------------- helpers


class Client:
    """One browser: a connection to one port, and its cookies."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, headers=None):
        from http.cookies import SimpleCookie

        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        sent = {"Accept-Language": "en", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = f"http://{HOST}:{self.port}{path}"
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.getheader("Location", ""), content

    def login(self, email: str, password: str) -> bool:
        status, _loc, body = self.request("GET", "/accounts/login/")
        token = CSRF_INPUT.search(body)
        if status != 200 or token is None:
            return False
        status, location, _body = self.request(
            "POST",
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": email,
                "password": password,
            },
        )
        return status == 302 and "/login/" not in location


def server_pids(pidfile: Path) -> list[int]:
    """gunicorn's master (from its PID file) and its workers (its children, from /proc)."""
    master = int(pidfile.read_text().strip())
    pids = [master]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return pids


# --------------------------------------------------------------------------- the checks


def check_sessions(ports: list[int]) -> dict:
    """Log in on server 1, then ask server 2 for the delegate's own page."""
    client = Client(ports[0])
    logged_in = client.login("delegate@example.org", "atrium-demo")
    client.port = ports[1]
    status, location, _body = client.request("GET", "/me/")
    return {
        "logged_in_on_server_1": logged_in,
        "me_status_on_server_2": status,
        "ok": logged_in and status == 200,
        "redirect": location,
    }


def check_rate_limit(ports: list[int], limit: int) -> dict:
    from django.contrib.auth import get_user_model

    from atrium.api.services import token_create

    user = get_user_model().objects.get(email="delegate@example.org")
    token = token_create(user=user, name=f"cluster rush {time.time():.0f}", scope="read").plain
    headers = {"Authorization": f"Bearer {token}"}
    statuses = []
    for i in range(limit + 1):
        status, _loc, _body = Client(ports[i % 2]).request("GET", "/api/v1/me", headers=headers)
        statuses.append(status)
    served = sum(s == 200 for s in statuses[:limit])
    return {
        "limit": limit,
        "served_within_limit": served,
        "last_status": statuses[-1],
        "ok": served == limit and statuses[-1] == 429,
    }


def check_print_run(ports: list[int], slug: str, wait: float = 240) -> dict:
    from django.db.models import Count, Q

    from atrium.checkin.badges import inline_max_badges
    from atrium.checkin.models import BadgePrintRun
    from atrium.events.models import Conference
    from atrium.registration.models import Registration

    conference = Conference.objects.get(slug=slug)
    # The smallest registration type whose badges make a background run (not an inline PDF).
    types = (
        conference.registration_types.annotate(
            n=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED))
        )
        .filter(n__gt=inline_max_badges())
        .order_by("n")
    )
    chosen = types.first()
    before = set(BadgePrintRun.objects.filter(conference=conference).values_list("pk", flat=True))
    client = Client(ports[0])
    if not client.login("organiser@example.org", "atrium-demo"):
        return {"ok": False, "error": "the organiser could not log in"}
    page = f"/c/{slug}/organiser/badges/"
    status, _loc, body = client.request("GET", page)
    token = CSRF_INPUT.search(body)
    if status != 200 or token is None:
        return {"ok": False, "error": f"badges page: {status}"}
    form = {
        "csrfmiddlewaretoken": token.group(1).decode(),
        "type": str(chosen.pk) if chosen else "",
        "delegation": "",
        "printed": "all",
        "layout": "",
    }
    status, location, _body = client.request("POST", page, form)
    started = time.monotonic()
    run = None
    while time.monotonic() - started < wait:
        run = (
            BadgePrintRun.objects.filter(conference=conference)
            .exclude(pk__in=before)
            .order_by("-pk")
            .first()
        )
        if run is not None and run.status in (
            BadgePrintRun.Status.DONE,
            BadgePrintRun.Status.FAILED,
        ):
            break
        time.sleep(1)
    return {
        "post_status": status,
        "badges": run.total if run else 0,
        "status": run.status if run else None,
        "seconds": round(time.monotonic() - started, 1),
        "ok": run is not None and run.status == BadgePrintRun.Status.DONE and bool(run.file),
    }


def run_rush(
    port: int, world, *, kill_pidfile: Path | None, kill_after: float, restart_after: float | None
) -> dict:
    """The registration rush through HAProxy; a server SIGKILLed in the middle if asked."""
    import registration_rush as rr
    from django.contrib.sessions.models import Session

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

    killed: list[int] = []
    if kill_pidfile is not None:

        def kill() -> None:
            for pid in server_pids(kill_pidfile):
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                except ProcessLookupError:
                    pass

        timer = threading.Timer(kill_after, kill)
        timer.start()
        if restart_after is not None:
            # What a supervisor (systemd) does: start the server again; HAProxy sends it
            # traffic once two health checks pass.
            restart = threading.Timer(
                kill_after + restart_after,
                lambda: subprocess.run(
                    ["bash", str(ROOT / "scripts" / "cluster.sh"), "start"],
                    capture_output=True,
                    timeout=300,
                    check=False,
                ),
            )
            restart.start()
    outcomes, wall, _cpu = rr.rush(
        port=port,
        sessions=world.register_sessions,
        page=page,
        post=page,
        form=form,
        meter=NoMeter(),
    )

    def accepted(o) -> bool:
        return o.post_status == 302 and "/pay/" in o.location

    def refused(o) -> bool:
        return o.post_status == 200 and rr.FULLY_BOOKED.encode() in o.body

    first = {
        "accepted": sum(accepted(o) for o in outcomes),
        "refused": sum(refused(o) for o in outcomes),
        "failed": sum(not accepted(o) and not refused(o) for o in outcomes),
    }
    examples = sorted(
        {
            o.failure or f"GET {o.page_status}, POST {o.post_status} {o.location}"
            for o in outcomes
            if not accepted(o) and not refused(o)
        }
    )[:5]
    # Those whose request failed try again, once (HAProxy sends them to the live server).
    retried = [i for i, o in enumerate(outcomes) if not accepted(o) and not refused(o)]
    retry_results = {"accepted": 0, "refused": 0, "already": 0, "failed": 0}
    told_received = {i for i, o in enumerate(outcomes) if accepted(o)}
    for i in retried:
        browser = rr.Browser(port, world.register_sessions[i])
        try:
            status, location, _body, _s = browser.request("GET", page)
            if status == 302 and location.rstrip("/").endswith("/me"):
                retry_results["already"] += 1  # its first try had gone through
                told_received.add(i)
                continue
            token = browser.cookies.get("csrftoken")
            status, location, body, _s = browser.request(
                "POST", page, {"csrfmiddlewaretoken": token, **form(i)}
            )
            if status == 302 and "/pay/" in location:
                retry_results["accepted"] += 1
                told_received.add(i)
            elif status == 200 and rr.FULLY_BOOKED.encode() in body:
                retry_results["refused"] += 1
            else:
                retry_results["failed"] += 1
        except (OSError, http.client.HTTPException):
            retry_results["failed"] += 1
        finally:
            browser.conn.close()

    # Count in the database, per client (each client is one user with one person).
    user_of = {
        i: int(Session.objects.get(session_key=key).get_decoded()["_auth_user_id"])
        for i, key in enumerate(world.register_sessions)
    }
    per_user = dict.fromkeys(user_of.values(), 0)
    for user_id in Registration.objects.filter(
        conference__slug=world.slug, person__user_id__in=per_user
    ).values_list("person__user_id", flat=True):
        per_user[user_id] += 1
    held = Registration.objects.filter(
        type_id=world.limited_type_id, status__in=Registration.ACTIVE
    ).count()
    doubled = sum(n > 1 for n in per_user.values())
    lost = sum(per_user[user_of[i]] != 1 for i in told_received)
    post_ms = [o.post_seconds * 1000 for o in outcomes if o.post_status]
    return {
        "clients": len(outcomes),
        "killed_pids": killed,
        "first_try": first,
        "failures": examples,
        "retry": retry_results,
        "held": held,
        "capacity": world.capacity,
        "oversold": max(0, held - world.capacity),
        "doubled": doubled,
        "lost": lost,
        "wall_seconds": round(wall, 2),
        "requests_per_second": round(sum(o.requests for o in outcomes) / wall, 1),
        "post_p50_ms": round(rr.percentile(post_ms, 50)),
        "post_p99_ms": round(rr.percentile(post_ms, 99)),
        "ok": held <= world.capacity
        and doubled == 0
        and lost == 0
        and retry_results["failed"] == 0
        and held == len(told_received),
    }


class NoMeter:
    """The one-server bench splits the CPU among its gunicorn's workers; here the servers are
    two, behind HAProxy, and one is killed: no split."""

    def start(self) -> None:
        pass

    def split(self) -> None:
        return None


def run_visit_rush(port: int, world) -> dict:
    import registration_rush as rr

    row, messages = rr.phase_visit(port, world, NoMeter())
    return {
        "clients": row.clients,
        "errors": row.errors,
        "held": row.held,
        "seats": row.limit,
        "waitlisted": int(row.waitlisted),
        "oversold": row.oversell,
        "requests_per_second": round(row.requests / row.wall, 1),
        "post_p50_ms": round(rr.percentile(row.post_ms, 50)),
        "post_p99_ms": round(rr.percentile(row.post_ms, 99)),
        "checks": dict(row.checks),
        "problems": messages,
        "ok": row.oversell == 0 and row.errors == 0 and all(ok for _n, ok in row.checks),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seats", type=int, default=30)
    parser.add_argument("--capacity", type=int, default=50)
    parser.add_argument("--kill", action="store_true", help="SIGKILL server 1 mid-rush")
    parser.add_argument("--kill-after", type=float, default=1.5, help="seconds (1.5)")
    parser.add_argument(
        "--restart-after",
        type=float,
        default=5.0,
        help="seconds after the kill to start the server again (5; negative: never)",
    )
    parser.add_argument("--skip", default="", help="comma-separated: sessions,api,print,visit")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()

    state = Path(os.environ.get("ATRIUM_CLUSTER_DIR", ROOT / ".cluster"))
    env = load_env(state)
    os.environ.update(env)
    base = int(os.environ.get("ATRIUM_CLUSTER_PORT", "8100"))
    ports = [base + 1, base + 2]
    import django

    django.setup()
    import registration_rush as rr
    from django.conf import settings
    from django.db import connection

    skip = set(filter(None, args.skip.split(",")))
    report: dict = {"clients": args.clients}
    if "sessions" not in skip:
        report["sessions"] = check_sessions(ports)
    if "api" not in skip:
        limit = int((settings.ATRIUM_API_RATES or {}).get("token", "1000/hour").split("/")[0])
        report["api_rate_limit"] = check_rate_limit(ports, limit)
    if "print" not in skip:
        report["print_run"] = check_print_run(ports, "beijing-2025")
    world = rr.build_world(clients=args.clients, seats=args.seats, capacity=args.capacity)
    connection.close()
    if "visit" not in skip:
        report["visit_rush"] = run_visit_rush(base, world)
        connection.close()
    report["registration_rush"] = run_rush(
        base,
        world,
        kill_pidfile=state / "web1.pid" if args.kill else None,
        kill_after=args.kill_after,
        restart_after=args.restart_after if args.restart_after >= 0 else None,
    )
    connection.close()
    report["ok"] = all(part["ok"] for part in report.values() if isinstance(part, dict))
    if args.json:
        print(json.dumps(report))
    else:
        for name, part in report.items():
            print(f"{name}: {json.dumps(part) if isinstance(part, dict) else part}")
        print("OK" if report["ok"] else "FAIL")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
