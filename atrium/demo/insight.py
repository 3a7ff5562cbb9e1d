"""Data for the organiser insight page: registrations spread over the months before each
demo edition (so that Beijing 2025 can be compared with Nairobi 2024), and a synthetic
edition of any size for the benchmark and the query-count tests.

``build_insight_edition(registrations=5000, checkins=20000)`` writes, with ``bulk_create``
in one transaction, an edition (and a previous one, a year earlier) whose every part of
the insight page has rows: types, registrations from many countries over 200 days, orders
in USD and CNY in every status, vouchers, sessions with seats, bookings and waiting lists,
check-ins over the three days at the entrance and the sessions, B2B requests and meetings.
The same kinds of rows at any size, so the page's query count can be compared.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery

from atrium.checkin.models import CheckIn
from atrium.events.models import Conference, Session
from atrium.matchmaking.models import Block, Meeting, MeetingRequest
from atrium.network.models import Organisation, Person
from atrium.registration.models import (
    Order,
    Registration,
    RegistrationType,
    SeatBooking,
    Voucher,
)

COUNTRIES = ["CN"] * 12 + ["US", "ES", "FR", "KE", "BR", "JP", "KR", "DE", "IT", "ZA", "IN", "AU"]
COUNTRIES += ["GB", "CA", "MX", "AR", "EG", "NG", "MA", "TR", "SA", "AE", "SG", "MY", "TH", ""]


def spread_registration_dates(conference: Conference, *, seed: int, days: int = 180) -> int:
    """Give an edition's registrations made in one go (a demo load) believable dates: over
    the ``days`` before its opening day, more of them as the opening nears, fewer at
    weekends; in the order they were made (a higher id, a later moment). Their orders get
    the same moments.

    Runs only while every registration still has the same date (the load's moment), so a
    second load, or registrations made since, are left alone. Returns the rows changed.
    """
    registrations = list(Registration.objects.filter(conference=conference).order_by("pk"))
    if len({r.created.date() for r in registrations}) != 1:
        return 0
    rng = random.Random(f"{seed}-{conference.slug}-dates")
    opening = dt.datetime.combine(conference.start_date, dt.time(9), tzinfo=conference.tz)
    moments = []
    for _registration in registrations:
        before = days * (1 - rng.random() ** 0.6)
        moment = opening - dt.timedelta(days=before)
        if moment.weekday() >= 5 and rng.random() < 0.6:
            moment -= dt.timedelta(days=moment.weekday() - 4)
        moments.append(moment.replace(microsecond=0))
    moments.sort()
    previous = None
    for registration, moment in zip(registrations, moments, strict=True):
        # One second apart at least, so that "newest first" keeps the load's order.
        if previous is not None:
            moment = max(moment, previous + dt.timedelta(seconds=1))
        registration.created = previous = moment
    Registration.objects.bulk_update(registrations, ["created"], batch_size=500)
    Order.objects.filter(conference=conference).update(
        created=Subquery(
            Registration.objects.filter(pk=OuterRef("registration_id")).values("created")[:1]
        )
    )
    return len(registrations)


def _conference(slug: str, number: int, start: dt.date) -> Conference:
    host = Organisation.objects.create(
        name=f"{slug} host", slug=f"{slug}-host", kind="science_park", country="CN"
    )
    return Conference.objects.create(
        slug=slug,
        number=number,
        name=f"{slug} edition",
        host=host,
        city="Beijing",
        country="CN",
        time_zone="Asia/Shanghai",
        start_date=start,
        end_date=start + dt.timedelta(days=2),
    )


def _people(slug: str, count: int, rng: random.Random) -> list[Person]:
    return Person.objects.bulk_create(
        [
            Person(
                name=f"Synthetic {slug} {i}",
                slug=f"{slug}-person-{i}",
                country=rng.choice(COUNTRIES),
                email=f"{slug}-{i}@example.com",
                is_synthetic=True,
            )
            for i in range(count)
        ],
        batch_size=1000,
    )


def _registrations(conference, people, types, rng, *, days: int = 200) -> list[Registration]:
    opening = dt.datetime.combine(conference.start_date, dt.time(9), tzinfo=conference.tz)
    statuses = ["confirmed"] * 17 + ["pending", "pending", "cancelled"]
    made = Registration.objects.bulk_create(
        [
            Registration(
                conference=conference,
                person=person,
                type=rng.choice(types),
                status=rng.choice(statuses),
            )
            for person in people
        ],
        batch_size=1000,
    )
    groups: dict[dt.datetime, list[int]] = {}
    for registration in made:
        moment = opening - dt.timedelta(days=int(days * (1 - rng.random() ** 0.6)))
        groups.setdefault(moment, []).append(registration.pk)
    for moment, pks in groups.items():
        Registration.objects.filter(pk__in=pks).update(created=moment)
    return made


@transaction.atomic
def build_insight_edition(
    *, registrations: int = 5000, checkins: int = 20000, slug: str = "insight", seed: int = 7
) -> Conference:
    """An edition with ``registrations`` registrations and ``checkins`` check-ins (and a
    previous edition a year earlier, with as many registrations), for the insight page."""
    rng = random.Random(seed)
    start = dt.date(2025, 9, 16)
    previous = _conference(f"{slug}-previous", 9000 + seed % 500, start - dt.timedelta(days=371))
    conference = _conference(slug, 9500 + seed % 500, start)
    types = [
        RegistrationType.objects.create(
            conference=conference, code=f"t{i}", name=f"Type {i}", position=i, is_free=True
        )
        for i in range(5)
    ]
    voucher = Voucher.objects.create(
        conference=conference, code="BENCH", kind=Voucher.Kind.PERCENT, percent=20, max_uses=10**6
    )
    _registrations(previous, _people(f"{slug}-prev", registrations, rng), [None], rng)
    made = _registrations(conference, _people(slug, registrations, rng), types, rng)
    with_voucher = [r.pk for r in made[::10]]
    Registration.objects.filter(pk__in=with_voucher).update(voucher=voucher)
    Voucher.objects.filter(pk=voucher.pk).update(used=len(with_voucher))
    order_statuses = {
        "confirmed": [Order.Status.PAID] * 8 + [Order.Status.FREE, Order.Status.REFUNDED],
        "pending": [Order.Status.PENDING],
        "cancelled": [Order.Status.CANCELLED],
    }
    orders = []
    for registration in made:
        currency = rng.choice(["USD", "CNY"])
        price = Decimal(800 if currency == "USD" else 5800)
        status = rng.choice(order_statuses[registration.status])
        total = Decimal(0) if status == Order.Status.FREE else price
        orders.append(
            Order(
                conference=conference,
                registration=registration,
                reference=f"{slug[:6].upper()}-{registration.pk}",
                currency=currency,
                list_price=price,
                total=total,
                status=status,
                refund_amount=price / 2 if status == Order.Status.REFUNDED else Decimal(0),
            )
        )
    Order.objects.bulk_create(orders, batch_size=1000)

    opening = dt.datetime.combine(start, dt.time(9), tzinfo=conference.tz)
    sessions = Session.objects.bulk_create(
        [
            Session(
                conference=conference,
                kind=Session.Kind.TECHNICAL_VISIT,
                title=f"Visit {i}",
                start=opening + dt.timedelta(days=i % 3, hours=i % 8),
                end=opening + dt.timedelta(days=i % 3, hours=i % 8 + 2),
                seats=max(10, registrations // 100),
            )
            for i in range(20)
        ]
    )
    confirmed = [r for r in made if r.status == "confirmed"]
    bookings = []
    for session in sessions:
        chosen = rng.sample(confirmed, min(len(confirmed), session.seats + 5))
        for i, registration in enumerate(chosen):
            status = "confirmed" if i < session.seats else "waitlisted"
            bookings.append(SeatBooking(session=session, registration=registration, status=status))
    SeatBooking.objects.bulk_create(bookings, batch_size=1000)
    points = [None, None, None, *sessions]
    CheckIn.objects.bulk_create(
        [
            CheckIn(
                conference=conference,
                registration=rng.choice(confirmed),
                session=rng.choice(points),
                client_id=uuid.uuid4(),
                created=opening + dt.timedelta(days=rng.randrange(3), minutes=rng.randrange(600)),
            )
            for _i in range(checkins)
        ],
        batch_size=1000,
    )

    b2b = Session.objects.create(
        conference=conference,
        kind=Session.Kind.BILATERAL_MEETING,
        title="B2B",
        start=opening + dt.timedelta(hours=5),
        end=opening + dt.timedelta(hours=8),
    )
    block = Block.objects.create(session=b2b, slot_minutes=30, table_count=20)
    pairs = list(zip(confirmed[::2], confirmed[1::2], strict=False))[: registrations // 10]
    requests = MeetingRequest.objects.bulk_create(
        [
            MeetingRequest(
                conference=conference,
                requester=a,
                recipient=b,
                status=rng.choice(["accepted", "accepted", "pending", "declined"]),
            )
            for a, b in pairs
        ],
        batch_size=1000,
    )
    Meeting.objects.bulk_create(
        [
            Meeting(conference=conference, request=request, block=block if i % 2 else None)
            for i, request in enumerate(r for r in requests if r.status == "accepted")
        ],
        batch_size=1000,
    )
    return conference
