"""The exhibition in the demo: the seed's booth, visitors and tours, loaded once."""

from __future__ import annotations

import pytest

from atrium.demo.loader import load_demo
from atrium.exhibition import tours as exhibition_tours
from atrium.exhibition.models import Booth, Exhibitor, Lead, Tour

pytestmark = pytest.mark.django_db


def test_demo_exhibition_of_both_editions_and_idempotence():
    load_demo()
    beijing = Exhibitor.objects.filter(conference__slug="beijing-2025")
    assert Booth.objects.filter(hall__conference__slug="beijing-2025").count() == 40
    assert beijing.values("conference__halls").distinct().count() == 2
    assert beijing.count() == 24
    zgc = beijing.get(organisation__slug="zhongguancun-science-park")
    assert zgc.bookings.get().status == "booked"
    assert zgc.products.filter(name__contains="Dart").exists()
    assert zgc.passes.filter(role="leads", status="accepted").exists()
    cecile = Lead.objects.get(exhibitor=zgc, registration__person__name="Cecile Harle")
    assert cecile.interests == ["New-generation IT", "Life and health"]
    opening = Tour.objects.get(conference__slug="beijing-2025")
    assert opening.party[0]["name"] == "Ma Jun"
    assert opening.stops.count() == 6
    assert exhibition_tours.tour_clashes(opening) == []

    nairobi = Tour.objects.get(conference__slug="nairobi-2024")
    assert [m["name"] for m in nairobi.party] == ["Rigathi Gachagua", "Leno Miranda"]
    stops = [s.booth for s in nairobi.stops.all()]
    zgc_nairobi = Exhibitor.objects.get(
        conference__slug="nairobi-2024", organisation__slug="zhongguancun-science-park"
    )
    assert zgc_nairobi.bookings.get().booth in stops
    schedule = exhibition_tours.tour_schedule(nairobi)
    opening_ceremony = nairobi.conference.sessions.get(kind="opening_ceremony")
    assert schedule[-1].leaves <= opening_ceremony.start
    visitors = set(
        Lead.objects.filter(exhibitor=zgc_nairobi).values_list(
            "registration__person__name", flat=True
        )
    )
    assert visitors == {"Cecile Harle", "Elif", "Annie"}

    counts = (Exhibitor.objects.count(), Lead.objects.count(), Tour.objects.count())
    load_demo()
    assert (Exhibitor.objects.count(), Lead.objects.count(), Tour.objects.count()) == counts
