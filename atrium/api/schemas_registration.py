"""Schemas of the registration API: my registrations and seats, and the organiser's lists.

Times are ISO 8601 with the offset of the edition's time zone, like the rest of
the API. Amounts are strings with two decimals (``"800.00"``) so that no client
rounds them through a float. E-mail addresses appear only in the organiser
schemas (:class:`RegistrationOut` for organisers, :class:`QuotaBookingOut`),
never in an answer that someone other than the owner or an organiser of that
edition can see.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator

from atrium.api.schemas import (
    SLUG_PATTERN,
    TEXT_PATTERN,
    OrganisationRef,
    PersonOut,
    SessionKind,
    choices,
    country_code,
    known_country_code,
)
from atrium.registration.models import Currency, Order, Registration, SeatBooking

RegistrationStatus = choices(Registration.Status)
RegistrationApproval = choices(Registration.Approval)
OrderStatus = choices(Order.Status)
CurrencyCode = choices(Currency)
BookingStatus = choices(SeatBooking.Status)


def local_time(value: datetime | None, conference) -> datetime | None:
    """``value`` in the edition's own time zone (None stays None)."""
    return value.astimezone(conference.tz) if value is not None else None


# --- parts shared by the delegate's and the organiser's views -------------------------------


class RegistrationTypeRef(Schema):
    code: str
    name: str
    name_zh: str


class OrderOut(Schema):
    status: OrderStatus
    currency: CurrencyCode
    total: str = Field(..., description='Amount due, two decimals, e.g. "800.00".')
    paid_at: datetime | None = Field(None, description="When the payment was confirmed.")

    @staticmethod
    def resolve_total(obj) -> str:
        return f"{obj.total:.2f}"

    @staticmethod
    def resolve_paid_at(obj) -> datetime | None:
        return local_time(obj.paid_at, obj.conference)


class DelegationRef(Schema):
    id: int
    name: str
    name_zh: str


class ConsentsOut(Schema):
    directory: bool = Field(..., description="Listed in the attendee directory.")
    photos: bool = Field(..., description="Photos of the person may be published.")


def _consents(registration) -> dict:
    return {
        "directory": registration.consent_directory,
        "photos": registration.consent_photos,
    }


def _order(registration):
    return getattr(registration, "order", None)


# --- my registrations and seats ---------------------------------------------------------------


class BookedSessionRef(Schema):
    id: int
    kind: SessionKind
    title: str
    title_zh: str
    start: datetime = Field(..., description="ISO 8601 in the conference's time zone.")
    end: datetime = Field(..., description="ISO 8601 in the conference's time zone.")

    @staticmethod
    def resolve_start(obj) -> datetime:
        return local_time(obj.start, obj.conference)

    @staticmethod
    def resolve_end(obj) -> datetime:
        return local_time(obj.end, obj.conference)


class BookingOut(Schema):
    id: int = Field(..., description="Give it to DELETE /api/v1/me/bookings/{id} to cancel.")
    session: BookedSessionRef
    status: BookingStatus
    position: int | None = Field(
        None, description="Place on the waiting list (1 = next to move up); null with a seat."
    )
    signed_up: datetime

    @staticmethod
    def resolve_signed_up(obj) -> datetime:
        return local_time(obj.created, obj.session.conference)


class MyRegistrationOut(Schema):
    id: int
    conference: str = Field(..., description="Slug of the edition.")
    reference: str = Field(..., description="The order reference (receipt number), or empty.")
    status: RegistrationStatus
    approval: RegistrationApproval
    created: datetime
    type: RegistrationTypeRef | None
    order: OrderOut | None
    delegation: DelegationRef | None
    consents: ConsentsOut
    bookings: list[BookingOut] = Field(
        ..., description="Seats and waiting-list places (cancelled ones are left out)."
    )

    @staticmethod
    def resolve_conference(obj) -> str:
        return obj.conference.slug

    @staticmethod
    def resolve_created(obj) -> datetime:
        return local_time(obj.created, obj.conference)

    @staticmethod
    def resolve_order(obj):
        return _order(obj)

    @staticmethod
    def resolve_consents(obj) -> dict:
        return _consents(obj)

    @staticmethod
    def resolve_bookings(obj):
        return obj.active_bookings


# --- organisers (and check-in staff) ------------------------------------------------------------


class RegisteredPersonOut(Schema):
    id: int
    name: str
    name_zh: str
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code.")
    organisation: OrganisationRef | None

    @staticmethod
    def resolve_country(obj) -> str | None:
        return country_code(obj.country)


