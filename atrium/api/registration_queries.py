"""Read-only queries of the registration API, each in a fixed number of SQL queries.

Every state change goes through ``atrium.registration.services``; these only read.
They are API-specific (shapes and annotations the JSON answers need); queries
that the organiser pages also use belong in ``atrium.registration.selectors``.
"""

from __future__ import annotations

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from atrium.core.search import search
from atrium.events.models import Conference, Session
from atrium.registration.models import Order, Registration, SeatBooking
from atrium.registration.services import ACTIVE_BOOKING

WAITLISTED = SeatBooking.Status.WAITLISTED


def contact_email(prefix: str = "") -> Case:
    """The person's e-mail, else their account's (as ``services.contact_email``), in SQL.

    ``prefix`` leads from the queried model to the registration (``"registration__"``).
    """
    person = f"{prefix}person__"
    return Case(
        When(~Q(**{f"{person}email": ""}), then=F(f"{person}email")),
        default=Coalesce(F(f"{person}user__email"), Value("")),
        output_field=CharField(),
    )


def with_waitlist_position(bookings: QuerySet[SeatBooking]) -> QuerySet[SeatBooking]:
    """Annotate ``position``: as ``services.waitlist_position``, for many bookings in one query.

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
        SeatBooking.objects.filter(status__in=ACTIVE_BOOKING).select_related("session__conference")
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


def registration_list(
    conference: Conference,
    *,
    q: str = "",
    status: str = "",
    type_id: int | None = None,
    country: str = "",
    paid: str = "",
    show_email: bool = False,
) -> QuerySet[Registration]:
    """An edition's registrations for organisers and check-in staff, newest first.

    ``q`` searches the person's names in any script; best matches first then.
    ``paid`` is ``yes`` (the order is paid) or ``no`` (the order awaits payment).
    With ``show_email`` (organisers) each row carries ``contact_email``; without it
    (check-in staff) the e-mail is not even read.
    """
    registrations = Registration.objects.filter(conference=conference).select_related(
        "conference", "person__organisation", "type", "order__conference", "delegation"
    )
    if status:
        registrations = registrations.filter(status=status)
    if type_id is not None:
        registrations = registrations.filter(type_id=type_id)
    if country:
        registrations = registrations.filter(person__country=country)
    if paid == "yes":
        registrations = registrations.filter(order__status=Order.Status.PAID)
    elif paid == "no":
        registrations = registrations.filter(order__status=Order.Status.PENDING)
    if show_email:
        registrations = registrations.annotate(contact_email=contact_email())
    if q:
        registrations = search(registrations, q, field="person__search_key")
        return registrations.order_by("search_rank", "-created", "-pk")
    return registrations.order_by("-created", "-pk")


def quota_sessions(conference: Conference) -> QuerySet[Session]:
    """Every session of the edition with limited seats (public or not), with its counts."""
    return (
        Session.objects.filter(conference=conference, seats__isnull=False)
        .select_related("conference")
        .annotate(
            confirmed=Count("bookings", filter=Q(bookings__status=SeatBooking.Status.CONFIRMED)),
            waitlisted=Count("bookings", filter=Q(bookings__status=WAITLISTED)),
        )
        .order_by("start", "pk")
    )


def quota_session(conference: Conference, session_id: int) -> Session | None:
    """The session with its seated and waiting lists (``seated``, ``waiting``), or None."""
    session = quota_sessions(conference).filter(pk=session_id).first()
    if session is None:
        return None
    bookings = list(
        session.bookings.filter(status__in=ACTIVE_BOOKING)
        .select_related("registration__person__organisation", "registration__order")
        .annotate(contact_email=contact_email("registration__"))
        .order_by("created", "id")
    )
    session.seated, session.waiting = [], []
    for booking in bookings:
        booking.session = session  # one conference for all, no query per row
        if booking.status == WAITLISTED:
            session.waiting.append(booking)
            booking.position = len(session.waiting)
        else:
            session.seated.append(booking)
            booking.position = None
    return session
