"""Known data for the insight tests, and a small reader of the page's HTML.

The edition (Beijing, Asia/Shanghai, 16–18 September 2025) and its predecessor (Nairobi,
Africa/Nairobi, 10–12 September 2024) get registrations, orders, check-ins, seats and B2B
meetings whose figures are worked out by hand in ``tests/insight/test_insight.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from django.utils import timezone

from atrium.checkin.models import CheckIn
from atrium.events.models import Session
from atrium.matchmaking.models import Block, Meeting, MeetingRequest
from atrium.registration.models import Order, Registration, SeatBooking, Voucher
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationTypeFactory,
    SessionFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NAIROBI = ZoneInfo("Africa/Nairobi")


def at(year, month, day, hour=0, minute=0, tz=SHANGHAI) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=tz)


def register(conference, *, rtype=None, country="CN", status="confirmed", created, **kwargs):
    registration = RegistrationFactory(
        conference=conference,
        person=PersonFactory(country=country),
        type=rtype,
        status=status,
        **kwargs,
    )
    Registration.objects.filter(pk=registration.pk).update(created=created)
    return registration


def order(registration, *, currency, total, list_price=None, status, refund=0, created=None):
    made = Order.objects.create(
        conference=registration.conference,
        registration=registration,
        reference=f"T-{uuid.uuid4().hex[:8]}",
        currency=currency,
        list_price=Decimal(list_price if list_price is not None else total),
        total=Decimal(total),
        status=status,
        refund_amount=Decimal(refund),
    )
    if created is not None:
        Order.objects.filter(pk=made.pk).update(created=created)
    return made


def check_in(registration, when, session=None):
    return CheckIn.objects.create(
        conference=registration.conference,
        registration=registration,
        session=session,
        client_id=uuid.uuid4(),
        created=when,
    )


def build_edition() -> dict:
    """The known data; returns the objects the tests need."""
    previous = ConferenceFactory(
        slug="nairobi",
        name="41st World Conference",
        city="Nairobi",
        time_zone="Africa/Nairobi",
        start_date=dt.date(2024, 9, 10),
        end_date=dt.date(2024, 9, 12),
    )
    conference = ConferenceFactory(
        slug="beijing",
        name="42nd World Conference",
        name_zh="第42届世界大会",
        start_date=dt.date(2025, 9, 16),
        end_date=dt.date(2025, 9, 18),
    )
    delegate = RegistrationTypeFactory(
        conference=conference, name="Delegate", name_zh="代表", position=0
    )
    press = RegistrationTypeFactory(
        conference=conference, name="Press", name_zh="媒体", position=1, requires_approval=True
    )
    voucher = Voucher.objects.create(
        conference=conference, code="HALF", kind=Voucher.Kind.PERCENT, percent=20, max_uses=10
    )
    Voucher.objects.filter(pk=voucher.pk).update(used=2)
    r = {}
    # 2025-09-02 07:00 in Beijing is still 1 September in UTC: days are the edition's.
    r[1] = register(conference, rtype=delegate, created=at(2025, 9, 1, 10))
    r[2] = register(conference, rtype=delegate, created=at(2025, 9, 2, 7))
    r[3] = register(
        conference,
        rtype=press,
        status="pending",
        approval=Registration.Approval.PENDING,
        created=at(2025, 9, 2, 7, 30),
    )
    r[4] = register(conference, rtype=delegate, country="ES", created=at(2025, 9, 9, 12))
    r[5] = register(
        conference, rtype=delegate, country="ES", status="cancelled", created=at(2025, 9, 9, 13)
    )
    r[6] = register(conference, rtype=press, country="KE", created=at(2025, 9, 16, 9))
    r[7] = register(conference, rtype=delegate, country="", created=at(2025, 9, 10, 9))
    Registration.objects.filter(pk__in=[r[6].pk, r[7].pk]).update(voucher=voucher)
    for created in (at(2024, 8, 27, 10, tz=NAIROBI), at(2024, 9, 3, 10, tz=NAIROBI)):
        register(previous, country="KE", created=created)
    register(previous, country="ZA", created=at(2024, 9, 10, 10, tz=NAIROBI))

    now = timezone.now()
    order(r[1], currency="USD", total=800, status=Order.Status.PAID)
    order(r[2], currency="CNY", total=5800, status=Order.Status.PAID)
    order(r[3], currency="CNY", total=0, status=Order.Status.FREE)
    order(
        r[4],
        currency="USD",
        total=900,
        status=Order.Status.PENDING,
        created=now - dt.timedelta(days=20),
    )
    order(r[5], currency="USD", total=800, status=Order.Status.REFUNDED, refund=400)
    order(r[6], currency="CNY", total=4640, list_price=5800, status=Order.Status.PENDING)
    order(r[7], currency="USD", total=640, list_price=800, status=Order.Status.PAID)

    visit = SessionFactory(
        conference=conference,
        kind=Session.Kind.TECHNICAL_VISIT,
        title="Visit to Zhongguancun",
        title_zh="参观中关村",
        seats=2,
        start=at(2025, 9, 17, 10),
        end=at(2025, 9, 17, 12),
        room=None,
    )
    SeatBooking.objects.create(session=visit, registration=r[1], status="confirmed")
    SeatBooking.objects.create(session=visit, registration=r[4], status="confirmed")
    SeatBooking.objects.create(session=visit, registration=r[2], status="waitlisted")

    check_in(r[1], at(2025, 9, 17, 8, 10))
    check_in(r[1], at(2025, 9, 17, 13, 0))
    check_in(r[2], at(2025, 9, 17, 8, 40))
    check_in(r[4], at(2025, 9, 17, 10, 5), session=visit)
    check_in(r[6], at(2025, 9, 16, 9, 0))

    b2b = SessionFactory(
        conference=conference,
        kind=Session.Kind.BILATERAL_MEETING,
        title="B2B morning",
        start=at(2025, 9, 17, 9),
        end=at(2025, 9, 17, 12),
        room=None,
    )
    block = Block.objects.create(session=b2b, slot_minutes=30, table_count=4)
    pairs = [(1, 2, "accepted"), (1, 4, "accepted"), (2, 4, "accepted"), (4, 7, "pending")]
    pairs += [(6, 7, "declined")]
    requests = [
        MeetingRequest.objects.create(
            conference=conference, requester=r[a], recipient=r[b], status=status
        )
        for a, b, status in pairs
    ]
    Meeting.objects.create(
        conference=conference,
        request=requests[0],
        block=block,
        start=at(2025, 9, 17, 9),
        end=at(2025, 9, 17, 9, 30),
        table=1,
        published_at=now,
    )
    Meeting.objects.create(conference=conference, request=requests[1], block=block)
    Meeting.objects.create(conference=conference, request=requests[2])
    return {
        "conference": conference,
        "previous": previous,
        "registrations": r,
        "visit": visit,
        "block": block,
        "types": (delegate, press),
    }


class PageReader(HTMLParser):
    """Texts of ``data-figure`` elements and cells of ``data-table`` tables."""

    def __init__(self):
        super().__init__()
        self.figures: dict[str, str] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self._figure_stack: list[tuple[str | None, list[str]]] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._figure_stack.append((attrs.get("data-figure"), []))
        if tag == "table" and attrs.get("data-table"):
            self._table = attrs["data-table"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if self._figure_stack:
            name, parts = self._figure_stack.pop()
            text = " ".join("".join(parts).split())
            if name:
                self.figures[name] = text
            if self._figure_stack:
                self._figure_stack[-1][1].append("".join(parts))
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._figure_stack:
            self._figure_stack[-1][1].append(data)
        if self._cell is not None:
            self._cell.append(data)


VOID = {"meta", "link", "input", "br", "img", "hr", "source", "col", "area", "wbr"}


class _VoidAware(PageReader):
    def handle_startendtag(self, tag, attrs):
        pass

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        super().handle_starttag(tag, attrs)


def read_page(html: str) -> PageReader:
    reader = _VoidAware()
    reader.feed(html)
    return reader
