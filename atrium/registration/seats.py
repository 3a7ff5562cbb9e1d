"""Seat quotas and waiting lists: visits, dinners and workshops with limited seats.

A confirmed delegate signs up; when the session is full, the waiting list; a freed seat
goes to the first waiting (who is mailed). Every count is decided under the session's row
lock (see the docstring of ``atrium.registration.services`` for the locking rules).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.events.models import Session
from atrium.registration.locking import lock_session
from atrium.registration.models import (
    Registration,
    SeatBooking,
)
from atrium.registration.notices import mail_registration
from atrium.registration.selectors import waitlist_position

# --- seat quotas -----------------------------------------------------------------------


@transaction.atomic
def seat_signup(*, registration: Registration, session: Session, actor=None) -> SeatBooking:
    """A seat if one is free, else a place at the end of the waiting list.

    Signing up twice returns the existing booking. The booking carries ``position``: its
    place on the waiting list (None with a seat), as ``selectors.with_waitlist_position``
    counts it.

    The session's row lock is held for three queries and the two inserts: my bookings
    that matter here, the seats taken and the people waiting, the booking and its audit
    entry. Pass ``registration`` with its ``conference`` loaded (the views do) to spare
    a query under the lock.
    """
    if registration.status != Registration.Status.CONFIRMED:
        raise ValidationError(_("Sign-ups are open to confirmed registrations only."))
    if session.conference_id != registration.conference_id or session.seats is None:
        raise ValidationError(_("This session does not take sign-ups."))
    session = lock_session(session)
    # One query for my booking of this session and for mine that overlap it.
    mine = list(
        SeatBooking.objects.filter(registration=registration, status__in=SeatBooking.ACTIVE)
        .filter(
            Q(session=session) | Q(session__start__lt=session.end, session__end__gt=session.start)
        )
        .select_related("session")
        .order_by("created", "id")
    )
    existing = next((booking for booking in mine if booking.session_id == session.pk), None)
    if existing:
        existing.position = waitlist_position(existing)
        return existing
    if timezone.now() >= session.start:
        raise ValidationError(
            _("Sign-ups for %(title)s closed when it started.") % {"title": session.title_i18n}
        )
    if mine:
        raise ValidationError(
            _("This overlaps with %(title)s, which you signed up for. Cancel that first.")
            % {"title": mine[0].session.title_i18n}
        )
    counts = session.bookings.filter(status__in=SeatBooking.ACTIVE).aggregate(
        taken=Count("pk", filter=Q(status=SeatBooking.Status.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=SeatBooking.Status.WAITLISTED)),
    )
    status = (
        SeatBooking.Status.CONFIRMED
        if counts["taken"] < session.seats
        else SeatBooking.Status.WAITLISTED
    )
    booking = SeatBooking.objects.create(
        session=session, registration=registration, status=status, created=timezone.now()
    )
    # Everyone waiting signed up before, under this lock: the new booking comes after them.
    booking.position = counts["waiting"] + 1 if status == SeatBooking.Status.WAITLISTED else None
    log_action(
        actor=actor,
        action=f"seat.{status}",
        obj=booking,
        conference=registration.conference,
        data={"session": session.pk},
    )
    return booking


@transaction.atomic
def seat_cancel(*, booking: SeatBooking, actor=None) -> list[SeatBooking]:
    """Give up a seat or a waiting-list place; returns the bookings moved up into freed seats."""
    session = lock_session(booking.session)
    booking = SeatBooking.objects.select_related("registration__conference").get(pk=booking.pk)
    if booking.status == SeatBooking.Status.CANCELLED:
        return []
    was_confirmed = booking.status == SeatBooking.Status.CONFIRMED
    booking.status = SeatBooking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    log_action(
        actor=actor,
        action="seat.cancelled",
        obj=booking,
        conference=booking.registration.conference,
        data={"session": session.pk},
    )
    return _fill_free_seats(session, actor=actor) if was_confirmed else []


@transaction.atomic
def session_seats_set(*, session: Session, seats: int, actor=None) -> list[SeatBooking]:
    """Change the number of seats of a session; returns the bookings moved up at once.

    Refused (nothing written) below the seats already taken: a delegate's seat is never
    taken away by a smaller number; remove people from the list first.
    """
    session = lock_session(session)
    if session.seats is None:
        raise ValidationError({"seats": _("This session does not take sign-ups.")})
    if seats < 1:
        raise ValidationError({"seats": _("A session with sign-ups has at least one seat.")})
    taken = session.bookings.filter(status=SeatBooking.Status.CONFIRMED).count()
    if seats < taken:
        raise ValidationError(
            {
                "seats": _(
                    "%(taken)s seats are taken: the session cannot have fewer. Remove "
                    "people from the list first."
                )
                % {"taken": taken}
            }
        )
    before = session.seats
    if seats == before:
        return []
    session.seats = seats
    session.save(update_fields=["seats"])
    log_action(
        actor=actor,
        action="seat.quota_changed",
        obj=session,
        conference=session.conference,
        data={"before": before, "after": seats},
    )
    return _fill_free_seats(session, actor=actor)


@transaction.atomic
def quota_fill(*, session: Session, actor=None) -> list[SeatBooking]:
    """Move people up from the waiting list into free seats (after seats were added)."""
    return _fill_free_seats(lock_session(session), actor=actor)


def _fill_free_seats(session: Session, *, actor) -> list[SeatBooking]:
    """With the session locked: give each free seat to the first on the waiting list."""
    if session.seats is None:
        free = None
    else:
        taken = session.bookings.filter(status=SeatBooking.Status.CONFIRMED).count()
        free = session.seats - taken
        if free <= 0:
            return []
    waiting = (
        session.bookings.filter(status=SeatBooking.Status.WAITLISTED)
        .select_related("registration__person", "registration__conference")
        .order_by("created", "id")
    )
    promoted = list(waiting if free is None else waiting[:free])
    for booking in promoted:
        _promote(booking, session=session, actor=actor)
    return promoted


def _promote(booking: SeatBooking, *, session: Session, actor) -> None:
    booking.status = SeatBooking.Status.CONFIRMED
    booking.promoted_at = timezone.now()
    booking.save(update_fields=["status", "promoted_at"])
    registration = booking.registration
    log_action(
        actor=actor,
        action="seat.promoted",
        obj=booking,
        conference=registration.conference,
        data={"session": session.pk},
    )
    mail_registration(registration, "seat_promoted", session=session)


@transaction.atomic
def seat_promote(*, booking: SeatBooking, actor) -> SeatBooking:
    """An organiser gives a free seat to a chosen person on the waiting list (out of turn)."""
    session = lock_session(booking.session)
    booking = SeatBooking.objects.select_related("registration__person").get(pk=booking.pk)
    if booking.status != SeatBooking.Status.WAITLISTED:
        raise ValidationError(_("Only someone on the waiting list can be moved up."))
    taken = session.bookings.filter(status=SeatBooking.Status.CONFIRMED).count()
    if session.seats is not None and taken >= session.seats:
        raise ValidationError(
            _("All %(seats)s seats are taken: add seats or remove someone first.")
            % {"seats": session.seats}
        )
    _promote(booking, session=session, actor=actor)
    return booking
