"""The insight page's query count does not grow with the edition (asserted at two sizes),
and the demo's editions can be compared (their registrations are spread over months)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from atrium.checkin.models import CheckIn
from atrium.demo.insight import build_insight_edition
from atrium.demo.loader import load_demo
from atrium.insight import selectors
from atrium.registration.models import Registration
from tests.registration.factories_organiser import AccountFactory

# The insight page looks back on editions that are over: these tests run on the real clock
# (after the 2025 editions), not on the frozen one of tests/conftest.py.
pytestmark = [pytest.mark.django_db, pytest.mark.real_clock]

#: Every query of the page: session and user, the edition, and the selectors' fixed sets
#: (45 with the exhibition's seven, the calls' five and three more for needs attention).
MAX_QUERIES = 45

PAGES = [
    ("page", {}),
    ("page", {"period": "week", "split": "type", "day": "2025-09-17"}),
    ("over-time", {"period": "month", "split": "status"}),
    ("checkins", {"day": "2025-09-16"}),
    ("panel", {}),
]


def _counts(client, slug: str) -> dict[str, int]:
    counts = {}
    for name, params in PAGES:
        url = reverse(f"insight:{name}", args=[slug])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200, name
        counts[f"{name} {sorted(params.items())}"] = len(queries)
    url = reverse("organiser:dashboard", args=[slug])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    counts["dashboard"] = len(queries)
    return counts


def test_query_counts_do_not_grow_with_registrations_and_check_ins(
    client, django_assert_max_num_queries
):
    small = build_insight_edition(registrations=60, checkins=240, slug="small", seed=1)
    large = build_insight_edition(registrations=600, checkins=2400, slug="large", seed=2)
    assert Registration.objects.filter(conference=large).count() == 600
    assert CheckIn.objects.filter(conference=large).count() == 2400
    client.force_login(AccountFactory(is_superuser=True))
    _counts(client, small.slug)  # warm the caches (content types, sessions)
    small_counts = _counts(client, small.slug)
    large_counts = _counts(client, large.slug)
    assert small_counts == large_counts
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(reverse("insight:page", args=[large.slug]))


def test_the_large_edition_fills_every_part(client):
    conference = build_insight_edition(registrations=200, checkins=800, slug="full", seed=3)
    assert selectors.previous_edition(conference).slug == "full-previous"
    comparison = selectors.edition_comparison(conference)
    assert comparison.this_now == 200 and comparison.before[-1] == 200
    assert selectors.country_counts(conference).registrations == 200
    money = selectors.money_by_currency(conference)
    assert {line.currency for line in money.lines} == {"USD", "CNY"}
    assert sum(line.paid_count + line.outstanding_count for line in money.lines) > 0
    assert all(s.taken == s.seats and s.waiting == 5 for s in selectors.session_fill(conference))
    assert selectors.b2b_figures(conference).accepted > 0


def test_the_demo_editions_can_be_compared():
    load_demo()
    beijing = Registration.objects.filter(conference__slug="beijing-2025")
    assert beijing.dates("created", "day").count() > 60
    from atrium.events.models import Conference

    conference = Conference.objects.get(slug="beijing-2025")
    comparison = selectors.edition_comparison(conference)
    assert comparison.previous.slug == "nairobi-2024"
    assert (
        comparison.before[-1]
        == Registration.objects.filter(conference__slug="nairobi-2024").count()
    )
    assert comparison.this_now == beijing.count()
    # Loading again changes no date.
    before = list(beijing.order_by("pk").values_list("created", flat=True))
    load_demo()
    assert list(beijing.order_by("pk").values_list("created", flat=True)) == before
