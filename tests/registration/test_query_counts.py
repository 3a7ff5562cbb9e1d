"""Queries of the requests a rush is made of: the registration form and its submission, the
sign-ups page and the seat sign-up (bench/registration_rush.py serves them to 200 at once).

The counts are exact, so that a query added to any of them shows here and is a decision.
Transaction control (BEGIN, COMMIT, savepoints) is left out: SQLite and PostgreSQL issue
it differently, the other statements are the same on both. Work queued for after the
commit (the e-mail) runs inside the count.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from atrium.events.models import Session
from atrium.registration.models import Question, Registration, SeatBooking
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    QuestionFactory,
    RegistrationFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
    SeatBookingFactory,
    SessionFactory,
    UserFactory,
    local,
)

pytestmark = pytest.mark.django_db

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


class Statements:
    """The SQL statements run inside the block, transaction control left out."""

    def __init__(self):
        self.sql: list[str] = []

    def __len__(self) -> int:
        return len(self.sql)

    def __repr__(self) -> str:  # shown by a failed assertion
        return "\n".join(f"{i:3}  {sql[:160]}" for i, sql in enumerate(self.sql, 1))


@pytest.fixture
def statements(django_capture_on_commit_callbacks):
    from contextlib import contextmanager

    # The content types are read once per process (the audit entries use them).
    ContentType.objects.get_for_models(Registration, SeatBooking)

    @contextmanager
    def capture():
        found = Statements()
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            yield found
        found.sql = [
            q["sql"]
            for q in queries.captured_queries
            if not q["sql"].startswith(TRANSACTION_CONTROL)
        ]

    return capture


@pytest.fixture
def conference():
    conference = ConferenceFactory(slug="rush")
    RegistrationPolicyFactory(conference=conference)
    return conference


def delegate(client):
    """A logged-in account with its person and organisation."""
    user = UserFactory()
    PersonFactory(user=user, name="Someone", email=user.email, country="CN")
    client.force_login(user)
    return user


# --- registration -------------------------------------------------------------------------


@pytest.fixture
def limited(conference):
    """The rush's registration: a paid type with few places and one required question."""
    rtype = RegistrationTypeFactory(conference=conference, name="Student", capacity=2)
    RegistrationTypeFactory(conference=conference, name="Delegate", price_usd=0, price_cny=0)
    question = QuestionFactory(
        conference=conference,
        label="Dietary needs",
        kind=Question.Kind.CHOICE,
        options="None|无\nVegetarian|素食",
        required=True,
    )
    return rtype, question


def registration_form(user, rtype, question) -> dict:
    return {
        "organisation": user.person.organisation_id,
        "type": rtype.pk,
        "currency": "USD",
        "name": "Student Zhang",
        "country": "CN",
        f"q_{question.pk}": "Vegetarian",
        "consent_directory": "on",
    }


def test_registration_form(client, conference, limited, statements):
    delegate(client)
    with statements() as run:
        response = client.get(reverse("registration:register", args=[conference.slug]))
    assert response.status_code == 200
    # session, user, edition, person, registration, policy, questions, their types, the
    # types on sale with places taken, the organiser role (navigation), the organisation
    assert len(run) == 11, run


def test_registration_submitted(client, conference, limited, statements):
    rtype, question = limited
    user = delegate(client)
    with statements() as run:
        response = client.post(
            reverse("registration:register", args=[conference.slug]),
            registration_form(user, rtype, question),
        )
    assert response.status_code == 302 and "/pay/" in response["Location"]
    assert Registration.objects.filter(type=rtype).count() == 1
    # The view: session, user, edition, person, registration, policy, questions, their
    # types, the types on sale (the choice is checked among them), the organisation. The
    # service, before the lock: registration, the person's new name, the order's reference;
    # under the type's lock: the lock, the places taken, the registration, the order, the
    # answer, the audit entry. After the commit: one UPDATE that renews the programme's
    # revision where this person speaks or chairs (none here; events' receiver of a saved
    # person, so that exports never show an old name).
    assert len(run) == 20, run


def test_registration_refused_when_full(client, conference, limited, statements):
    rtype, question = limited
    RegistrationFactory.create_batch(2, conference=conference, type=rtype)
    user = delegate(client)
    with statements() as run:
        response = client.post(
            reverse("registration:register", args=[conference.slug]),
            registration_form(user, rtype, question),
        )
    assert response.status_code == 200 and b"Student is fully booked." in response.content
    # As submitted up to the places taken; then the form again (the types and the
    # organisation as read for the check), with the organiser role.
    assert len(run) == 16, run


# --- seat sign-up ---------------------------------------------------------------------------


def visit(conference, seats=1, hour=9) -> Session:
    return SessionFactory(
        conference=conference,
        kind=Session.Kind.TECHNICAL_VISIT,
        seats=seats,
        start=local(conference, 1, hour),
        end=local(conference, 1, hour + 1),
        is_public=True,
    )


def confirmed_delegate(client, conference) -> Registration:
    user = delegate(client)
    return RegistrationFactory(conference=conference, person=user.person)


@pytest.mark.parametrize("seats_taken", [0, 1], ids=["seat", "waiting list"])
def test_seat_signup(client, conference, statements, seats_taken):
    session = visit(conference, seats=1)
    SeatBookingFactory.create_batch(seats_taken, session=session)
    registration = confirmed_delegate(client, conference)
    with statements() as run:
        response = client.post(
            reverse("registration:seat-signup", args=[conference.slug, session.pk])
        )
    assert response.status_code == 302
    booking = SeatBooking.objects.get(registration=registration)
    assert booking.status == ("confirmed" if not seats_taken else "waitlisted")
    # session, user, edition, the session, registration; under the session's lock: the
    # lock, my bookings (this one, overlapping ones), seats taken and people waiting, the
    # booking, the audit entry.
    assert len(run) == 10, run


def signups_page(client, conference) -> tuple[int, bytes]:
    return client.get(reverse("registration:signups", args=[conference.slug]))


def test_signups_page_does_not_grow_with_the_sessions(client, conference, statements):
    """One session or four, each with my place on its waiting list: the same queries."""
    registration = confirmed_delegate(client, conference)

    def add_visit(hour):
        session = visit(conference, seats=1, hour=hour)
        SeatBookingFactory(session=session)
        SeatBookingFactory(session=session, registration=registration, status="waitlisted")

    add_visit(9)
    with statements() as one:
        response = signups_page(client, conference)
    assert b"You are number 1 on the waiting list" in response.content
    for hour in (11, 13, 15):
        add_visit(hour)
    with statements() as four:
        response = signups_page(client, conference)
    assert response.content.count(b"You are number 1 on the waiting list") == 4
    # session, user, edition, the sessions with seats taken, registration, my bookings
    # with their places, the organiser role (navigation)
    assert len(one) == len(four) == 7, four
