"""Read-only queries of registration for the organiser pages (lists, counts, quotas, export).

Every function here runs a fixed number of queries whatever the size of the edition:
related rows come through ``select_related``/``prefetch_related``, counts through one
aggregate each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django_countries import countries

from atrium.core.audit import history
from atrium.core.models import AuditEntry
from atrium.core.search import search, sort_key
from atrium.events.models import Conference, Session
from atrium.network.models import Person
from atrium.registration.models import (
    Answer,
    Currency,
    Delegation,
    Order,
    Question,
    Registration,
    RegistrationType,
    SeatBooking,
)

TOP_COUNTRIES = 15
_PK_KEY = re.compile(r"^R-(\d{1,12})$")


# --- the list and its filters ------------------------------------------------------------


def registration_list(
    *,
    conference: Conference,
    q: str = "",
    type: str = "",
    status: str = "",
    approval: str = "",
    country: str = "",
    delegation: str = "",
    paid: str = "",
) -> QuerySet[Registration]:
    """An edition's registrations matching the organiser's filters, newest first.

    ``q`` searches the person's names in any script (``ma jun``, ``majun``, ``马骏``);
    ``paid`` is ``yes`` (the order is paid) or ``no`` (the order awaits payment).
    """
    registrations = Registration.objects.filter(conference=conference).select_related(
        "person__organisation", "type", "order", "delegation"
    )
    if type:
        registrations = registrations.filter(type_id=type)
    if status:
        registrations = registrations.filter(status=status)
    if approval:
        registrations = registrations.filter(approval=approval)
    if country:
        registrations = registrations.filter(person__country=country)
    if delegation == "none":
        registrations = registrations.filter(delegation__isnull=True)
    elif delegation:
        registrations = registrations.filter(delegation_id=delegation)
    if paid == "yes":
        registrations = registrations.filter(order__status=Order.Status.PAID)
    elif paid == "no":
        registrations = registrations.filter(order__status=Order.Status.PENDING)
    if q:
        registrations = search(registrations, q, field="person__search_key")
    return registrations.order_by("-created", "-pk")


def registration_types(conference: Conference) -> list[RegistrationType]:
    return list(conference.registration_types.order_by("position", "id"))


def registration_delegations(conference: Conference) -> list[Delegation]:
    return list(conference.delegations.order_by("name", "pk"))


def registration_countries(conference: Conference) -> list[str]:
    """Country codes of the people registered for the edition, for the filter."""
    return list(
        Registration.objects.filter(conference=conference)
        .exclude(person__country="")
        .order_by()
        .values_list("person__country", flat=True)
        .distinct()
    )


def registration_key(registration: Registration) -> str:
    """What identifies a registration in organiser URLs: its order reference.

    A registration without an order (loaded in bulk, or made in the admin) gets
    ``R-<id>``, which cannot clash with a reference (their code has six characters).
    """
    return registration.reference or f"R-{registration.pk}"


def registration_for_key(conference: Conference, key: str) -> Registration | None:
    """The edition's registration with this key (see ``registration_key``), or None."""
    registrations = Registration.objects.filter(conference=conference).select_related(
        "person__organisation", "type", "order", "delegation__head", "voucher", "conference"
    )
    found = registrations.filter(order__reference=key).first()
    if found is None and (match := _PK_KEY.match(key)):
        found = registrations.filter(pk=int(match.group(1)), order__isnull=True).first()
    return found


# --- one registration ------------------------------------------------------------------


def registration_of_user(conference: Conference, user) -> Registration | None:
    """``user``'s registration for ``conference`` (with its order), or None."""
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.filter(conference=conference, person__user=user)
        .select_related("conference", "order")
        .first()
    )


def registration_answers(registration: Registration) -> list[Answer]:
    return list(registration.answers.select_related("question"))


def registration_payments(registration: Registration) -> list:
    order = getattr(registration, "order", None)
    return list(order.payments.select_related("recorded_by")) if order else []


def registration_bookings(registration: Registration) -> list[SeatBooking]:
    return list(
        registration.bookings.select_related("session__room").order_by("session__start", "id")
    )


def registration_history(
    registration: Registration, bookings: list[SeatBooking]
) -> list[AuditEntry]:
    """The audit trail of the registration and of its seat bookings, newest first."""
    entries = history(registration)
    if bookings:
        booking_type = ContentType.objects.get_for_model(SeatBooking)
        entries = entries | AuditEntry.objects.filter(
            content_type=booking_type, object_id__in=[str(b.pk) for b in bookings]
        )
    return list(entries.select_related("actor").order_by("-created", "-id"))


# --- the dashboard -----------------------------------------------------------------------


