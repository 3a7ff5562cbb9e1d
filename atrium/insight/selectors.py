"""Read queries of the insight page: every figure aggregated in SQL, in the edition's time
zone, with a fixed number of queries whatever the number of registrations or check-ins.

Nothing here returns a person: only counts and sums (the page is an aggregate view).

Definitions the page states:

- A *registration* counts from its ``created`` moment, in its current status and type.
- *Paid*: orders whose status is paid, at their total; *outstanding*: orders awaiting
  payment; *refunded*: the refund amounts of orders that got money back. A sum is always
  per currency: USD and CNY are never added, unless an organiser states a rate.
- An unpaid order is *past due* ``PAYMENT_DUE_DAYS`` (14) days after it was made, unless
  the edition's registration policy has a ``payment_due_days`` of its own.
- *Show rate*: confirmed registrations checked in at least once (anywhere, any day),
  divided by confirmed registrations, per registration type.
- *No-show at a session*: a confirmed seat not checked in at that session's point, once
  the session has started.
- A booth is *booked* when paid, *held* while a hold runs (a hold past its time counts as
  free, as on the floor plan), else *free*. Booth payments are summed per currency.
- A review is *assigned* when its assignment is published to the reviewer; *submitted*
  reviews over assigned ones give a call's review progress.

Length (about 1,300 lines, on purpose): one module holds every read of the page, as the
issue asks, so that the definitions above and the fixed query budget of the page are
checked in one place; each part (over time, comparison, countries, check-ins, money,
seats, B2B, exhibition, calls, needs attention) is a dataclass and one function, and the
parts share the day-by-day series and the helpers of time zones and names.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDay
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_countries import countries

from atrium.checkin.models import BadgePrintRun, CheckIn
from atrium.core.i18n import is_chinese
from atrium.core.runs import ACTIVE as RUN_ACTIVE
from atrium.core.runs import STALE_AFTER
from atrium.core.search import sort_key
from atrium.events.models import Conference, Session
from atrium.exhibition.models import (
    Booth,
    BoothBooking,
    BoothPayment,
    Exhibitor,
    Lead,
    StaffPass,
)
from atrium.insight.models import ConversionRate
from atrium.matchmaking.models import Block, Meeting, MeetingRequest, SchedulerRun
from atrium.matchmaking.selectors import meeting_held_q
from atrium.registration.models import (
    Currency,
    Order,
    Registration,
    RegistrationPolicy,
    SeatBooking,
    Voucher,
)
from atrium.reviews.models import Assignment, Call, Decision, Review, Submission
from atrium.visas.models import VisaLetterRequest
from atrium.webhooks.models import Delivery

PERIODS = ("day", "week", "month")
SPLITS = ("", "type", "status")
#: An unpaid order is past due this many days after it was made (unless the policy says).
PAYMENT_DUE_DAYS = 14
#: A full session with at least this many on its waiting list needs attention.
LONG_WAITLIST = 5
#: Webhook deliveries that failed within this window count as failing webhooks.
WEBHOOK_WINDOW = dt.timedelta(days=7)
#: Open reviews need attention from this long before the call's review deadline.
REVIEW_DEADLINE_SOON = dt.timedelta(days=3)
#: Map colour classes (0: none).
MAP_CLASSES = 5


def _local_date(value, tz) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(tz)
        return value.date()
    return value


def _type_label(name: str | None, name_zh: str | None) -> str:
    if name is None:
        return _("No type")
    return (is_chinese() and name_zh) or name


# --- registrations over time ---------------------------------------------------------------


def _next_bucket(day: dt.date, period: str) -> dt.date:
    if period == "day":
        return day + dt.timedelta(days=1)
    if period == "week":
        return day + dt.timedelta(days=7)
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def bucket_label(day: dt.date, period: str) -> str:
    return day.strftime("%Y-%m") if period == "month" else day.strftime("%m-%d")


@dataclass
class Line:
    key: str
    name: str
    values: list[int]

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass
class OverTime:
    period: str
    split: str
    buckets: list[dt.date]
    totals: list[int]
    cumulative: list[int]
    lines: list[Line]  # one per type or status (``split``), or just the totals

    @property
    def labels(self) -> list[str]:
        return [bucket_label(day, self.period) for day in self.buckets]

    @property
    def total(self) -> int:
        return sum(self.totals)

    @property
    def rows(self) -> list[tuple]:
        """(bucket, per line…, total, cumulative) for the table and the download."""
        return [
            (day, [line.values[i] for line in self.lines], self.totals[i], self.cumulative[i])
            for i, day in enumerate(self.buckets)
        ]


def daily_registrations(conference: Conference) -> dict[dt.date, dict[tuple, int]]:
    """Registrations per day of the edition's time zone, by (type id, status). One query."""
    rows = (
        Registration.objects.filter(conference=conference)
        .annotate(day=TruncDay("created", tzinfo=conference.tz))
        .values_list("day", "type_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[dt.date, dict[tuple, int]] = defaultdict(dict)
    for day, type_id, status, n in rows:
        local = _local_date(day, conference.tz)
        counts[local][(type_id, status)] = counts[local].get((type_id, status), 0) + n
    return counts


def period_start(day: dt.date, period: str) -> dt.date:
    """The first day of ``day``'s week (Monday) or month; the day itself for days."""
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def registrations_over_time(
    conference: Conference,
    *,
    period: str = "day",
    split: str = "",
    daily: dict[dt.date, dict[tuple, int]] | None = None,
) -> OverTime:
    """Registrations made per day, week (from Monday) or month, in the edition's time zone,
    cumulated, and split by type or status.

    The days come from SQL (``TruncDay`` in the edition's zone, ``daily_registrations``,
    which the page shares with the comparison); weeks and months are sums of those days.
    Two queries (the days, the types).
    """
    period = period if period in PERIODS else "day"
    split = split if split in SPLITS else ""
    if daily is None:
        daily = daily_registrations(conference)
    counts: dict[dt.date, dict[tuple, int]] = defaultdict(dict)
    for day, by_key in daily.items():
        bucket = counts[period_start(day, period)]
        for key, n in by_key.items():
            bucket[key] = bucket.get(key, 0) + n
    buckets: list[dt.date] = []
    if counts:
        day, last = min(counts), max(counts)
        while day <= last:
            buckets.append(day)
            day = _next_bucket(day, period)
    totals = [sum(counts.get(day, {}).values()) for day in buckets]
    cumulative, running = [], 0
    for n in totals:
        running += n
        cumulative.append(running)

    lines: list[Line] = []
    if split == "type":
        types = list(conference.registration_types.order_by("position", "id"))
        keys = [(t.pk, t.name_i18n) for t in types]
        if any(k[0] is None for day in counts.values() for k in day):
            keys.append((None, _("No type")))
        for type_id, name in keys:
            values = [
                sum(n for (t, _s), n in counts.get(day, {}).items() if t == type_id)
                for day in buckets
            ]
            if sum(values):
                lines.append(Line(key=str(type_id or ""), name=str(name), values=values))
    elif split == "status":
        for value, label in Registration.Status.choices:
            values = [
                sum(n for (_t, s), n in counts.get(day, {}).items() if s == value)
                for day in buckets
            ]
            if sum(values):
                lines.append(Line(key=value, name=str(label), values=values))
    else:
        lines.append(Line(key="", name=_("Registrations"), values=totals))
    return OverTime(
        period=period,
        split=split,
        buckets=buckets,
        totals=totals,
        cumulative=cumulative,
        lines=lines,
    )


# --- this edition against the previous one --------------------------------------------------


def previous_edition(conference: Conference) -> Conference | None:
    """The edition that started last before this one."""
    return (
        Conference.objects.filter(start_date__lt=conference.start_date)
        .order_by("-start_date", "-pk")
        .first()
    )


@dataclass
class Comparison:
    conference: Conference
    previous: Conference | None
    days_before: list[int]  # x axis: days before the opening day, from far to 0 and after
    this: list[int | None]  # cumulative registrations; None for days still to come
    before: list[int | None]  # the previous edition's, or empty
    today_days_before: int

    @property
    def this_now(self) -> int | None:
        """This edition's registrations so far, and the previous one's at the same point."""
        known = [v for v in self.this if v is not None]
        return known[-1] if known else 0

    @property
    def before_now(self) -> int | None:
        if not self.previous or not self.before:
            return None
        point = max(self.today_days_before, self.days_before[-1])
        if point in self.days_before:
            return self.before[self.days_before.index(point)]
        return self.before[0] if point > self.days_before[0] else self.before[-1]

    @property
    def rows(self) -> list[tuple[int, int | None, int | None]]:
        before = self.before or [None] * len(self.days_before)
        return list(zip(self.days_before, self.this, before, strict=True))

    @property
    def weekly_rows(self) -> list[tuple[int, int | None, int | None]]:
        """Every seventh day before the opening, and the opening day: the table on the page."""
        return [row for row in self.rows if row[0] % 7 == 0]


def _days_before(conference: Conference, daily: dict[dt.date, dict[tuple, int]]):
    counts: dict[int, int] = defaultdict(int)
    for day, by_key in daily.items():
        counts[(conference.start_date - day).days] += sum(by_key.values())
    return counts


def _past_edition_days(conference: Conference) -> dict[int, int]:
    """Registrations per day before the opening day of an edition that is over.

    Its registrations no longer change, so the day counts are kept in the cache under a
    key made of the rows' count, last id and first and last moments (one quick query):
    a registration added, removed or moved makes a new key.
    """
    from django.core.cache import cache
    from django.db.models import Max, Min

    stamp = Registration.objects.filter(conference=conference).aggregate(
        n=Count("pk"), last=Max("pk"), first_at=Min("created"), last_at=Max("created")
    )
    key = "insight:days:{}:{}:{}:{}:{}".format(
        conference.pk,
        stamp["n"],
        stamp["last"],
        stamp["first_at"].timestamp() if stamp["first_at"] else "",
        stamp["last_at"].timestamp() if stamp["last_at"] else "",
    )
    counts = cache.get(key)
    if counts is None:
        counts = dict(_days_before(conference, daily_registrations(conference)))
        cache.set(key, counts, 24 * 3600)
    return counts


def edition_comparison(
    conference: Conference,
    *,
    now=None,
    daily: dict[dt.date, dict[tuple, int]] | None = None,
) -> Comparison:
    """Cumulative registrations of this edition and of the previous one, aligned on the days
    before each opening day. Three queries (two when ``daily`` is given; the previous
    edition's days come from the cache while its registrations stay the same)."""
    now = now or timezone.now()
    previous = previous_edition(conference)
    mine = _days_before(conference, daily_registrations(conference) if daily is None else daily)
    if previous is None:
        theirs: dict[int, int] = {}
    elif previous.end_date < timezone.localtime(now, previous.tz).date():
        theirs = _past_edition_days(previous)
    else:
        theirs = _days_before(previous, daily_registrations(previous))
    today_before = (conference.start_date - timezone.localtime(now, conference.tz).date()).days
    keys = set(mine) | set(theirs)
    if not keys:
        return Comparison(conference, previous, [], [], [], today_before)
    far = max(keys)
    near = min(min(keys), 0)
    days = list(range(far, near - 1, -1))

    def cumulate(counts: dict[int, int], *, stop: int | None = None) -> list[int | None]:
        values: list[int | None] = []
        running = 0
        for day in days:
            running += counts.get(day, 0)
            values.append(None if stop is not None and day < stop else running)
        return values

    return Comparison(
        conference=conference,
        previous=previous,
        days_before=days,
        this=cumulate(mine, stop=today_before),
        before=cumulate(theirs) if previous else [],
        today_days_before=today_before,
    )


# --- countries -------------------------------------------------------------------------------


@dataclass
class CountryRow:
    code: str  # "" for "not given"
    name: str
    registrations: int
    checked_in: int
    registrations_class: int = 0
    checked_in_class: int = 0


@dataclass
class Countries:
    rows: list[CountryRow]
    registrations: int
    checked_in: int
    registrations_max: int
    checked_in_max: int

    def by_code(self) -> dict[str, CountryRow]:
        return {row.code: row for row in self.rows if row.code}


def map_class(value: int, top: int) -> int:
    """The colour class (0 … MAP_CLASSES) of ``value`` on a log scale up to ``top``."""
    if value <= 0 or top <= 0:
        return 0
    if top == 1:
        return MAP_CLASSES
    return max(1, math.ceil(MAP_CLASSES * math.log(value + 1) / math.log(top + 1)))


def map_class_floor(klass: int, top: int) -> int:
    """The smallest value shown in colour class ``klass`` (for the map's key)."""
    if klass <= 0 or top <= 0:
        return 0
    if top == 1:
        return 1
    return max(1, math.floor(math.exp((klass - 1) / MAP_CLASSES * math.log(top + 1))))


def country_counts(conference: Conference) -> Countries:
    """Registrations (every status) and people checked in (at least once), per country of
    the person. Two queries; the rows add up to the totals ("not given" included)."""
    registered = dict(
        Registration.objects.filter(conference=conference)
        .values_list("person__country")
        .annotate(n=Count("pk"))
        .order_by()
    )
    checked = dict(
        Registration.objects.filter(conference=conference)
        .filter(Exists(CheckIn.objects.filter(registration=OuterRef("pk"))))
        .values_list("person__country")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = []
    for code in set(registered) | set(checked):
        rows.append(
            CountryRow(
                code=code or "",
                name=str(countries.name(code)) if code else "",
                registrations=registered.get(code, 0),
                checked_in=checked.get(code, 0),
            )
        )
    rows.sort(key=lambda row: (not row.code, -row.registrations, sort_key(row.name)))
    named = [row for row in rows if row.code]
    top_reg = max((row.registrations for row in named), default=0)
    top_in = max((row.checked_in for row in named), default=0)
    for row in named:
        row.registrations_class = map_class(row.registrations, top_reg)
        row.checked_in_class = map_class(row.checked_in, top_in)
    return Countries(
        rows=rows,
        registrations=sum(row.registrations for row in rows),
        checked_in=sum(row.checked_in for row in rows),
        registrations_max=top_reg,
        checked_in_max=top_in,
    )


# --- check-ins live --------------------------------------------------------------------------


@dataclass
class PointCount:
    session_id: int | None  # None: the entrance
    name: str
    people: int


@dataclass
class ShowRate:
    name: str
    confirmed: int
    shown: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.shown / self.confirmed) if self.confirmed else None


@dataclass
class Live:
    day: dt.date
    people: int  # people checked in (anywhere) on the day
    scans: int
    hours: list[tuple[int, int]]  # (hour 0-23, people checked in during that hour)
    points: list[PointCount]
    show_rates: list[ShowRate]

    @property
    def confirmed(self) -> int:
        return sum(rate.confirmed for rate in self.show_rates)

    @property
    def shown(self) -> int:
        return sum(rate.shown for rate in self.show_rates)

    @property
    def percent(self) -> int | None:
        return round(100 * self.shown / self.confirmed) if self.confirmed else None

    @property
    def busy_hours(self) -> list[tuple[int, int]]:
        """The chart's columns: 07:00 to 20:00, widened to the first and last hour with a
        check-in; none on a day without check-ins."""
        used = [hour for hour, n in self.hours if n]
        if not used:
            return []
        first, last = min(min(used), 7), max(max(used), 20)
        return [(hour, n) for hour, n in self.hours if first <= hour <= last]


def _hour_bounds(day: dt.date, tz) -> list[tuple[int, dt.datetime, dt.datetime]]:
    """(local hour, start, end) of each hour of ``day`` in ``tz``, as UTC moments; a day
    with a clock change has 23 or 25 of them (an hour may come twice)."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz).astimezone(dt.UTC)
    bounds = []
    moment = start
    while moment < end:
        following = moment + dt.timedelta(hours=1)
        bounds.append((moment.astimezone(tz).hour, moment, min(following, end)))
        moment = following
    return bounds


def checkins_live(conference: Conference, *, day: dt.date | None = None, now=None) -> Live:
    """People in on ``day`` (default today, the edition's time zone): in all, per hour, per
    point (the entrance or a session's point); and the show rate per type. Four queries."""
    tz = conference.tz
    day = day or timezone.localtime(now or timezone.now(), tz).date()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    today = CheckIn.objects.filter(conference=conference, created__gte=start, created__lt=end)
    totals = today.aggregate(people=Count("registration", distinct=True), scans=Count("pk"))
    # One filtered count per hour of the day (its bounds worked out in the edition's zone):
    # plain comparisons, as quick as an index scan on any database.
    hours = _hour_bounds(day, tz)
    per_hour_counts = today.aggregate(
        **{
            f"h{i}": Count("registration", distinct=True, filter=Q(created__gte=a, created__lt=b))
            for i, (_hour, a, b) in enumerate(hours)
        }
    )
    per_hour: dict[int, int] = {}
    for i, (hour, _a, _b) in enumerate(hours):
        per_hour[hour] = per_hour.get(hour, 0) + per_hour_counts[f"h{i}"]
    points = []
    for session_id, title, title_zh, people in (
        today.values_list("session_id", "session__title", "session__title_zh")
        .annotate(n=Count("registration", distinct=True))
        .order_by()
    ):
        name = _("Entrance") if session_id is None else ((is_chinese() and title_zh) or title)
        points.append(PointCount(session_id=session_id, name=name, people=people))
    points.sort(key=lambda p: (p.session_id is not None, -p.people, sort_key(p.name)))
    shown = CheckIn.objects.filter(registration=OuterRef("pk"))
    rates = []
    for _type_id, name, name_zh, confirmed, checked in (
        Registration.objects.filter(conference=conference, status=Registration.Status.CONFIRMED)
        .annotate(shown=Exists(shown))
        .values_list("type_id", "type__name", "type__name_zh")
        .annotate(confirmed=Count("pk"), checked=Count("pk", filter=Q(shown=True)))
        .order_by("type__position", "type_id")
    ):
        rates.append(ShowRate(name=_type_label(name, name_zh), confirmed=confirmed, shown=checked))
    return Live(
        day=day,
        people=totals["people"],
        scans=totals["scans"],
        hours=sorted(per_hour.items()),
        points=points,
        show_rates=rates,
    )


# --- money -----------------------------------------------------------------------------------


@dataclass
class MoneyLine:
    currency: str
    paid: Decimal = Decimal(0)
    paid_count: int = 0
    outstanding: Decimal = Decimal(0)
    outstanding_count: int = 0
    refunded: Decimal = Decimal(0)
    refunded_count: int = 0
    free_count: int = 0
    discount: Decimal = Decimal(0)


@dataclass
class VoucherUse:
    code: str
    used: int
    max_uses: int
    registrations: int
    discounts: dict[str, Decimal] = field(default_factory=dict)  # per currency


@dataclass
class Money:
    lines: list[MoneyLine]
    vouchers: list[VoucherUse]
    rate: ConversionRate | None

    def line(self, currency: str) -> MoneyLine:
        for line in self.lines:
            if line.currency == currency:
                return line
        return MoneyLine(currency=currency)

    def _converted(self, attribute: str) -> Decimal | None:
        if self.rate is None:
            return None
        usd = getattr(self.line(Currency.USD), attribute)
        cny = getattr(self.line(Currency.CNY), attribute)
        return (usd * self.rate.rate + cny).quantize(Decimal("0.01"))

    @property
    def converted_paid(self) -> Decimal | None:
        """Paid in CNY, the USD converted at the organiser's rate; None without a rate."""
        return self._converted("paid")

    @property
    def converted_outstanding(self) -> Decimal | None:
        return self._converted("outstanding")


def money_by_currency(conference: Conference) -> Money:
    """Paid, outstanding, refunded and discounted per currency, with the number of orders;
    vouchers used; the organiser's conversion rate. Three queries."""
    lines: dict[str, MoneyLine] = {}
    for currency, status, total, n, refunded, refunded_n, discount in (
        Order.objects.filter(conference=conference)
        .values_list("currency", "status")
        .annotate(
            sum_total=Sum("total"),
            n=Count("pk"),
            refunded=Sum("refund_amount"),
            refunded_n=Count("pk", filter=Q(refund_amount__gt=0)),
            discount=Sum(F("list_price") - F("total")),
        )
        .order_by()
    ):
        line = lines.setdefault(currency, MoneyLine(currency=currency))
        if status == Order.Status.PAID:
            line.paid += total or 0
            line.paid_count += n
        elif status == Order.Status.PENDING:
            line.outstanding += total or 0
            line.outstanding_count += n
        elif status == Order.Status.FREE:
            line.free_count += n
        line.refunded += refunded or 0
        line.refunded_count += refunded_n
        if status != Order.Status.CANCELLED:
            line.discount += discount or 0
    for currency in Currency.values:
        lines.setdefault(currency, MoneyLine(currency=currency))

    vouchers = {
        v.pk: VoucherUse(code=v.code, used=v.used, max_uses=v.max_uses, registrations=0)
        for v in Voucher.objects.filter(conference=conference).order_by("code")
    }
    for voucher_id, currency, n, discount in (
        Registration.objects.filter(conference=conference, voucher__isnull=False)
        .values_list("voucher_id", "order__currency")
        .annotate(n=Count("pk"), discount=Sum(F("order__list_price") - F("order__total")))
        .order_by()
    ):
        use = vouchers.get(voucher_id)
        if use is None:
            continue
        use.registrations += n
        if currency:
            use.discounts[currency] = use.discounts.get(currency, Decimal(0)) + (discount or 0)
    return Money(
        lines=[lines[c] for c in sorted(lines)],
        vouchers=list(vouchers.values()),
        rate=latest_rate(conference),
    )


def latest_rate(conference: Conference) -> ConversionRate | None:
    return ConversionRate.objects.filter(conference=conference).order_by("-created", "-pk").first()


# --- programme and seats ---------------------------------------------------------------------


@dataclass
class SessionFill:
    session_id: int
    title: str
    start: dt.datetime
    seats: int
    taken: int
    waiting: int
    boarded: int
    started: bool

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.taken / self.seats)) if self.seats else 100

    @property
    def is_full(self) -> bool:
        return self.taken >= self.seats

    @property
    def no_shows(self) -> int | None:
        """Seated but not checked in at the session's point, once it has started."""
        return max(self.taken - self.boarded, 0) if self.started else None


def session_fill(conference: Conference, *, now=None) -> list[SessionFill]:
    """Every session with seats: seats, taken, waiting list, boarded, no-shows. Two queries."""
    now = now or timezone.now()
    sessions = (
        Session.objects.filter(conference=conference, seats__isnull=False)
        .annotate(
            taken=Count("bookings", filter=Q(bookings__status=SeatBooking.Status.CONFIRMED)),
            waiting=Count("bookings", filter=Q(bookings__status=SeatBooking.Status.WAITLISTED)),
        )
        .values_list("pk", "title", "title_zh", "start", "seats", "taken", "waiting")
        .order_by("start", "pk")
    )
    # People checked in at a session's point who hold a confirmed seat on it.
    boarded = dict(
        CheckIn.objects.filter(
            conference=conference,
            session__isnull=False,
            registration__bookings__session=F("session"),
            registration__bookings__status=SeatBooking.Status.CONFIRMED,
        )
        .values_list("session_id")
        .annotate(n=Count("registration", distinct=True))
        .order_by()
    )
    chinese = is_chinese()
    return [
        SessionFill(
            session_id=pk,
            title=(chinese and title_zh) or title,
            start=start,
            seats=seats,
            taken=taken,
            waiting=waiting,
            boarded=boarded.get(pk, 0),
            started=start <= now,
        )
        for pk, title, title_zh, start, seats, taken, waiting in sessions
    ]


# --- B2B ---------------------------------------------------------------------------------------


@dataclass
class BlockRow:
    block_id: int | None  # None: accepted meetings not placed in a block yet
    title: str
    start: dt.datetime | None
    meetings: int
    placed: int
    held: int | None


@dataclass
class B2B:
    requests: int
    by_status: list[tuple[str, str, int]]
    accepted: int
    meetings: int
    placed: int
    held: int | None  # None while the B2B app records no feedback
    blocks: list[BlockRow]

    @property
    def has_feedback(self) -> bool:
        return self.held is not None


def b2b_figures(conference: Conference) -> B2B:
    """Requests (by status), accepted, placed (published) and held meetings, per block.
    Three queries."""
    by_status = dict(
        MeetingRequest.objects.filter(conference=conference)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    held_lookup = True  # meeting feedback (matchmaking.Feedback) says which were held
    placed_q = Q(published_at__isnull=False, start__isnull=False)
    aggregates = {"meetings": Count("pk", distinct=True)}
    aggregates["placed"] = Count("pk", filter=placed_q, distinct=True)
    if held_lookup:
        aggregates["held"] = Count("pk", filter=meeting_held_q(), distinct=True)
    per_block = {
        row["block_id"]: row
        for row in Meeting.objects.filter(conference=conference, status=Meeting.Status.ACTIVE)
        .values("block_id")
        .annotate(**aggregates)
        .order_by()
    }
    chinese = is_chinese()
    rows = []
    for block in (
        Block.objects.filter(session__conference=conference)
        .select_related("session")
        .order_by("session__start", "pk")
    ):
        row = per_block.pop(block.pk, {})
        rows.append(
            BlockRow(
                block_id=block.pk,
                title=(chinese and block.session.title_zh) or block.session.title,
                start=block.session.start,
                meetings=row.get("meetings", 0),
                placed=row.get("placed", 0),
                held=row.get("held", 0) if held_lookup else None,
            )
        )
    unplaced = per_block.pop(None, None)
    if unplaced:
        rows.append(
            BlockRow(
                block_id=None,
                title=_("Not in a block yet"),
                start=None,
                meetings=unplaced["meetings"],
                placed=unplaced["placed"],
                held=unplaced.get("held", 0) if held_lookup else None,
            )
        )
    return B2B(
        requests=sum(by_status.values()),
        by_status=[
            (value, str(label), by_status.get(value, 0))
            for value, label in MeetingRequest.Status.choices
        ],
        accepted=by_status.get(MeetingRequest.Status.ACCEPTED, 0),
        meetings=sum(row.meetings for row in rows),
        placed=sum(row.placed for row in rows),
        held=sum(row.held or 0 for row in rows) if held_lookup else None,
        blocks=rows,
    )


# --- exhibition --------------------------------------------------------------------------------


@dataclass
class HallBooths:
    hall_id: int | None  # None: the row of all halls
    name: str
    free: int
    held: int
    booked: int

    @property
    def total(self) -> int:
        return self.free + self.held + self.booked

    @property
    def booked_percent(self) -> int:
        return round(100 * self.booked / self.total) if self.total else 0


@dataclass
class BoothMoney:
    currency: str
    amount: Decimal = Decimal(0)
    count: int = 0


@dataclass
class Exhibition:
    halls: list[HallBooths]
    all_halls: HallBooths
    exhibitors: list[tuple[str, str, int]]  # (status, label, count)
    payments: list[BoothMoney]  # one per currency, never summed
    leads: int
    leads_by_day: list[tuple[dt.date, int]]
    exhibitors_with_leads: int
    passes_used: int
    passes_quota: int

    @property
    def has_exhibition(self) -> bool:
        return bool(self.all_halls.total or sum(n for _s, _l, n in self.exhibitors))


def exhibition_figures(conference: Conference, *, now=None) -> Exhibition:
    """Booths free, held and booked per hall; exhibitors by status; booth payments per
    currency with their count; leads (in all, per day of the edition's zone, exhibitors
    with leads); staff passes given against the quota. Seven queries."""
    now = now or timezone.now()
    booked_q = Q(bookings__status=BoothBooking.Status.BOOKED)
    held_q = Q(bookings__status=BoothBooking.Status.HELD, bookings__held_until__gte=now)
    chinese = is_chinese()
    halls = []
    for hall_id, name, name_zh, total, booked, held in (
        Booth.objects.filter(hall__conference=conference)
        .values_list("hall_id", "hall__name", "hall__name_zh")
        .annotate(
            total=Count("pk", distinct=True),
            booked=Count("pk", filter=booked_q, distinct=True),
            held=Count("pk", filter=held_q, distinct=True),
        )
        .order_by("hall__order", "hall__name", "hall_id")
    ):
        halls.append(
            HallBooths(
                hall_id=hall_id,
                name=(chinese and name_zh) or name,
                free=max(total - booked - held, 0),
                held=held,
                booked=booked,
            )
        )
    all_halls = HallBooths(
        hall_id=None,
        name=_("All halls"),
        free=sum(h.free for h in halls),
        held=sum(h.held for h in halls),
        booked=sum(h.booked for h in halls),
    )
    by_status: dict[str, int] = {}
    extra_passes = 0
    for status, n, extra in (
        Exhibitor.objects.filter(conference=conference)
        .values_list("status")
        .annotate(n=Count("pk"), extra=Sum("extra_passes"))
        .order_by()
    ):
        by_status[status] = n
        extra_passes += extra or 0
    payments = {c: BoothMoney(currency=c) for c in Currency.values}
    for currency, amount, n in (
        BoothPayment.objects.filter(booking__exhibitor__conference=conference)
        .values_list("currency")
        .annotate(amount=Sum("amount"), n=Count("pk"))
        .order_by()
    ):
        line = payments.setdefault(currency, BoothMoney(currency=currency))
        line.amount += amount or 0
        line.count += n
    leads = Lead.objects.filter(exhibitor__conference=conference)
    by_day: dict[dt.date, int] = defaultdict(int)
    for day, n in (
        leads.annotate(day=TruncDay("scanned_at", tzinfo=conference.tz))
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        by_day[_local_date(day, conference.tz)] += n
    with_leads = leads.aggregate(n=Count("exhibitor", distinct=True))["n"]
    booth_passes = BoothBooking.objects.filter(
        exhibitor__conference=conference, status=BoothBooking.Status.BOOKED
    ).aggregate(n=Sum("booth__staff_passes"))["n"]
    passes_used = StaffPass.objects.filter(
        exhibitor__conference=conference, status__in=StaffPass.ACTIVE
    ).count()
    return Exhibition(
        halls=halls,
        all_halls=all_halls,
        exhibitors=[
            (value, str(label), by_status.get(value, 0))
            for value, label in Exhibitor.Status.choices
        ],
        payments=[payments[c] for c in sorted(payments)],
        leads=sum(by_day.values()),
        leads_by_day=sorted(by_day.items()),
        exhibitors_with_leads=with_leads,
        passes_used=passes_used,
        passes_quota=(booth_passes or 0) + extra_passes,
    )


# --- calls with review ---------------------------------------------------------------------------


@dataclass
class CallFigures:
    call_id: int
    slug: str
    kind: str
    kind_label: str
    title: str
    review_until: dt.datetime
    by_status: list[tuple[str, str, int]]  # (status, label, count), every status
    assigned: int
    submitted_reviews: int
    decisions_pending: int
    decisions_sent: int

    @property
    def submissions(self) -> int:
        return sum(n for _s, _l, n in self.by_status)

    @property
    def review_percent(self) -> int:
        if not self.assigned:
            return 0
        return min(100, round(100 * self.submitted_reviews / self.assigned))


def submission_status_labels() -> dict[str, str]:
    """Statuses of a submission, with a context: "Submitted" alone is also a date's label."""
    return {
        Submission.Status.DRAFT: pgettext("submission status", "Draft"),
        Submission.Status.SUBMITTED: pgettext("submission status", "Submitted"),
        Submission.Status.WITHDRAWN: pgettext("submission status", "Withdrawn"),
        Submission.Status.ACCEPTED: pgettext("submission status", "Accepted"),
        Submission.Status.REJECTED: pgettext("submission status", "Rejected"),
        Submission.Status.WAITLISTED: pgettext("submission status", "Waiting list"),
    }


def call_figures(conference: Conference) -> list[CallFigures]:
    """Every call of the edition: submissions by status, reviews submitted against those
    assigned (published assignments), decisions pending and sent. Five queries."""
    calls = list(
        Call.objects.filter(conference=conference)
        .values_list("pk", "slug", "kind", "title", "title_zh", "review_until")
        .order_by("opens_at", "pk")
    )
    statuses: dict[int, dict[str, int]] = defaultdict(dict)
    for call_id, status, n in (
        Submission.objects.filter(call__conference=conference)
        .values_list("call_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        statuses[call_id][status] = n
    assigned = dict(
        Assignment.objects.filter(submission__call__conference=conference, published=True)
        .values_list("submission__call_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    reviews = dict(
        Review.objects.filter(
            submission__call__conference=conference, status=Review.Status.SUBMITTED
        )
        .values_list("submission__call_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    decisions: dict[int, dict[str, int]] = defaultdict(dict)
    for call_id, status, n in (
        Decision.objects.filter(submission__call__conference=conference)
        .values_list("submission__call_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        decisions[call_id][status] = n
    kinds = dict(Call.Kind.choices)
    labels = submission_status_labels()
    chinese = is_chinese()
    return [
        CallFigures(
            call_id=pk,
            slug=slug,
            kind=kind,
            kind_label=str(kinds.get(kind, kind)),
            title=(chinese and title_zh) or title,
            review_until=review_until,
            by_status=[
                (value, labels[value], statuses[pk].get(value, 0))
                for value in Submission.Status.values
            ],
            assigned=assigned.get(pk, 0),
            submitted_reviews=reviews.get(pk, 0),
            decisions_pending=decisions[pk].get(Decision.Status.PENDING, 0),
            decisions_sent=decisions[pk].get(Decision.Status.SENT, 0),
        )
        for pk, slug, kind, title, title_zh, review_until in calls
    ]


# --- needs attention ---------------------------------------------------------------------------


@dataclass
class Attention:
    """One thing waiting for the organisers: how many, what, and where to act."""

    key: str
    count: int
    label: str
    detail: str = ""
    url_name: str = ""
    url_args: tuple = ()
    query: str = ""

    @property
    def url(self) -> str:
        from django.urls import reverse

        return reverse(self.url_name, args=self.url_args) + self.query


def payment_due_days(conference: Conference) -> int:
    """Days after an order is made that its payment is due (the policy may say otherwise)."""
    policy = RegistrationPolicy.objects.filter(conference=conference).first()
    days = getattr(policy, "payment_due_days", None) if policy else None
    return days if isinstance(days, int) and days > 0 else PAYMENT_DUE_DAYS


def needs_attention(conference: Conference, *, now=None) -> list[Attention]:
    """What waits for the organisers, each with a link to the place to act. Eleven queries;
    only the items with something waiting are returned."""
    from atrium.core.money import money

    now = now or timezone.now()
    items: list[Attention] = []
    approval = Registration.objects.filter(
        conference=conference,
        status=Registration.Status.PENDING,
        approval=Registration.Approval.PENDING,
    ).count()
    items.append(
        Attention(
            key="approval",
            count=approval,
            label=_("Registrations waiting for approval"),
            url_name="organiser:registrations",
            url_args=(conference.slug,),
            query="?status=pending&approval=pending",
        )
    )
    due_days = payment_due_days(conference)
    overdue = list(
        Order.objects.filter(
            conference=conference,
            status=Order.Status.PENDING,
            created__lt=now - dt.timedelta(days=due_days),
        )
        .values_list("currency")
        .annotate(n=Count("pk"), amount=Sum("total"))
        .order_by("currency")
    )
    items.append(
        Attention(
            key="overdue",
            count=sum(n for _c, n, _a in overdue),
            label=_("Unpaid orders past their due date (%(days)s days after the order)")
            % {"days": due_days},
            detail=" · ".join(money(amount, currency) for currency, _n, amount in overdue),
            url_name="organiser:registrations",
            url_args=(conference.slug,),
            query="?paid=no",
        )
    )
    visas = VisaLetterRequest.objects.filter(
        conference=conference, status=VisaLetterRequest.Status.REQUESTED
    ).count()
    items.append(
        Attention(
            key="visas",
            count=visas,
            label=_("Visa letter requests waiting for review"),
            url_name="visa:organiser-list",
            url_args=(conference.slug,),
            query="?status=requested",
        )
    )
    full = list(
        Session.objects.filter(conference=conference, seats__isnull=False)
        .annotate(
            taken=Count("bookings", filter=Q(bookings__status=SeatBooking.Status.CONFIRMED)),
            waiting=Count("bookings", filter=Q(bookings__status=SeatBooking.Status.WAITLISTED)),
        )
        .filter(taken__gte=F("seats"), waiting__gte=LONG_WAITLIST)
        .values_list("pk", "title", "title_zh", "waiting")
        .order_by("-waiting", "start", "pk")
    )
    chinese = is_chinese()
    for pk, title, title_zh, waiting in full:
        items.append(
            Attention(
                key=f"waitlist-{pk}",
                count=waiting,
                label=_("Full, with a waiting list: %(title)s")
                % {"title": (chinese and title_zh) or title},
                url_name="organiser:quota",
                url_args=(conference.slug, pk),
            )
        )
    failing = list(
        Delivery.objects.filter(
            endpoint__conference=conference,
            status=Delivery.Status.FAILED,
            created__gte=now - WEBHOOK_WINDOW,
        )
        .values_list("endpoint_id", "endpoint__url")
        .annotate(n=Count("pk"))
        .order_by("-n", "endpoint_id")
    )
    for endpoint_id, url, n in failing:
        items.append(
            Attention(
                key=f"webhook-{endpoint_id}",
                count=n,
                label=_("Webhook deliveries failed in the last 7 days"),
                detail=url,
                url_name="webhooks:endpoint",
                url_args=(conference.slug, endpoint_id),
            )
        )
    stale = now - STALE_AFTER
    badge_runs = BadgePrintRun.objects.filter(
        conference=conference, status__in=RUN_ACTIVE, created__lte=stale
    ).count()
    items.append(
        Attention(
            key="badge-runs",
            count=badge_runs,
            label=_("Badge print runs stuck (queued or running for over an hour)"),
            url_name="checkin:badges",
            url_args=(conference.slug,),
        )
    )
    scheduler_runs = SchedulerRun.objects.filter(
        conference=conference, status__in=RUN_ACTIVE, created__lte=stale
    ).count()
    items.append(
        Attention(
            key="scheduler-runs",
            count=scheduler_runs,
            label=_("B2B scheduler runs stuck (queued or running for over an hour)"),
            url_name="matchmaking:organiser",
            url_args=(conference.slug,),
        )
    )
    exhibitors = Exhibitor.objects.filter(conference=conference).aggregate(
        applied=Count("pk", filter=Q(status=Exhibitor.Status.APPLIED)),
        edits=Count("pk", filter=~Q(pending_changes={})),
    )
    items.append(
        Attention(
            key="exhibitor-applications",
            count=exhibitors["applied"],
            label=_("Exhibitor applications waiting for a decision"),
            url_name="exhibition:organiser",
            url_args=(conference.slug,),
            query="#apps-title",
        )
    )
    items.append(
        Attention(
            key="exhibitor-edits",
            count=exhibitors["edits"],
            label=_("Exhibitor profile changes waiting for approval"),
            url_name="exhibition:organiser",
            url_args=(conference.slug,),
            query="#diffs-title",
        )
    )
    submitted_review = Review.objects.filter(
        reviewer=OuterRef("reviewer"),
        submission=OuterRef("submission"),
        status=Review.Status.SUBMITTED,
    )
    open_reviews = (
        Assignment.objects.filter(
            published=True,
            submission__call__conference=conference,
            submission__status=Submission.Status.SUBMITTED,
            submission__call__review_until__lte=now + REVIEW_DEADLINE_SOON,
        )
        .filter(~Exists(submitted_review))
        .values_list(
            "submission__call_id",
            "submission__call__slug",
            "submission__call__title",
            "submission__call__title_zh",
            "submission__call__review_until",
        )
        .annotate(n=Count("pk"))
        .order_by("submission__call__review_until", "submission__call_id")
    )
    for call_id, slug, title, title_zh, until, n in open_reviews:
        local = timezone.localtime(until, conference.tz)
        items.append(
            Attention(
                key=f"reviews-{call_id}",
                count=n,
                label=(
                    _("Reviews still open, the review deadline passed: %(call)s")
                    if until <= now
                    else _("Reviews still open, the review deadline is near: %(call)s")
                )
                % {"call": (chinese and title_zh) or title},
                detail=_("Reviews due %(when)s") % {"when": local.strftime("%Y-%m-%d %H:%M")},
                url_name="reviews:organiser-submissions",
                url_args=(conference.slug, slug),
            )
        )
    pending_decisions = (
        Decision.objects.filter(
            submission__call__conference=conference, status=Decision.Status.PENDING
        )
        .values_list(
            "submission__call_id",
            "submission__call__slug",
            "submission__call__title",
            "submission__call__title_zh",
        )
        .annotate(n=Count("pk"))
        .order_by("submission__call__opens_at", "submission__call_id")
    )
    for call_id, slug, title, title_zh, n in pending_decisions:
        items.append(
            Attention(
                key=f"decisions-{call_id}",
                count=n,
                label=_("Decisions not sent yet: %(call)s")
                % {"call": (chinese and title_zh) or title},
                url_name="reviews:organiser-submissions",
                url_args=(conference.slug, slug),
            )
        )
    return [item for item in items if item.count]
