"""Windows that close: registration when the edition ends, a seat sign-up when the session
starts, meeting requests when the last B2B block starts.

The story of issue 13: 15 months after the edition, registration took 7,500 CNY and booked a
seat on a technical visit. Each test puts the clock 15 months after the edition's last day
(the tests' clock is frozen before the editions otherwise: tests/conftest.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from atrium.matchmaking import services as b2b
from atrium.matchmaking.models import MeetingRequest
from atrium.registration import seats, services
from atrium.registration.models import Order, Registration, SeatBooking
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
    SessionFactory,
    UserFactory,
    local,
)
from tests.matchmaking.factories_web import BlockFactory, delegate

pytestmark = pytest.mark.django_db

FIFTEEN_MONTHS_LATER = "2026-12-18 10:00:00"  # the edition ran 16-18 September 2025


@pytest.fixture
def conference():
    conference = ConferenceFactory(slug="beijing-2025", name="Beijing 2025")
    RegistrationPolicyFactory(conference=conference)  # no closes_at
    return conference


@pytest.fixture
def visit_type(conference):
    return RegistrationTypeFactory(
        conference=conference, price_cny=Decimal("7500"), price_usd=Decimal("1000")
    )


def test_registration_closes_when_the_edition_ends_without_closes_at(conference, visit_type, clock):
    assert conference.registration_policy.closes_at is None
    clock.move_to(FIFTEEN_MONTHS_LATER)
    with pytest.raises(ValidationError) as error:
        services.registration_submit(
            conference=conference, person=PersonFactory(), rtype=visit_type, currency="CNY"
        )
    assert "Beijing 2025 has ended: registration is closed." in error.value.messages
    assert not Registration.objects.exists() and not Order.objects.exists()
    assert not conference.registration_policy.is_open()


def test_organisers_cannot_register_anyone_after_the_end_either(conference, visit_type, clock):
    clock.move_to(FIFTEEN_MONTHS_LATER)
    with pytest.raises(ValidationError, match="has ended"):
        services.registration_submit(
            conference=conference, person=PersonFactory(), rtype=visit_type, by_organiser=True
        )


def test_registration_is_open_on_the_last_day_and_closed_at_midnight(conference, visit_type, clock):
    clock.move_to("2025-09-18 15:59:00")  # 23:59 in Beijing on the last day
    assert conference.registration_policy.is_open()
    clock.move_to("2025-09-18 16:00:00")  # midnight in Beijing
    assert not conference.registration_policy.is_open()


def test_register_page_says_the_edition_ended_and_links_the_next_one(
    client, conference, visit_type, clock
):
    later = ConferenceFactory(
        slug="shenzhen-2026",
        name="Shenzhen 2026",
        start_date=date(2026, 9, 1),
        end_date=date(2026, 9, 3),
    )
    ConferenceFactory(  # a later edition that is not published is not linked
        slug="secret-2027",
        start_date=date(2027, 9, 1),
        end_date=date(2027, 9, 3),
        is_published=False,
    )
    clock.move_to(FIFTEEN_MONTHS_LATER)
    client.force_login(UserFactory())
    url = reverse("registration:register", args=[conference.slug])
    page = client.get(url).content.decode()
    assert "Beijing 2025 has ended: registration is closed." in page
    assert later.get_absolute_url() in page and "Shenzhen 2026" in page
    assert "secret-2027" not in page
    assert 'name="type"' not in page  # no form
    client.post(url, {"type": visit_type.pk, "currency": "CNY", "name": "X", "country": "FR"})
    assert not Registration.objects.exists()
    home = client.get(conference.get_absolute_url()).content.decode()
    assert "Beijing 2025 has ended." in home and later.get_absolute_url() in home


def test_seat_sign_up_closes_when_the_session_starts(conference, clock):
    visit = SessionFactory(
        conference=conference,
        kind="technical_visit",
        seats=30,
        title="Huairou visit",
        start=local(conference, 1, 8, 30),
        end=local(conference, 1, 12, 30),
        room=None,
    )
    registration = RegistrationFactory(conference=conference)
    clock.move_to(visit.start - timedelta(minutes=1))
    assert seats.seat_signup(registration=registration, session=visit).status == "confirmed"
    other = RegistrationFactory(conference=conference)
    clock.move_to(visit.start)
    with pytest.raises(ValidationError) as error:
        seats.seat_signup(registration=other, session=visit)
    assert "Sign-ups for Huairou visit closed when it started." in error.value.messages
    clock.move_to(FIFTEEN_MONTHS_LATER)
    with pytest.raises(ValidationError, match="closed when it started"):
        seats.seat_signup(registration=other, session=visit)
    assert not SeatBooking.objects.filter(registration=other).exists()


def test_meeting_requests_close_when_the_last_block_starts(conference, clock):
    first = BlockFactory(session__conference=conference)
    last = BlockFactory(
        session__conference=conference,
        session__start=local(conference, 2, 14),
        session__end=local(conference, 2, 16),
    )
    BlockFactory(  # an inactive block later still does not keep requests open
        session__conference=conference,
        session__start=local(conference, 2, 17),
        session__end=local(conference, 2, 18),
        is_active=False,
    )
    assert b2b.requests_close_at(conference) == last.session.start > first.session.start
    a, b, c = delegate(conference), delegate(conference), delegate(conference)
    clock.move_to(last.session.start - timedelta(minutes=1))
    b2b.request_create(requester=a, recipient=b)
    clock.move_to(last.session.start)
    with pytest.raises(ValidationError, match="closed when the last B2B meeting block"):
        b2b.request_create(requester=a, recipient=c)
    assert MeetingRequest.objects.count() == 1


def test_without_blocks_meeting_requests_close_when_the_edition_ends(conference, clock):
    a, b = delegate(conference), delegate(conference)
    assert b2b.requests_close_at(conference) == conference.ends_at
    clock.move_to(FIFTEEN_MONTHS_LATER)
    with pytest.raises(ValidationError, match="closed"):
        b2b.request_create(requester=a, recipient=b)
    assert not MeetingRequest.objects.exists()


def test_the_sign_up_page_offers_no_button_once_a_session_started(client, conference, clock):
    visit = SessionFactory(
        conference=conference,
        kind="technical_visit",
        seats=30,
        title="Huairou visit",
        start=local(conference, 1, 8, 30),
        end=local(conference, 1, 12, 30),
        room=None,
    )
    user = UserFactory()
    RegistrationFactory(conference=conference, person=PersonFactory(user=user))
    signup_url = reverse("registration:seat-signup", args=[conference.slug, visit.pk])
    page_url = reverse("registration:signups", args=[conference.slug])
    clock.move_to(visit.start - timedelta(hours=1))
    client.force_login(user)
    assert signup_url in client.get(page_url).content.decode()
    clock.move_to(visit.start + timedelta(minutes=5))
    page = client.get(page_url).content.decode()
    assert signup_url not in page and "Sign-ups closed when it started" in page
