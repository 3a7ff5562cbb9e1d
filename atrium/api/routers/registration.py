"""Registration with a token: my registrations, agenda and seats; the organiser's lists.

Every route needs a personal API token. "My" routes only ever read or change the
token user's own rows (someone else's booking is a 404). Organiser routes go
through ``conference_for_role``: registrations for organisers and check-in staff
(without e-mail addresses for check-in staff), seat quotas for organisers only.
Every change is made by ``atrium.registration.services``.
"""

from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from atrium.api.auth import Role, conference_for_role, require_scope, token_auth
from atrium.api.errors import ApiError, invalid, not_found, responses
from atrium.api.models import ApiToken
from atrium.api.pagination import Page
from atrium.api.routers.events import Slug, published_conference
from atrium.api.schemas import MAX_ID, SessionOut
from atrium.api.schemas_registration import (
    BookingOut,
    MeetingOut,
    MyRegistrationOut,
    QuotaDetailOut,
    QuotaOut,
    RegistrationFilters,
    RegistrationOut,
)
from atrium.events.models import Session
from atrium.events.permissions import has_role
from atrium.matchmaking.selectors import meetings_for_person
from atrium.registration import seats, selectors, services
from atrium.registration.models import Registration, SeatBooking

router = Router(tags=["Registration"], auth=token_auth)

SessionId = Path(..., ge=1, le=MAX_ID, description="The session's id.")


# --- mine --------------------------------------------------------------------------------


@router.get("/me/registrations", response=responses(list[MyRegistrationOut], auth=True))
@paginate(Page)
def my_registrations(request):
    """My registrations in published editions, with order, delegation and seats."""
    return selectors.my_registrations(request.auth.user)


@router.get("/conferences/{slug}/me/agenda", response=responses(list[SessionOut], auth=True))
@paginate(Page)
def my_agenda(request, slug: str = Slug):
    """My agenda: the sessions I have a seat in and those I have a part in, in time order.

    404 unless I hold a confirmed registration for the edition.
    """
    conference = published_conference(slug)
    registration = selectors.my_registration(request.auth.user, conference)
    if registration is None or registration.status != Registration.Status.CONFIRMED:
        raise not_found(_("You have no confirmed registration for this conference."))
    return services.agenda_sessions(registration=registration)


@router.get("/conferences/{slug}/me/meetings", response=responses(list[MeetingOut], auth=True))
@paginate(Page)
def my_meetings(request, slug: str = Slug):
    """My published B2B meetings in time order, with their table and the other participants.

    404 unless I hold a confirmed registration for the edition.
    """
    conference = published_conference(slug)
    registration = selectors.my_registration(request.auth.user, conference)
    if registration is None or registration.status != Registration.Status.CONFIRMED:
        raise not_found(_("You have no confirmed registration for this conference."))
    entries = meetings_for_person(conference=conference, person=registration.person)
    for entry in entries:
        entry.start = entry.start.astimezone(conference.tz)
        entry.end = entry.end.astimezone(conference.tz)
    return entries


@router.post(
    "/conferences/{slug}/sessions/{session_id}/signup",
    response={**responses(BookingOut, status=201, auth=True), 200: BookingOut},
)
def seat_signup(request, slug: str = Slug, session_id: int = SessionId):
    """Sign up for a session with limited seats: a seat if one is free, else the waiting list.

    201 with the new booking; 200 with the existing one if I am signed up already.
    422 with the reason when the rules refuse (not confirmed, overlapping sign-up,
    a session without sign-ups).
    """
    require_scope(request, ApiToken.Scope.WRITE)
    conference = published_conference(slug)
    session = Session.objects.filter(conference=conference, pk=session_id, is_public=True).first()
    if session is None:
        raise not_found(_("There is no such session in this conference."))
    registration = selectors.my_registration(request.auth.user, conference)
    if registration is None:
        raise ApiError(422, "invalid", _("Register for this conference first."))
    before = set(
        registration.bookings.filter(
            session=session, status__in=services.ACTIVE_BOOKING
        ).values_list("pk", flat=True)
    )
    booking = seats.seat_signup(registration=registration, session=session, actor=request.auth.user)
    booking = selectors.with_waitlist_position(
        SeatBooking.objects.select_related("session__conference").filter(pk=booking.pk)
    ).get()
    return Status(200 if booking.pk in before else 201, booking)


@router.delete("/me/bookings/{booking_id}", response=responses(None, status=204, auth=True))
def seat_cancel(request, booking_id: int = Path(..., ge=1, le=MAX_ID)):
    """Give up my seat or waiting-list place; the first on the waiting list moves up.

    Cancelling a cancelled booking changes nothing (204 again).
    """
    require_scope(request, ApiToken.Scope.WRITE)
    booking = selectors.my_booking(request.auth.user, booking_id)
    if booking is None:
        raise not_found(_("You have no booking with this id."))
    seats.seat_cancel(booking=booking, actor=request.auth.user)
    return Status(204, None)


# --- organisers and check-in staff -------------------------------------------------------------


@router.get(
    "/conferences/{slug}/registrations",
    response=responses(list[RegistrationOut], auth=True),
    tags=["Organisers"],
)
@paginate(Page)
def registration_list(request, slug: str = Slug, filters: Query[RegistrationFilters] = None):
    """The edition's registrations, newest first (best matches first with ``q``).

    Organisers and check-in staff; only organisers see e-mail addresses.
    """
    conference = conference_for_role(request, slug, Role.ORGANISER, Role.CHECKIN)
    type_id = None
    if filters.type:
        type_id = (
            conference.registration_types.filter(code=filters.type)
            .values_list("pk", flat=True)
            .first()
        )
        if type_id is None:
            raise invalid(
                "type",
                _("There is no registration type “%(code)s”.") % {"code": filters.type},
                type="unknown",
            )
    return selectors.api_registration_list(
        conference,
        q=filters.q,
        status=filters.status or "",
        type_id=type_id,
        country=filters.country or "",
        paid=filters.paid or "",
        show_email=has_role(request.auth.user, conference, Role.ORGANISER),
    )


@router.get(
    "/conferences/{slug}/quotas", response=responses(list[QuotaOut], auth=True), tags=["Organisers"]
)
@paginate(Page)
def quota_list(request, slug: str = Slug):
    """Sessions with limited seats (hidden ones too), in time order, with their counts."""
    conference = conference_for_role(request, slug, Role.ORGANISER)
    return selectors.quota_sessions(conference).select_related("conference")


@router.get(
    "/conferences/{slug}/quotas/{session_id}",
    response=responses(QuotaDetailOut, auth=True),
    tags=["Organisers"],
)
def quota_detail(request, slug: str = Slug, session_id: int = SessionId):
    """A session's seats: who has one, in sign-up order, and the waiting list in its order."""
    conference = conference_for_role(request, slug, Role.ORGANISER)
    session = selectors.quota_session_detail(conference, session_id)
    if session is None:
        raise not_found(_("There is no session with limited seats with this id here."))
    return session
