"""Server time of the programme pages, its exports, the directory and search on large editions.

Builds a fresh database (SQLite in a temporary folder by default; set DATABASE_URL for
PostgreSQL, whose database is then flushed first) holding synthetic editions (by default
one of 64 sessions and one of 600, the latter with 5,000 organisations), then requests
each page through Django's test client (the full middleware and template stack, no
network) and prints the median and 95th-percentile time, the number of queries and the
size.

The programme pages and exports are measured twice: "cold", with the default cache
emptied before every request (what the first visitor after a change pays), and "repeat",
with the cache kept (what everyone else pays). Without a cache in the code both are the
same.

    .venv/bin/python bench/pages.py [--sessions 64,600] [--organisations 5000] [--repeat 30]
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
    parser.add_argument("--sessions", default="64,600", help="comma-separated edition sizes")
    parser.add_argument("--organisations", type=int, default=5000, help="of the largest edition")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--no-directory", action="store_true", help="skip directory and search")
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.sessions.split(","))

    workdir = tempfile.mkdtemp(prefix="atrium-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["ATRIUM_HTTPS"] = "0"
    os.environ["ATRIUM_STATIC_STORAGE"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atrium.settings")

    import django

    django.setup()
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)

    from atrium.demo.large import build_large_edition

    cache = caches["default"]
    client = Client()

    def measure(name: str, url: str, params: dict, *, cold: bool) -> None:
        cache.clear()
        response = client.get(url, params)  # warm up (templates, and the cache unless cold)
        if response.status_code == 404:
            print(f"{name:40} {'(no such page)':>10}")
            return
        times = []
        for _ in range(args.repeat):
            if cold:
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get(url, params)
                times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"{name:40} {statistics.median(times):10.1f} {p95:8.1f} {len(queries):8d} "
            f"{len(response.content) / 1024:6.0f}"
        )

    print(f"database: {connection.vendor}; cache: {cache.__class__.__name__}")
    for index, sessions in enumerate(sizes):
        largest = index == len(sizes) - 1
        organisations = args.organisations if largest else max(50, sessions * 6)
        slug = f"bench{sessions}"
        started = time.perf_counter()
        conference = build_large_edition(sessions=sessions, organisations=organisations, slug=slug)
        built = time.perf_counter() - started
        print(
            f"\nedition {slug}: {sessions} sessions, {organisations} organisations; "
            f"built in {built:.1f} s"
        )
        print(f"{'page':40} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'KiB':>6}")
        day2 = conference.days[1].isoformat()
        programme = [
            ("programme (day 1)", f"/c/{slug}/programme/", {}),
            (
                "programme (day 2, filtered)",
                f"/c/{slug}/programme/",
                {"day": day2, "kind": "parallel_forum"},
            ),
            ("whole programme", f"/c/{slug}/programme/all/", {}),
            ("frab XML", f"/c/{slug}/schedule.xml", {}),
            ("frab JSON", f"/c/{slug}/schedule.json", {}),
            ("iCal", f"/c/{slug}/programme.ics", {}),
        ]
        for name, url, params in programme:
            measure(f"{name}, cold", url, params, cold=True)
            measure(f"{name}, repeat", url, params, cold=False)
        if largest:
            measure("edition home", f"/c/{slug}/", {}, cold=False)
            measure("speakers", f"/c/{slug}/speakers/", {}, cold=False)
        if largest and not args.no_directory:
            for name, params in [
                ("directory", {}),
                ("directory, page 40", {"page": 40}),
                ("search 'science park'", {"q": "science park"}),
                ("search 'zhongguancun'", {"q": "zhongguancun"}),
                ("search '中關村' (Traditional)", {"q": "中關村"}),
                ("search 'wang'", {"q": "wang"}),
            ]:
                measure(name, "/directory/", params, cold=False)


if __name__ == "__main__":
    main()
