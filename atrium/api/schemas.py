"""Output and filter schemas of the API.

Bilingual content comes as two fields (``name`` in Latin script, ``name_zh`` in
Chinese, empty when there is none). Times are ISO 8601 with the offset of the
conference's time zone (``2025-09-16T09:00:00+08:00``). No schema here carries
an e-mail address or a phone number except :class:`MyPersonOut`, which only
the owner sees.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django_countries import countries
from ninja import Field, Schema
from pydantic import field_validator

from atrium.events.models import ConferenceRole, Session, SessionRole
from atrium.network.models import Organisation

#: The largest id a path or filter may name (a signed 64-bit integer).
MAX_ID = 2**63 - 1
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
#: Free text without NUL characters (PostgreSQL cannot store or compare them).
TEXT_PATTERN = r"^[^\x00]*$"


def choices(enum: type[TextChoices]):
    """A ``Literal`` of a model's choices, so OpenAPI lists them and bad values get a 422."""
    return Literal[tuple(enum.values)]  # type: ignore[valid-type]


SessionKind = choices(Session.Kind)
SessionRoleName = choices(SessionRole.Role)
OrganisationKind = choices(Organisation.Kind)
ConferenceRoleName = choices(ConferenceRole.Role)


def known_country_code(cls, value: str | None) -> str | None:
    """A ``country`` filter: an ISO code in any case, upper-cased; unknown codes refused."""
    if value is None:
        return None
    code = value.upper()
    if code not in countries:
        raise ValueError(_("%(code)s is not a known country code.") % {"code": value})
    return code


def country_code(country) -> str | None:
    return country.code or None if country else None


# --- the network ---------------------------------------------------------------------


class OrganisationRef(Schema):
    slug: str
    name: str
    name_zh: str
    kind: OrganisationKind
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code.")

    @staticmethod
    def resolve_country(obj) -> str | None:
        return country_code(obj.country)


class PersonOut(Schema):
    """A speaker, chair or listed member: public facts only."""

    slug: str
    name: str
    name_zh: str
    position: str
    position_zh: str
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code.")
    organisation: OrganisationRef | None

    @staticmethod
    def resolve_country(obj) -> str | None:
        return country_code(obj.country)


class SpeakerOut(PersonOut):
    bio: str
    bio_zh: str


class SectorOut(Schema):
    slug: str
    name: str
    name_zh: str
    organisation_count: int


class OrganisationOut(Schema):
    slug: str
    name: str
    name_zh: str
    short_name: str
    kind: OrganisationKind
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code.")
    city: str
    city_zh: str
    website: str
    member_since: int | None = Field(None, description="Year of joining; null if not a member.")
    parent: OrganisationRef | None
    sectors: list[str] = Field(..., description="Slugs of the organisation's sectors.")

    @staticmethod
    def resolve_country(obj) -> str | None:
        return country_code(obj.country)

    @staticmethod
    def resolve_sectors(obj) -> list[str]:
        return [sector.slug for sector in obj.sectors.all()]


class OrganisationDetailOut(OrganisationOut):
    description: str
    description_zh: str
    children: list[OrganisationRef]
    people: list[PersonOut] = Field(..., description="People who agreed to be listed.")

    @staticmethod
    def resolve_children(obj):
        return obj.children_list

    @staticmethod
    def resolve_people(obj):
        return obj.people_list


class OrganisationFilters(Schema):
    q: str = Field(
        "",
        max_length=100,
        pattern=TEXT_PATTERN,
        description="Search in English, Chinese (Simplified or Traditional) or pinyin.",
    )
    country: str | None = Field(
        None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code, e.g. CN."
    )
    kind: OrganisationKind | None = None
    sector: str | None = Field(None, max_length=50, pattern=SLUG_PATTERN, description="slug")
    member: Literal["yes", "no"] | None = Field(None, description="Members only, or non-members.")

    known_country = field_validator("country")(classmethod(known_country_code))


# --- conferences and the programme -------------------------------------------------------


