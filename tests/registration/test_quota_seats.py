"""Organisers change a session's number of seats on the quota page; the waiting list moves
up into new seats at once, and fewer seats than are taken are refused."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from atrium.core.models import AuditEntry
from atrium.events.permissions import Role
from atrium.registration import seats
from atrium.registration.models import SeatBooking
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationPolicyFactory,
    SessionFactory,
)
from tests.registration.factories_organiser import ConferenceRoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    conference = ConferenceFactory(slug="beijing")
    RegistrationPolicyFactory(conference=conference)
    return conference


@pytest.fixture
def orga(client, conference):
    client.force_login(ConferenceRoleFactory(conference=conference, role=Role.ORGANISER).user)
    return client


@pytest.fixture
def visit(conference):
    """Two seats taken (Ana, Ben), then Chen, Dara and Eve waiting, in that order."""
    visit = SessionFactory(
        conference=conference, kind="technical_visit", seats=2, room=None, title="Huairou visit"
    )
    for name in ("Ana", "Ben", "Chen", "Dara", "Eve"):
        registration = RegistrationFactory(conference=conference, person=PersonFactory(name=name))
        seats.seat_signup(registration=registration, session=visit)
    return visit


def statuses(visit):
    return dict(
        SeatBooking.objects.filter(session=visit).values_list(
            "registration__person__name", "status"
        )
    )


def test_more_seats_move_the_waiting_list_up_at_once(visit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        promoted = seats.session_seats_set(session=visit, seats=4, actor=None)
    assert [b.registration.person.name for b in promoted] == ["Chen", "Dara"]
    visit.refresh_from_db()
    assert visit.seats == 4
    assert statuses(visit) == {
        "Ana": "confirmed",
        "Ben": "confirmed",
        "Chen": "confirmed",
        "Dara": "confirmed",
        "Eve": "waitlisted",
    }
    assert len(mail.outbox) == 2
    entry = AuditEntry.objects.get(action="seat.quota_changed")
    assert entry.data == {"before": 2, "after": 4}


def test_fewer_seats_than_taken_are_refused(visit):
    with pytest.raises(ValidationError) as error:
        seats.session_seats_set(session=visit, seats=1, actor=None)
    assert error.value.message_dict["seats"] == [
        "2 seats are taken: the session cannot have fewer. Remove people from the list first."
    ]
    visit.refresh_from_db()
    assert visit.seats == 2
    assert not AuditEntry.objects.filter(action="seat.quota_changed").exists()


def test_as_many_seats_as_taken_is_fine(visit):
    seats.session_seats_set(session=visit, seats=3, actor=None)
    assert seats.session_seats_set(session=visit, seats=3, actor=None) == []
    visit.refresh_from_db()
    assert visit.seats == 3


def test_the_quota_page_changes_the_seats(orga, conference, visit):
    page = orga.get(reverse("organiser:quota", args=[conference.slug, visit.pk]))
    assert 'name="seats"' in page.content.decode()
    response = orga.post(
        reverse("organiser:seats", args=[conference.slug, visit.pk]), {"seats": "3"}
    )
    assert response.status_code == 302
    page = orga.get(response["Location"]).content.decode()
    assert "The session has 3 seats now." in page
    assert "Moved up from the waiting list: Chen." in page
    assert statuses(visit)["Chen"] == "confirmed"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1", "2 seats are taken: the session cannot have fewer."),
        ("0", "Ensure this value is greater than or equal to 1."),
        ("many", "Enter a whole number."),
    ],
)
def test_the_quota_page_refuses_bad_numbers_next_to_the_field(
    orga, conference, visit, value, message
):
    response = orga.post(
        reverse("organiser:seats", args=[conference.slug, visit.pk]), {"seats": value}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'href="#id_seats"' in html  # the error summary links the field
    visit.refresh_from_db()
    assert visit.seats == 2


def test_the_quota_list_no_longer_sends_organisers_to_the_admin(orga, conference, visit):
    html = orga.get(reverse("organiser:quotas", args=[conference.slug])).content.decode()
    assert "in the admin" not in html