@dataclass(frozen=True)
class TypeUse:
    type: RegistrationType | None
    active: int
    total: int

    @property
    def capacity(self) -> int | None:
        return self.type.capacity if self.type else None

    @property
    def percent(self) -> int | None:
        if not self.capacity:
            return None
        return min(100, round(100 * self.active / self.capacity))


@dataclass(frozen=True)
class CountryCount:
    code: str  # "" for the rest
    name: str
    count: int


@dataclass(frozen=True)
class MoneyLine:
    currency: str
    paid: Decimal
    paid_count: int
    awaiting: Decimal
    awaiting_count: int


@dataclass(frozen=True)
class Dashboard:
    total: int
    by_status: list[tuple[str, str, int]]  # (value, label, count)
    approval_pending: int
    by_type: list[TypeUse]
    by_country: list[CountryCount]
    money: list[MoneyLine]


def dashboard_counts(conference: Conference) -> Dashboard:
    """Counts per status, per type (with capacity use), per country, and money per currency."""
    registrations = Registration.objects.filter(conference=conference).order_by()
    status_counts = dict(
        registrations.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    approval_pending = registrations.filter(
        approval=Registration.Approval.PENDING, status=Registration.Status.PENDING
    ).count()

    types = conference.registration_types.order_by("position", "id").annotate(
        active=Count("registrations", filter=Q(registrations__status__in=Registration.ACTIVE)),
        total=Count("registrations"),
    )
    by_type = [TypeUse(type=t, active=t.active, total=t.total) for t in types]
    untyped = registrations.filter(type__isnull=True).aggregate(
        active=Count("pk", filter=Q(status__in=Registration.ACTIVE)), total=Count("pk")
    )
    if untyped["total"]:
        by_type.append(TypeUse(type=None, active=untyped["active"], total=untyped["total"]))

    country_rows = list(
        registrations.values_list("person__country").annotate(n=Count("pk")).order_by("-n")
    )
    named = sorted(
        (
            CountryCount(code=code, name=str(countries.name(code)) if code else "", count=n)
            for code, n in country_rows
            if code
        ),
        key=lambda row: (-row.count, sort_key(row.name)),
    )
    by_country = named[:TOP_COUNTRIES]
    rest = sum(row.count for row in named[TOP_COUNTRIES:]) + sum(
        n for code, n in country_rows if not code
    )
    if rest:
        by_country.append(CountryCount(code="", name="", count=rest))

    money_rows = (
        Order.objects.filter(
            conference=conference, status__in=[Order.Status.PAID, Order.Status.PENDING]
        )
        .order_by()
        .values_list("currency", "status")
        .annotate(amount=Sum("total"), n=Count("pk"))
    )
    # Every currency has its line, at 0 when nothing was sold in it (a free edition earns 0).
    money: dict[str, dict] = {
        currency: {"paid": (Decimal(0), 0), "awaiting": (Decimal(0), 0)}
        for currency in Currency.values
    }
    for currency, status, amount, n in money_rows:
        line = money.setdefault(currency, {"paid": (Decimal(0), 0), "awaiting": (Decimal(0), 0)})
        line["paid" if status == Order.Status.PAID else "awaiting"] = (amount or Decimal(0), n)
    return Dashboard(
        total=sum(status_counts.values()),
        by_status=[
            (value, label, status_counts.get(value, 0))
            for value, label in Registration.Status.choices
        ],
        approval_pending=approval_pending,
        by_type=by_type,
        by_country=by_country,
        money=[
            MoneyLine(
                currency=currency,
                paid=line["paid"][0],
                paid_count=line["paid"][1],
                awaiting=line["awaiting"][0],
                awaiting_count=line["awaiting"][1],
            )
            for currency, line in sorted(money.items())
        ],
    )


# --- seat quotas -------------------------------------------------------------------------


def quota_sessions(conference: Conference) -> QuerySet[Session]:
    """Sessions with limited seats, annotated with ``taken`` and ``waiting``."""
    return (
        Session.objects.filter(conference=conference, seats__isnull=False)
        .select_related("room")
        .annotate(
            taken=Count("bookings", filter=Q(bookings__status=SeatBooking.Status.CONFIRMED)),
            waiting=Count("bookings", filter=Q(bookings__status=SeatBooking.Status.WAITLISTED)),
        )
        .order_by("start", "pk")
    )


def quota_session(conference: Conference, session_id: int) -> Session | None:
    return quota_sessions(conference).filter(pk=session_id).first()


def quota_bookings(session: Session) -> tuple[list[SeatBooking], list[SeatBooking]]:
    """(seated, waiting): the waiting list in its order, each with ``position`` from 1."""
    bookings = list(
        with_waitlist_position(
            session.bookings.filter(
                status__in=[SeatBooking.Status.CONFIRMED, SeatBooking.Status.WAITLISTED]
            )
        )
        .select_related("registration__person__organisation", "registration__order")
        .order_by("created", "id")
    )
    seated = [b for b in bookings if b.status == SeatBooking.Status.CONFIRMED]
    waiting = [b for b in bookings if b.status == SeatBooking.Status.WAITLISTED]
    return seated, waiting


def waitlist_position(booking: SeatBooking) -> int | None:
    """1 for the first on the waiting list; None if the booking is not waitlisted."""
    if booking.status != SeatBooking.Status.WAITLISTED:
        return None
    return with_waitlist_position(SeatBooking.objects.filter(pk=booking.pk)).get().position


# --- export ------------------------------------------------------------------------------


def export_questions(conference: Conference) -> list[Question]:
    return list(conference.questions.order_by("position", "id"))


def export_registrations(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """The filtered list with everything a spreadsheet row needs, answers included."""
    return registrations.prefetch_related("answers")


# --- the JSON API (same filters and rules as the pages) ------------------------------


WAITLISTED = SeatBooking.Status.WAITLISTED


def with_waitlist_position(bookings: QuerySet[SeatBooking]) -> QuerySet[SeatBooking]:
    """Annotate ``position``: the place on its session's waiting list (the one rule for it).

    1 for the first on a session's waiting list (order: ``created``, then id); None
    for a booking that is not waitlisted.
    """
    ahead = (
        SeatBooking.objects.filter(session_id=OuterRef("session_id"), status=WAITLISTED)
        .filter(
            Q(created__lt=OuterRef("created"))
            | Q(created=OuterRef("created"), id__lt=OuterRef("id"))
        )
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return bookings.annotate(
        position=Case(
            When(status=WAITLISTED, then=Coalesce(Subquery(ahead), Value(0)) + 1),
            default=None,
            output_field=IntegerField(),
        )
    )


def my_registrations(user) -> QuerySet[Registration]:
    """The user's registrations in published editions, newest edition first.

    Each carries ``active_bookings``: its seats and waiting-list places with
    ``position``, in the order of the sessions.
    """
    bookings = with_waitlist_position(
        SeatBooking.objects.filter(status__in=SeatBooking.ACTIVE).select_related(
            "session__conference"
        )
    ).order_by("session__start", "session_id", "id")
    return (
        Registration.objects.filter(person__user=user, conference__is_published=True)
        .select_related("conference", "type", "order__conference", "delegation")
        .prefetch_related(Prefetch("bookings", queryset=bookings, to_attr="active_bookings"))
        .order_by("-conference__start_date", "-conference__number", "pk")
    )


def my_registration(user, conference: Conference) -> Registration | None:
    return (
        Registration.objects.select_related("conference", "person")
        .filter(conference=conference, person__user=user)
        .first()
    )


def my_booking(user, booking_id: int) -> SeatBooking | None:
    """One of the user's bookings (any status) in a published edition; None for anyone else's."""
    return (
        SeatBooking.objects.select_related("session__conference")
        .filter(
            pk=booking_id,
            registration__person__user=user,
            registration__conference__is_published=True,
        )
        .first()
    )


def api_registration_list(
    conference: Conference,
    *,
    q: str = "",
    status: str = "",
    type_id: int | None = None,
    country: str = "",
    paid: str = "",
    show_email: bool = False,
) -> QuerySet[Registration]:
    """The organisers' list (``selectors.registration_list``: same filters as their pages).

    Best matches first with ``q``, as in the directory. With ``show_email``
    (organisers) each row carries ``contact_email``; without it (check-in staff)
    the e-mail is not even read.
    """
    registrations = registration_list(
        conference=conference,
        q=q,
        status=status,
        type=str(type_id) if type_id is not None else "",
        country=country,
        paid=paid,
    ).select_related("conference", "order__conference")
    if show_email:
        registrations = registrations.annotate(
            contact_email=Person.contact_email_expression("person__")
        )
    if q:
        return registrations.order_by("search_rank", "-created", "-pk")
    return registrations


def quota_session_detail(conference: Conference, session_id: int) -> Session | None:
    """The session with ``seated_list`` and ``waiting_list`` (``quota_bookings``)."""
    session = quota_sessions(conference).select_related("conference").filter(pk=session_id).first()
    if session is None:
        return None
    session.seated_list, session.waiting_list = quota_bookings(session)
    bookings = [*session.seated_list, *session.waiting_list]
    # Where mail goes (``Person.contact_email``) may be the account's address: one query.
    prefetch_related_objects([b.registration.person for b in bookings], "user")
    for booking in bookings:
        booking.session = session  # one edition for all: no query per row
        booking.contact_email = booking.registration.person.contact_email
        if booking.status != WAITLISTED:
            booking.position = None
    return session