class RegistrationOut(Schema):
    id: int
    reference: str = Field(..., description="The order reference, or empty.")
    status: RegistrationStatus
    approval: RegistrationApproval
    created: datetime
    person: RegisteredPersonOut
    email: str | None = Field(
        None,
        description=(
            "Where mail to the person goes (theirs, else their account's). "
            "Organisers only: null for check-in staff."
        ),
    )
    type: RegistrationTypeRef | None
    order: OrderOut | None
    delegation: DelegationRef | None
    consents: ConsentsOut

    @staticmethod
    def resolve_created(obj) -> datetime:
        return local_time(obj.created, obj.conference)

    @staticmethod
    def resolve_email(obj) -> str | None:
        return getattr(obj, "contact_email", None)

    @staticmethod
    def resolve_order(obj):
        return _order(obj)

    @staticmethod
    def resolve_consents(obj) -> dict:
        return _consents(obj)


class RegistrationFilters(Schema):
    q: str = Field(
        "",
        max_length=100,
        pattern=TEXT_PATTERN,
        description="The person's name in Latin script, Chinese (Simplified or Traditional) "
        "or pinyin: ma jun, majun, 马骏 and 馬駿 all find 马骏.",
    )
    status: RegistrationStatus | None = None
    type: str | None = Field(
        None, max_length=40, pattern=SLUG_PATTERN, description="Code of a registration type."
    )
    country: str | None = Field(
        None, pattern=r"^[A-Za-z]{2}$", description="The person's country, ISO code, e.g. CN."
    )
    paid: Literal["yes", "no"] | None = Field(
        None, description="yes: the order is paid; no: the order awaits payment."
    )

    known_country = field_validator("country")(classmethod(known_country_code))


class QuotaOut(Schema):
    id: int = Field(..., description="The session's id.")
    kind: SessionKind
    title: str
    title_zh: str
    start: datetime = Field(..., description="ISO 8601 in the conference's time zone.")
    end: datetime = Field(..., description="ISO 8601 in the conference's time zone.")
    is_public: bool = Field(..., description="False for a session only organisers see.")
    seats: int
    confirmed: int = Field(..., description="Seats taken.")
    waitlisted: int = Field(..., description="People on the waiting list.")
    free: int = Field(..., description="Seats left (never below 0).")

    @staticmethod
    def resolve_start(obj) -> datetime:
        return local_time(obj.start, obj.conference)

    @staticmethod
    def resolve_end(obj) -> datetime:
        return local_time(obj.end, obj.conference)

    @staticmethod
    def resolve_confirmed(obj) -> int:
        return obj.taken

    @staticmethod
    def resolve_waitlisted(obj) -> int:
        return obj.waiting

    @staticmethod
    def resolve_free(obj) -> int:
        return max(0, obj.seats - obj.taken)


class QuotaBookingOut(Schema):
    booking: int = Field(..., description="The seat booking's id.")
    registration: int = Field(..., description="The registration's id.")
    reference: str
    person: RegisteredPersonOut
    email: str
    status: BookingStatus
    position: int | None = Field(None, description="Place on the waiting list; null with a seat.")
    signed_up: datetime
    promoted_at: datetime | None = Field(None, description="When they moved up to a seat.")

    @staticmethod
    def resolve_booking(obj) -> int:
        return obj.pk

    @staticmethod
    def resolve_registration(obj) -> int:
        return obj.registration_id

    @staticmethod
    def resolve_reference(obj) -> str:
        return obj.registration.reference

    @staticmethod
    def resolve_person(obj):
        return obj.registration.person

    @staticmethod
    def resolve_email(obj) -> str:
        return obj.contact_email or ""

    @staticmethod
    def resolve_signed_up(obj) -> datetime:
        return local_time(obj.created, obj.session.conference)

    @staticmethod
    def resolve_promoted_at(obj) -> datetime | None:
        return local_time(obj.promoted_at, obj.session.conference)


class QuotaDetailOut(QuotaOut):
    seated: list[QuotaBookingOut] = Field(..., description="Seats taken, in sign-up order.")
    waiting: list[QuotaBookingOut] = Field(..., description="The waiting list, first first.")

    @staticmethod
    def resolve_seated(obj):
        return obj.seated_list

    @staticmethod
    def resolve_waiting(obj):
        return obj.waiting_list


class MeetingOut(Schema):
    """One of my published B2B meetings: when, where (table), with whom."""

    id: int
    start: datetime = Field(..., description="ISO 8601 with the edition's UTC offset.")
    end: datetime
    table: str
    place: str
    others: list[PersonOut] = Field(..., description="Everyone in the meeting but me.")
