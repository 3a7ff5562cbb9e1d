"""Server time and queries of the organiser's review table and a reviewer's page.

Builds a fresh database (SQLite in a temporary folder unless DATABASE_URL is set, which is
then flushed first) with one call of N submissions × M reviewers, 3 reviews each, half of
them submitted, then requests the organiser's ranking table (sorted by the normalised
score) and one reviewer's list through Django's test client, and prints the median and
95th-percentile time and the number of queries.

    .venv/bin/python bench/reviews_page.py [--submissions 500] [--reviewers 100] [--repeat 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build(n_subs: int, n_revs: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from atrium.events.models import Conference, ConferenceRole
    from atrium.network.models import Organisation, Person
    from atrium.reviews.models import Assignment, Call, Criterion, Review, Reviewer, Submission

    now = timezone.now()
    conference = Conference.objects.create(
        slug="bench-reviews",
        number=990,
        name="Bench",
        city="Beijing",
        country="CN",
        time_zone="Asia/Shanghai",
        start_date=dt.date(2025, 9, 16),
        end_date=dt.date(2025, 9, 18),
    )
    call = Call.objects.create(
        conference=conference,
        slug="talks",
        kind="talks",
        title="Talks",
        opens_at=now - dt.timedelta(days=30),
        closes_at=now - dt.timedelta(days=10),
        review_from=now - dt.timedelta(days=9),
        review_until=now + dt.timedelta(days=9),
        decisions_at=now + dt.timedelta(days=20),
    )
    Criterion.objects.create(call=call, key="relevance", name="Relevance")
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Org {i}", slug=f"bench-org-{i}") for i in range(40)
    )
    people = Person.objects.bulk_create(
        Person(
            name=f"Person {i}",
            slug=f"bench-p-{i}",
            email=f"p{i}@example.org",
            organisation=orgs[i % 20 if i < n_subs else 20 + i % 20],
        )
        for i in range(n_subs + n_revs)
    )
    subs = Submission.objects.bulk_create(
        Submission(call=call, submitter=people[i], title=f"Entry {i}", status="submitted")
        for i in range(n_subs)
    )
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"bench-r{i}", email=f"bench-r{i}@example.org") for i in range(n_revs)
    )
    reviewers = Reviewer.objects.bulk_create(
        Reviewer(call=call, user=users[i], person=people[n_subs + i], max_load=50)
        for i in range(n_revs)
    )
    pairs = [(reviewers[(i * 3 + j) % n_revs], s) for i, s in enumerate(subs) for j in range(3)]
    Assignment.objects.bulk_create(
        Assignment(reviewer=r, submission=s, published=True) for r, s in pairs
    )
    Review.objects.bulk_create(
        Review(
            reviewer=r,
            submission=s,
            scores={"relevance": 1 + i % 5},
            total=1 + i % 5,
            status="submitted",
        )
        for i, (r, s) in enumerate(pairs[: len(pairs) // 2])
    )
    organiser = User.objects.create(username="bench-organiser", email="o@example.org")
    ConferenceRole.objects.create(conference=conference, user=organiser, role="organiser")
    return call, organiser, reviewers[0].user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=500)
    parser.add_argument("--reviewers", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=10)
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
    call, organiser, reviewer_user = build(args.submissions, args.reviewers)
    slug = call.conference.slug
    print(f"{args.submissions} submissions × {args.reviewers} reviewers on {connection.vendor}")
    for label, user, path in (
        (
            "organiser table",
            organiser,
            f"/c/{slug}/organiser/calls/talks/submissions/?sort=normalised",
        ),
        ("reviewer's list", reviewer_user, f"/c/{slug}/calls/talks/review/"),
    ):
        client = Client()
        client.force_login(user)
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        times.sort()
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(
            f"{label:16} median {statistics.median(times) * 1000:7.1f} ms"
            f"  p95 {p95 * 1000:7.1f} ms  queries {len(queries)}"
        )


if __name__ == "__main__":
    main()
