"""No quota is oversold, whatever the concurrency: parallel threads, separate connections."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from atrium.registration import seats, selectors, services
from atrium.registration.models import Registration, SeatBooking
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
    SessionFactory,
)

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
    ),
]


def run_together(functions):
    """Start every function at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            results[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_sixty_concurrent_sign_ups_for_a_ten_seat_visit():
    conference = ConferenceFactory()
    visit = SessionFactory(conference=conference, kind="technical_visit", seats=10, room=None)
    registrations = [RegistrationFactory(conference=conference) for _i in range(60)]

    results = run_together(
        [lambda r=r: seats.seat_signup(registration=r, session=visit) for r in registrations]
    )

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    bookings = SeatBooking.objects.filter(session=visit)
    assert bookings.count() == 60
    assert bookings.filter(status="confirmed").count() == 10
    waiting = list(bookings.filter(status="waitlisted").order_by("created", "id"))
    assert len(waiting) == 50
    # A consistent order: positions 1..50, every confirmed booking got its lock
    # before every waitlisted one.
    assert [selectors.waitlist_position(b) for b in waiting] == list(range(1, 51))
    last_confirmed = bookings.filter(status="confirmed").order_by("-created").first()
    assert last_confirmed.created <= waiting[0].created


def test_cancellations_racing_promotions_neither_lose_nor_double_a_seat():
    conference = ConferenceFactory()
    visit = SessionFactory(conference=conference, kind="technical_visit", seats=10, room=None)
    bookings = [
        seats.seat_signup(registration=RegistrationFactory(conference=conference), session=visit)
        for _i in range(30)
    ]
    seated = [b for b in bookings if b.status == "confirmed"]
    waiting = [b for b in bookings if b.status == "waitlisted"]
    visit.seats = 14  # four more seats: quota_fill races the cancellations
    visit.save()

    work = [lambda b=b: seats.seat_cancel(booking=b) for b in seated[:6]]
    work += [lambda: seats.quota_fill(session=visit) for _i in range(4)]
    work += [lambda b=b: seats.seat_cancel(booking=b) for b in waiting[-3:]]
    results = run_together(work)

    assert [r for r in results if isinstance(r, BaseException)] == []
    confirmed = SeatBooking.objects.filter(session=visit, status="confirmed")
    still_waiting = SeatBooking.objects.filter(session=visit, status="waitlisted")
    # 30 signed up, 9 cancelled: 21 left, 14 seats, so exactly 14 seated and 7 waiting.
    assert confirmed.count() == 14
    assert still_waiting.count() == 7
    # The seats went to the head of the waiting list, in order.
    promoted = set(confirmed.values_list("pk", flat=True)) - {b.pk for b in seated}
    assert promoted == {b.pk for b in waiting[:10]}


def test_concurrent_registrations_never_exceed_a_type_capacity_or_a_voucher():
    conference = ConferenceFactory()
    RegistrationPolicyFactory(conference=conference)
    rtype = RegistrationTypeFactory(conference=conference, capacity=5, price_usd=Decimal(100))
    people = [PersonFactory() for _i in range(30)]

    results = run_together(
        [
            lambda p=p: services.registration_submit(conference=conference, person=p, rtype=rtype)
            for p in people
        ]
    )

    created = [r for r in results if isinstance(r, Registration)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(created) == 5
    assert len(refused) == 25
    assert all("fully booked" in e.message_dict["type"][0] for e in refused)
    assert Registration.objects.filter(type=rtype).count() == 5


def test_double_submit_of_one_person_creates_one_registration():
    conference = ConferenceFactory()
    RegistrationPolicyFactory(conference=conference)
    rtype = RegistrationTypeFactory(conference=conference)
    person = PersonFactory()

    results = run_together(
        [
            lambda: services.registration_submit(conference=conference, person=person, rtype=rtype)
            for _i in range(8)
        ]
    )

    assert sum(isinstance(r, Registration) for r in results) == 1
    assert sum(isinstance(r, services.AlreadyRegistered) for r in results) == 7
    assert Registration.objects.filter(person=person).count() == 1
