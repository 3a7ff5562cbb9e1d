"""Read-only queries of the registration API, each in a fixed number of SQL queries.

Every state change goes through ``atrium.registration.services``; these only read.
The organisers' lists build on ``atrium.registration.selectors`` (the organiser
pages' queries, so filters mean the same on the pages and in the API) and add
only what the JSON answers need; the delegate's own queries are API-specific.
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
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from atrium.events.models import Conference, Session
from atrium.registration import selectors
from atrium.registration.models import Registration, SeatBooking
from atrium.registration.services import ACTIVE_BOOKING
from atrium.registration.services import contact_email as contact_email_of

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
    """The organisers' list (``selectors.registration_list``: same filters as their pages).

    Best matches first with ``q``, as in the directory. With ``show_email``
    (organisers) each row carries ``contact_email``; without it (check-in staff)
    the e-mail is not even read.
    """
    registrations = selectors.registration_list(
        conference=conference,
        q=q,
        status=status,
        type=str(type_id) if type_id is not None else "",
        country=country,
        paid=paid,
    ).select_related("conference", "order__conference")
    if show_email:
        registrations = registrations.annotate(contact_email=contact_email())
    if q:
        return registrations.order_by("search_rank", "-created", "-pk")
    return registrations


def quota_sessions(conference: Conference) -> QuerySet[Session]:
    """``selectors.quota_sessions`` (hidden sessions too, with ``taken`` and ``waiting``)."""
    return selectors.quota_sessions(conference).select_related("conference")


def quota_session(conference: Conference, session_id: int) -> Session | None:
    """The session with ``seated_list`` and ``waiting_list`` (``selectors.quota_bookings``)."""
    session = quota_sessions(conference).filter(pk=session_id).first()
    if session is None:
        return None
    session.seated_list, session.waiting_list = selectors.quota_bookings(session)
    bookings = [*session.seated_list, *session.waiting_list]
    # Where mail goes (``services.contact_email``) may be the account's address: one query.
    prefetch_related_objects([b.registration.person for b in bookings], "user")
    for booking in bookings:
        booking.session = session  # one edition for all: no query per row
        booking.contact_email = contact_email_of(booking.registration.person)
        if booking.status != WAITLISTED:
            booking.position = None
    return session