class ConferenceOut(Schema):
    slug: str
    number: int
    name: str
    name_zh: str
    theme: str
    theme_zh: str
    city: str
    city_zh: str
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code.")
    time_zone: str = Field(..., description="IANA time zone; every time is given in it.")
    start_date: date
    end_date: date
    host: OrganisationRef | None

    @staticmethod
    def resolve_country(obj) -> str | None:
        return country_code(obj.country)


class VenueRef(Schema):
    id: int
    name: str
    name_zh: str


class RoomOut(Schema):
    id: int
    name: str
    name_zh: str
    capacity: int | None
    venue: VenueRef | None


class TrackOut(Schema):
    slug: str
    name: str
    name_zh: str


class ConferenceDetailOut(ConferenceOut):
    description: str
    description_zh: str
    rooms: list[RoomOut]
    tracks: list[TrackOut]

    @staticmethod
    def resolve_rooms(obj):
        return obj.rooms.all()

    @staticmethod
    def resolve_tracks(obj):
        return obj.tracks.all()


class RoomRef(Schema):
    id: int
    name: str
    name_zh: str


class SessionPersonOut(Schema):
    role: SessionRoleName
    person: PersonOut


class TalkOut(Schema):
    id: int
    title: str
    title_zh: str
    abstract: str
    abstract_zh: str
    speakers: list[PersonOut]

    @staticmethod
    def resolve_speakers(obj):
        return obj.speaker_list


def _local(value: datetime, session) -> datetime:
    return value.astimezone(session.conference.tz)


class SessionOut(Schema):
    id: int
    kind: SessionKind
    title: str
    title_zh: str
    description: str
    description_zh: str
    start: datetime = Field(..., description="ISO 8601 in the conference's time zone.")
    end: datetime = Field(..., description="ISO 8601 in the conference's time zone.")
    room: RoomRef | None
    place: str = Field(..., description="Where an off-site session happens (no room).")
    place_zh: str
    track: TrackOut | None
    seats: int | None = Field(None, description="Limited seats needing a sign-up; null if open.")
    people: list[SessionPersonOut] = Field(..., description="Chairs, moderators, speakers…")
    talks: list[TalkOut]

    @staticmethod
    def resolve_start(obj) -> datetime:
        return _local(obj.start, obj)

    @staticmethod
    def resolve_end(obj) -> datetime:
        return _local(obj.end, obj)

    @staticmethod
    def resolve_people(obj):
        return obj.role_list

    @staticmethod
    def resolve_talks(obj):
        return obj.talk_list


class SessionFilters(Schema):
    day: date | None = Field(None, description="A day of the conference (local date).")
    kind: SessionKind | None = None
    track: str | None = Field(None, max_length=50, pattern=SLUG_PATTERN, description="slug")
    room: int | None = Field(None, ge=1, le=MAX_ID, description="Room id.")


# --- organiser views -----------------------------------------------------------------------


class UserRef(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.get_full_name()


class ConferenceRoleOut(Schema):
    user: UserRef
    role: ConferenceRoleName


# --- the token's own user ------------------------------------------------------------------


class MyPersonOut(PersonOut):
    """The user's own person record: includes what only they may see."""

    email: str
    phone: str
    directory_opt_in: bool


class MyRoleOut(Schema):
    conference: str = Field(..., description="Slug of the edition.")
    role: ConferenceRoleName

    @staticmethod
    def resolve_conference(obj) -> str:
        return obj.conference.slug


class TokenOut(Schema):
    id: int
    name: str
    scope: Literal["read", "write"]
    prefix: str = Field(..., description="Shown in lists to tell tokens apart; not a secret.")
    created: datetime
    last_used: datetime | None
    expires: datetime | None
    revoked: datetime | None


class MeOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    person: MyPersonOut | None = Field(..., description="The linked person, if any.")
    roles: list[MyRoleOut] = Field(..., description="Roles in running conference editions.")
    token: TokenOut = Field(..., description="The token this call was made with.")
