"""Receipts and certificates in the demo: receipt numbers for the paid orders, and check-ins
(entrance and sessions) so that certificates of attendance can be downloaded.

The demo's orders are written in bulk, not through ``payment_confirm``; their receipt
numbers come from the same backfill an operator would run. Check-ins are deterministic:
each has a client id derived from the person and the place, so loading again adds nothing
twice.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from atrium.checkin.models import CheckIn
from atrium.demo.registration import CHECKIN_LOGIN
from atrium.events.models import Conference, Session
from atrium.registration.models import Registration, SeatBooking
from atrium.registration.receipts import receipt_numbers_backfill

NAMESPACE = uuid.UUID("5d0c8a52-1f7e-4f7a-9f57-6a9f3f3c2b11")
#: Checked in on every day and at the opening: the demo logins' people and a few more.
REGULARS = ("cecile-harle", "ma-jun")
OTHERS = 60  # confirmed registrations checked in at the entrance and at their booked sessions


def _client_id(*parts) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def ensure_papers_demo(conference: Conference, *, seed: int) -> dict[str, int]:
    created = {"receipts": receipt_numbers_backfill(conference=conference)}
    created["checkins"] = _ensure_checkins(conference, seed)
    return created


def _ensure_checkins(conference: Conference, seed: int) -> int:
    rng = random.Random(f"{seed}-beijing-checkins")
    staff = get_user_model().objects.filter(username=CHECKIN_LOGIN).first()
    confirmed = conference.registrations.filter(status=Registration.Status.CONFIRMED)
    opening = (
        conference.sessions.filter(kind=Session.Kind.OPENING_CEREMONY).order_by("start").first()
    )
    checkins: list[CheckIn] = []

    def add(registration: Registration, session: Session | None, at: dt.datetime, day: int):
        where = session.pk if session else f"entrance-{day}"
        checkins.append(
            CheckIn(
                conference=conference,
                registration=registration,
                session=session,
                client_id=_client_id(conference.slug, registration.person.slug, where),
                actor=staff,
                created=at,
            )
        )

    def entrance(registration: Registration, day: int):
        start = dt.datetime.combine(
            conference.start_date + dt.timedelta(days=day), dt.time(8, 0), tzinfo=conference.tz
        )
        add(registration, None, start + dt.timedelta(minutes=rng.randint(0, 75)), day)

    regulars = confirmed.filter(person__slug__in=REGULARS).select_related("person")
    for registration in regulars.order_by("pk"):
        for day in range(len(conference.days)):
            entrance(registration, day)
        if opening is not None:
            add(registration, opening, opening.start - dt.timedelta(minutes=10), 0)

    seated = SeatBooking.objects.filter(status=SeatBooking.Status.CONFIRMED)
    others = list(
        confirmed.exclude(person__slug__in=REGULARS)
        .filter(pk__in=seated.values("registration"))
        .select_related("person")
        .prefetch_related(
            Prefetch("bookings", queryset=seated.select_related("session"), to_attr="seats")
        )
        .order_by("pk")
    )
    for registration in rng.sample(others, min(OTHERS, len(others))):
        entrance(registration, 0)
        for booking in registration.seats:
            session = booking.session
            if rng.random() < 0.85:  # a few did not turn up
                minutes = rng.randint(2, 15)
                add(registration, session, session.start - dt.timedelta(minutes=minutes), 0)

    before = CheckIn.objects.filter(conference=conference).count()
    CheckIn.objects.bulk_create(checkins, batch_size=500, ignore_conflicts=True)
    return CheckIn.objects.filter(conference=conference).count() - before
