"""Median server time of the programme, directory and search pages on a large edition.

Builds a fresh database (SQLite in a temporary folder by default; set DATABASE_URL for
PostgreSQL, whose database is then flushed first) holding a synthetic edition of
600 sessions and 5,000 organisations, then requests each page through Django's test
client (the full middleware and template stack, no network) and prints the median and
95th-percentile time and the number of queries.

    .venv/bin/python bench/pages.py [--sessions 600] [--organisations 5000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=600)
    parser.add_argument("--organisations", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="atrium-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["ATRIUM_HTTPS"] = "0"
    os.environ["ATRIUM_STATIC_STORAGE"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atrium.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)

    from atrium.demo.large import build_large_edition

    started = time.perf_counter()
    conference = build_large_edition(
        sessions=args.sessions, organisations=args.organisations, slug="bench"
    )
    built = time.perf_counter() - started
    print(
        f"database: {connection.vendor}; edition: {args.sessions} sessions, "
        f"{args.organisations} organisations; built in {built:.1f} s"
    )

    client = Client()
    day2 = conference.days[1].isoformat()
    pages = [
        ("programme (day 1)", "/c/bench/programme/", {}),
        (
            "programme (day 2, filtered)",
            "/c/bench/programme/",
            {"day": day2, "kind": "parallel_forum"},
        ),
        ("edition home", "/c/bench/", {}),
        ("speakers", "/c/bench/speakers/", {}),
        ("directory", "/directory/", {}),
        ("directory, page 40", "/directory/", {"page": 40}),
        ("search 'science park'", "/directory/", {"q": "science park"}),
        ("search 'zhongguancun'", "/directory/", {"q": "zhongguancun"}),
        ("search '中關村' (Traditional)", "/directory/", {"q": "中關村"}),
        ("search 'wang'", "/directory/", {"q": "wang"}),
    ]
    print(f"{'page':34} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'KiB':>6}")
    for name, url, params in pages:
        client.get(url, params)  # warm up
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get(url, params)
                times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"{name:34} {statistics.median(times):10.1f} {p95:8.1f} {len(queries):8d} "
            f"{len(response.content) / 1024:6.0f}"
        )


if __name__ == "__main__":
    main()
