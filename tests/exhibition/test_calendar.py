"""Saved booths in the visitor's private calendar feed (registration's ``agenda_feed``)."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from atrium.exhibition import leads as exhibition_leads
from tests.exhibition.factories import BoothFactory, ExhibitorFactory, booked

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor(world):
    from atrium.registration.models import Registration

    return Registration.objects.get(
        conference=world["conference"], person__user=world["users"]["visitor"]
    )


def _feed(registration) -> list:
    registration.refresh_from_db()
    url = reverse(
        "registration:agenda-feed", args=[registration.conference.slug, registration.feed_token]
    )
    response = Client().get(url)
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def test_a_saved_booth_is_in_the_feed_each_day_of_the_edition(world, visitor):
    conference = world["conference"]
    booth = world["booth"]
    exhibition_leads.booth_agenda_toggle(registration=visitor, booth=booth)
    [event] = [e for e in _feed(visitor) if str(e["uid"]).startswith("exhibition-booth-")]
    assert str(event["summary"]) == "Booth A01: Zhongguancun Science Park"
    assert str(event["location"]) == "Hall A"
    tz = conference.tz
    assert event.decoded("dtstart") == dt.datetime.combine(
        conference.start_date, booth.hall.opens_at, tzinfo=tz
    )
    assert event.decoded("dtend") == dt.datetime.combine(
        conference.start_date, booth.hall.closes_at, tzinfo=tz
    )
    days = (conference.end_date - conference.start_date).days + 1
    assert event["rrule"]["FREQ"] == ["DAILY"]
    assert event["rrule"]["COUNT"] == [days]
    assert str(event["transp"]) == "TRANSPARENT"  # never blocks a session or a meeting


def test_the_feed_is_in_the_visitors_language(world, visitor):
    exhibition_leads.booth_agenda_toggle(registration=visitor, booth=world["booth"])
    visitor.refresh_from_db()
    url = reverse("registration:agenda-feed", args=[visitor.conference.slug, visitor.feed_token])
    response = Client().get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    booth_events = [e for e in events if str(e["uid"]).startswith("exhibition-booth-")]
    assert "中关村科技园区" in str(booth_events[0]["summary"])
    assert str(booth_events[0]["location"]) == "A馆"


def test_taking_the_booth_off_the_agenda_takes_it_off_the_feed(world, visitor):
    exhibition_leads.booth_agenda_toggle(registration=visitor, booth=world["booth"])
    exhibition_leads.booth_agenda_toggle(registration=visitor, booth=world["booth"])
    assert not [e for e in _feed(visitor) if str(e["uid"]).startswith("exhibition-booth-")]


def test_a_closed_booth_is_left_out_and_another_visitors_booths_never_show(world, visitor):
    from tests.factories import RegistrationFactory

    closed = BoothFactory(hall=world["booth"].hall, code="A09", is_closed=False)
    booked(closed, ExhibitorFactory(conference=world["conference"]))
    exhibition_leads.booth_agenda_toggle(registration=visitor, booth=closed)
    closed.is_closed = True
    closed.save()
    other = RegistrationFactory(conference=world["conference"])
    exhibition_leads.booth_agenda_toggle(registration=other, booth=world["booth"])
    assert not [e for e in _feed(visitor) if str(e["uid"]).startswith("exhibition-booth-")]


def test_the_feed_reads_saved_booths_in_constant_queries(world, visitor):
    from atrium.exhibition.calendar import agenda_feed_events

    hall = world["booth"].hall
    visitor = type(visitor).objects.select_related("conference").get(pk=visitor.pk)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            agenda_feed_events(registration=visitor, host="atrium")
        return len(queries)

    for _ in range(2):
        booth = BoothFactory(hall=hall)
        booked(booth, ExhibitorFactory(conference=world["conference"]))
        exhibition_leads.booth_agenda_toggle(registration=visitor, booth=booth)
    few = count()
    for _ in range(5):
        booth = BoothFactory(hall=hall)
        booked(booth, ExhibitorFactory(conference=world["conference"]))
        exhibition_leads.booth_agenda_toggle(registration=visitor, booth=booth)
    assert count() == few
    events = agenda_feed_events(registration=visitor, host="atrium")
    assert len(events) == 7
    assert len({str(e["uid"]) for e in events}) == 7
