"""1,000 badges in one PDF: wall time, badges per second, peak memory and the file's size.

Builds a fresh SQLite database in a temporary folder (set DATABASE_URL for PostgreSQL,
whose database is then flushed first) with one edition and ``--badges`` confirmed
registrations (a third with names and organisations in Chinese, every role colour), then,
for each layout (A6 portrait and the 4×3 inch label):

- **service**: ``badge_pdf(printing=True)``, the organisers' synchronous print (issues a
  badge per registration, marks it printed, audit log, renders the PDF);
- **print run**: the background task's path, ``badge_print_run_start`` then the task
  itself (run inline here): chunks of 25 with progress commits, the file written to a
  temporary MEDIA_ROOT.

The badges are revoked between measurements, so each one prints every badge anew.
Peak Python memory is ``tracemalloc``'s peak during that measurement, traced in a second
pass (tracing slows Python down, so the times come from an untraced pass); peak RSS is
the process's high-water mark so far (``resource.getrusage``), which only grows.

    .venv/bin/python bench/badges.py [--badges 1000] [--layouts a6,label4x3] [--profile]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHINESE = [
    ("Ma Jun", "马骏"),
    ("Li Wei", "李伟"),
    ("Wang Fang", "王芳"),
    ("Zhang Min", "张敏"),
    ("Liu Yang", "刘洋"),
    ("Chen Jing", "陈静"),
]
LATIN = [
    ("Cécile Harle", "FR"),
    ("Wanjiru Kamau", "KE"),
    ("Lucía Fernández", "ES"),
    ("Kenji Sato", "JP"),
    ("Ana Souza", "BR"),
    ("Omar Haddad", "EG"),
    ("Maximilian Alexander von Hohenberg-Schönfeld", "DE"),
]
ORGANISATIONS = [
    ("Zhongguancun Science Park", "中关村科技园", "CN"),
    ("Zhangjiang Hi-Tech Park", "张江高科技园区", "CN"),
    ("Sophia Antipolis", "", "FR"),
    ("Konza Technopolis", "", "KE"),
    ("Málaga TechPark", "", "ES"),
    ("Kyoto Research Park", "", "JP"),
]
TYPES = ["delegate", "speaker", "vip", "press", "exhibitor", "local-staff"]


def setup_django() -> str:
    workdir = tempfile.mkdtemp(prefix="atrium-bench-badges-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["ATRIUM_HTTPS"] = "0"
    os.environ["ATRIUM_STATIC_STORAGE"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    # The print run's task runs at once, in this process, as in the tests.
    os.environ["ATRIUM_TASK_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ["ATRIUM_MEDIA_ROOT"] = f"{workdir}/media"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atrium.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)
    return workdir


def build_edition(count: int):
    """One edition with ``count`` confirmed registrations; returns the conference."""
    import datetime

    from atrium.events.models import Conference
    from atrium.network.models import Organisation, Person
    from atrium.registration.models import Registration, RegistrationType

    conference = Conference.objects.create(
        slug="bench-badges",
        number=942,
        name="42nd IASP World Conference on Science Parks and Areas of Innovation",
        name_zh="第四十二届世界科技园区大会",
        city="Beijing",
        country="CN",
        time_zone="Asia/Shanghai",
        start_date=datetime.date(2025, 9, 17),
        end_date=datetime.date(2025, 9, 19),
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(slug=f"bench-org-{i}", name=name, name_zh=name_zh, country=country)
        for i, (name, name_zh, country) in enumerate(ORGANISATIONS)
    )
    types = RegistrationType.objects.bulk_create(
        RegistrationType(
            conference=conference, code=code, name=code.title(), position=i, is_free=True
        )
        for i, code in enumerate(TYPES)
    )
    people = []
    for i in range(count):
        if i % 3 == 0:
            name, name_zh = CHINESE[i % len(CHINESE)]
            country = "CN"
        else:
            (name, country), name_zh = LATIN[i % len(LATIN)], ""
        people.append(
            Person(
                slug=f"bench-person-{i}",
                name=f"{name} {i}",
                name_zh=name_zh,
                sort_name=f"{name} {i}".lower(),
                country=country,
                organisation=organisations[i % len(organisations)],
            )
        )
    people = Person.objects.bulk_create(people, batch_size=500)
    Registration.objects.bulk_create(
        (
            Registration(
                conference=conference,
                person=person,
                type=types[i % len(types)],
                status=Registration.Status.CONFIRMED,
            )
            for i, person in enumerate(people)
        ),
        batch_size=500,
    )
    return conference


def registrations(conference):
    from atrium.registration.models import Registration

    return list(
        Registration.objects.filter(conference=conference)
        .select_related("person__organisation", "type", "conference")
        .order_by("person__sort_name", "pk")
    )


def reset_badges(conference) -> None:
    from atrium.checkin.models import Badge

    Badge.objects.filter(registration__conference=conference).delete()


def service_print(conference, layout: str) -> int:
    from atrium.checkin.badges import badge_pdf

    data = badge_pdf(registrations=registrations(conference), layout=layout, printing=True)
    return len(data)


def run_print(conference, layout: str) -> int:
    from atrium.checkin.badges import badge_print_run_start
    from atrium.checkin.models import BadgePrintRun

    run = badge_print_run_start(
        conference=conference, filters={"printed": "all"}, layout=layout, actor=None
    )
    run = BadgePrintRun.objects.get(pk=run.pk)
    if run.status != BadgePrintRun.Status.DONE:
        raise SystemExit(f"The print run ended {run.status}: {run.error}")
    return run.file.size


def peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name: str, call, conference, layout: str, count: int) -> dict:
    reset_badges(conference)
    started = time.perf_counter()
    size = call(conference, layout)
    seconds = time.perf_counter() - started
    rss = peak_rss_mib()
    reset_badges(conference)
    tracemalloc.start()
    call(conference, layout)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "what": name,
        "layout": layout,
        "seconds": seconds,
        "rate": count / seconds,
        "python_peak": peak / 2**20,
        "rss": rss,
        "size": size / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--badges", type=int, default=1000)
    parser.add_argument("--layouts", default="a6,label4x3")
    parser.add_argument(
        "--profile", action="store_true", help="profile one A6 service print (cProfile) instead"
    )
    args = parser.parse_args()

    setup_django()
    from django.db import connection

    started = time.perf_counter()
    conference = build_edition(args.badges)
    print(
        f"database: {connection.vendor}; {args.badges} confirmed registrations "
        f"built in {time.perf_counter() - started:.1f} s; Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs"
    )

    if args.profile:
        import cProfile
        import pstats

        reset_badges(conference)
        profiler = cProfile.Profile()
        profiler.runcall(service_print, conference, "a6")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        return

    from atrium.checkin.badges import badge_print_run_start  # noqa: F401 (fails early)

    rows = []
    for layout in args.layouts.split(","):
        rows.append(measure("service", service_print, conference, layout, args.badges))
        rows.append(measure("print run", run_print, conference, layout, args.badges))

    header = (
        f"{'path':<10} {'layout':<9} {'seconds':>8} {'badges/s':>9} "
        f"{'Python peak MiB':>16} {'peak RSS MiB':>13} {'PDF MiB':>8}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['what']:<10} {row['layout']:<9} {row['seconds']:>8.2f} {row['rate']:>9.0f} "
            f"{row['python_peak']:>16.1f} {row['rss']:>13.0f} {row['size']:>8.2f}"
        )


if __name__ == "__main__":
    main()
