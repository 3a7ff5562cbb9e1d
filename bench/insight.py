"""Server time of the organiser insight page on an edition of 5,000 registrations and
20,000 check-ins (target: p95 <= 500 ms).

Builds a fresh database (SQLite in a temporary folder by default; set DATABASE_URL for
PostgreSQL, whose database is then flushed first) holding the synthetic edition of
``atrium.demo.insight.build_insight_edition`` (and its previous edition, as large), then
requests the page and its parts through Django's test client as an organiser (the full
middleware and template stack, no network) and prints the median and 95th-percentile
time, the number of queries and the size of the answer.

    .venv/bin/python bench/insight.py [--registrations 5000] [--checkins 20000] [--repeat 30]
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
    parser.add_argument("--registrations", type=int, default=5000)
    parser.add_argument("--checkins", type=int, default=20000)
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
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)

    from atrium.demo.insight import build_insight_edition

    started = time.perf_counter()
    conference = build_insight_edition(
        registrations=args.registrations, checkins=args.checkins, slug="bench"
    )
    built = time.perf_counter() - started
    print(
        f"database: {connection.vendor}; edition: {args.registrations} registrations, "
        f"{args.checkins} check-ins (and a previous edition as large); built in {built:.1f} s"
    )

    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
    client = Client()
    client.force_login(user)
    base = f"/c/{conference.slug}/organiser/insight/"
    pages = [
        ("insight page", base, {}, {}),
        ("insight page, Chinese", base, {}, {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}),
        ("insight page, week by type, day 2", base, {"period": "week", "split": "type",
                                                     "day": "2025-09-17"}, {}),
        ("over time (htmx)", base + "over-time/", {"period": "month", "split": "status"},
         {"HTTP_HX_REQUEST": "true"}),
        ("check-ins (htmx poll)", base + "checkins/", {"day": "2025-09-16"},
         {"HTTP_HX_REQUEST": "true"}),
        ("organiser dashboard", f"/c/{conference.slug}/organiser/", {}, {}),
        ("dashboard's insight panel (htmx)", base + "panel/", {}, {"HTTP_HX_REQUEST": "true"}),
        ("download countries (xlsx)", base + "export/countries/", {"format": "xlsx"}, {}),
    ]  # fmt: skip
    # Wall time, and this process's CPU time (SQLite runs inside it): on a shared machine
    # the CPU time shows the page's own cost when other work makes the wall time wait.
    print(f"{'page':36} {'median ms':>10} {'p95 ms':>8} {'CPU p95':>8} {'queries':>8} {'KiB':>6}")
    for name, url, params, headers in pages:
        client.get(url, params, **headers)  # warm up (and the map's shapes, once a process)
        times, cpu = [], []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(url, params, **headers)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        cpu.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        cpu95 = cpu[min(len(cpu) - 1, int(len(cpu) * 0.95))]
        print(
            f"{name:36} {statistics.median(times):10.1f} {p95:8.1f} {cpu95:8.1f} "
            f"{len(queries):8d} {len(response.content) / 1024:6.0f}"
        )
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
