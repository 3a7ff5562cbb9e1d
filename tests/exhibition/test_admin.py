"""The exhibition's admin: every page loads, times in the edition's zone, leads read-only
and without what the visitor did not share."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from atrium.exhibition import leads as exhibition_leads
from atrium.exhibition.models import (
    Booth,
    BoothBooking,
    Exhibitor,
    Hall,
    Lead,
    PlanFeature,
    StaffPass,
    Tour,
    TourStop,
)
from tests.factories import local

pytestmark = pytest.mark.django_db

MODELS = [Hall, Booth, Exhibitor, BoothBooking, StaffPass, Lead, Tour]


@pytest.fixture
def superuser(client, django_user_model):
    user = django_user_model.objects.create_superuser("orga", "orga@example.org", "pw-For-tests-1")
    client.force_login(user)
    return client


@pytest.fixture
def tour(world):
    conference = world["conference"]
    PlanFeature.objects.create(hall=world["booth"].hall, kind="entrance", label="East", x=0, y=0)
    tour = Tour.objects.create(
        conference=conference,
        name="Opening tour",
        name_zh="开幕巡馆",
        party=[{"name": "Vice President", "name_zh": "", "title": ""}],
        starts_at=local(conference, 0, 10, 30),
    )
    TourStop.objects.create(tour=tour, booth=world["booth"], minutes=10)
    return tour


def _url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def test_the_exhibition_models_are_registered():
    assert set(MODELS) <= set(admin.site._registry)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_page_loads(superuser, world, tour, model):
    assert superuser.get(_url(model, "changelist")).status_code == 200
    assert superuser.get(_url(model, "changelist"), {"q": "zhongguancun 中关村"}).status_code == 200
    obj = model.objects.order_by("pk").first()
    assert superuser.get(_url(model, "change", obj.pk)).status_code == 200
    expected_add = 403 if model in (BoothBooking, StaffPass, Lead) else 200
    assert superuser.get(_url(model, "add")).status_code == expected_add


def test_exhibitor_search_is_chinese_aware(superuser, world):
    response = superuser.get(_url(Exhibitor, "changelist"), {"q": "中關村"})
    assert [e.pk for e in response.context["cl"].result_list] == [world["exhibitor"].pk]


def test_tour_times_are_in_the_editions_zone(superuser, tour):
    html = superuser.get(_url(Tour, "change", tour.pk)).content.decode()
    assert 'value="10:30:00"' in html or 'value="10:30"' in html
    assert "Asia/Shanghai" in html
    listing = superuser.get(
        _url(Tour, "changelist"), {"conference__id__exact": tour.conference_id}
    ).content.decode()
    assert "10:30" in listing


def test_saving_a_tour_reads_the_local_time(superuser, tour):
    day = tour.starts_at.astimezone(tour.conference.tz).date().isoformat()
    stop = tour.stops.get()
    data = {
        "conference": tour.conference_id,
        "name": tour.name,
        "name_zh": tour.name_zh,
        "party": '[{"name": "Vice President", "name_zh": "", "title": ""}]',
        "starts_at_0": day,
        "starts_at_1": "09:15",
        "walking_speed": "50",
        "stops-TOTAL_FORMS": "1",
        "stops-INITIAL_FORMS": "1",
        "stops-0-id": stop.pk,
        "stops-0-tour": tour.pk,
        "stops-0-order": "1",
        "stops-0-booth": stop.booth_id,
        "stops-0-minutes": "10",
    }
    response = superuser.post(_url(Tour, "change", tour.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    tour.refresh_from_db()
    assert tour.starts_at == datetime(2025, 9, 16, 1, 15, tzinfo=UTC)  # 09:15 in Beijing


def test_booth_list_is_filtered_by_edition_through_the_hall(superuser, world):
    response = superuser.get(
        _url(Booth, "changelist"), {"hall__conference__id__exact": world["conference"].pk}
    )
    assert [b.code for b in response.context["cl"].result_list] == ["A01"]


def test_leads_are_read_only_and_keep_the_staff_notes_private(superuser, world):
    lead = world["lead"]
    exhibition_leads.lead_update(
        lead=lead, rating=4, notes="Wants a soft-landing desk", tags="hot", interests="life"
    )
    page = superuser.get(_url(Lead, "change", lead.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Wants a soft-landing desk" not in html
    assert 'name="rating"' not in html  # nothing to edit
    assert superuser.post(_url(Lead, "change", lead.pk), {"rating": 1}).status_code == 403
    assert superuser.get(_url(Lead, "delete", lead.pk)).status_code == 403
    lead.refresh_from_db()
    assert lead.rating == 4


def test_exhibitor_decisions_stay_with_the_services(superuser, world):
    html = superuser.get(_url(Exhibitor, "change", world["exhibitor"].pk)).content.decode()
    assert 'name="status"' not in html
    assert 'name="display_name"' in html
