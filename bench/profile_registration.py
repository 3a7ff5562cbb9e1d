"""Where a registration's time goes: one delegate at a time, profiled, on PostgreSQL.

Builds the rush's edition (bench/registration_rush.py) in a fresh database
``atrium_profile`` (dropped at the end), then submits ``--count`` registrations through
Django's test client (the full middleware stack, no network, no concurrency) under
cProfile, and prints: the time per request, the queries per request and their time,
and the share of the time in the parts that matter (templates, e-mail, database,
password hashing, locks), then the top functions by cumulative time.

    .venv/bin/python bench/profile_registration.py [--count 30] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import secrets
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DATABASE = "atrium_profile"

#: Parts of a request, by the file its time is spent in (cumulative, so they overlap).
PARTS = {
    "templates (django/template)": "django/template/",
    "e-mail (core/mail.py)": "atrium/core/mail.py",
    "database driver (psycopg)": "psycopg/",
    "password hashing": "django/contrib/auth/hashers.py",
    "registration services": "atrium/registration/services.py",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    import registration_rush as rr

    rr.database_create(ADMIN_URL, DATABASE)
    parts = urllib.parse.urlsplit(ADMIN_URL)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="atrium.settings",
        DATABASE_URL=urllib.parse.urlunsplit(parts._replace(path=f"/{DATABASE}")),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        ATRIUM_HTTPS="0",
        ATRIUM_STATIC_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
        ATRIUM_TASK_BACKEND="immediate",
        ATRIUM_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        ATRIUM_PAYMENT_PROVIDERS="bank_transfer",
    )
    import django

    django.setup()
    try:
        return run(args, rr)
    finally:
        from django.db import connections

        connections.close_all()
        rr.database_drop(ADMIN_URL, DATABASE)


def run(args, rr) -> int:
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    world = rr.build_world(clients=args.count + 1, seats=1, capacity=10 * args.count)
    page = f"/c/{world.slug}/register/"

    def client_for(i: int) -> Client:
        client = Client()
        client.cookies["sessionid"] = world.register_sessions[i]
        return client

    def form(i: int) -> dict:
        return {
            "type": world.limited_type_id,
            "currency": "USD",
            "name": f"Student {i}",
            "country": "CN",
            f"q_{world.question_id}": "Vegetarian",
            "consent_directory": "on",
        }

    # Warm up: import every module, compile every template (one registration).
    warm = client_for(args.count)
    warm.get(page)
    assert warm.post(page, form(args.count)).status_code == 302

    clients = [client_for(i) for i in range(args.count)]
    for client in clients:
        client.get(page)  # the CSRF cookie is not checked by the test client
    profiler = cProfile.Profile()
    queries = 0
    query_ms = 0.0
    by_sql: dict[str, list[float]] = {}
    started = time.perf_counter()
    for i, client in enumerate(clients):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            profiler.enable()
            response = client.post(page, form(i))
            profiler.disable()
        assert response.status_code == 302 and "/pay/" in response["Location"], response
        queries += len(captured.captured_queries)
        for query in captured.captured_queries:
            shape = re.sub(r"\b\d+\b|'[^']*'", "?", query["sql"])[:150]
            by_sql.setdefault(shape, []).append(float(query["time"]) * 1000)
        query_ms += sum(float(q["time"]) for q in captured.captured_queries) * 1000
    wall = time.perf_counter() - started

    stats = pstats.Stats(profiler)
    total = stats.total_tt
    print(
        f"{args.count} registrations, one at a time: {wall / args.count * 1000:.1f} ms each "
        f"(profiled: {total / args.count * 1000:.1f} ms), {queries / args.count:.1f} queries "
        f"each, {query_ms / args.count:.1f} ms in the database (as Django measures it)"
    )
    print("\nshare of the profiled time (cumulative; parts overlap):")
    for label, needle in PARTS.items():
        cumulative = max(
            (row[3] for func, row in stats.stats.items() if needle in func[0]), default=0.0
        )
        print(f"  {label:32} {cumulative / args.count * 1000:7.1f} ms  {cumulative / total:6.1%}")
    print("\nthe queries that take the most time in all (ms per registration, count, SQL):")
    slowest = sorted(by_sql.items(), key=lambda item: -sum(item[1]))[:8]
    for shape, times in slowest:
        print(f"  {sum(times) / args.count:7.1f} {len(times) // args.count:3d}  {shape}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
