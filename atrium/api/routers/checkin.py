"""Check-in with a token: the edition's check-ins (organisers, check-in staff) and scanning.

Scanning devices that queue scans while offline send them here later: each scan
carries the ``client_id`` the device made, so a scan sent twice counts once.
"""

import uuid

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from atrium.api.auth import Role, conference_for_role, require_scope, token_auth
from atrium.api.errors import ErrorOut, responses
from atrium.api.models import ApiToken
from atrium.api.pagination import Page
from atrium.api.routers.events import Slug
from atrium.checkin.models import CheckIn
from atrium.checkin.services import checkin_scan
from atrium.events.models import Session

router = Router(tags=["Check-in"], auth=token_auth)


class CheckInOut(Schema):
    id: int
    at: str = Field(..., description="ISO 8601 with the edition's UTC offset.")
    reference: str
    name: str
    name_zh: str
    type: str | None
    session: int | None = Field(None, description="Empty: the main entrance.")
    by: str | None

    @staticmethod
    def resolve_at(obj) -> str:
        return obj.created.astimezone(obj.conference.tz).isoformat()

    @staticmethod
    def resolve_reference(obj) -> str:
        return obj.registration.reference

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.registration.person.name

    @staticmethod
    def resolve_name_zh(obj) -> str:
        return obj.registration.person.name_zh

    @staticmethod
    def resolve_type(obj) -> str | None:
        return obj.registration.type.code if obj.registration.type_id else None

    @staticmethod
    def resolve_session(obj) -> int | None:
        return obj.session_id

    @staticmethod
    def resolve_by(obj) -> str | None:
        return obj.actor.get_username() if obj.actor_id else None


class ScanIn(Schema):
    token: str = Field(..., min_length=1, max_length=200, description="The text of the QR code.")
    client_id: uuid.UUID = Field(..., description="Made by the device, once per scan.")
    session: int | None = Field(None, description="A session with seats; empty: the entrance.")


class ScanOut(Schema):
    state: str = Field(..., description="ok, warning (in, but look) or refused (not in).")
    created: bool = Field(..., description="False when this client_id was sent before.")
    checkin: CheckInOut | None
    warnings: list[str]
    error: str


def _checkins(conference):
    return (
        CheckIn.objects.filter(conference=conference)
        .select_related("conference", "registration__person", "registration__type", "actor")
        .select_related("registration__order")
        .order_by("-created", "-pk")
    )


@router.get("/conferences/{slug}/checkins", response=responses(list[CheckInOut], auth=True))
@paginate(Page)
def checkin_list(request, slug: str = Slug):
    """Everyone checked in at this edition, newest first (organisers and check-in staff)."""
    conference = conference_for_role(request, slug, Role.CHECKIN)
    return _checkins(conference)


@router.post(
    "/conferences/{slug}/checkins",
    # 400: a body that is not JSON at all (a scanner's garbled upload).
    response={**responses(ScanOut, auth=True), 400: ErrorOut},
)
def checkin_create(request, payload: ScanIn, slug: str = Slug):
    """Check in the holder of a badge (needs a read-and-write token of check-in staff)."""
    require_scope(request, ApiToken.Scope.WRITE)
    conference = conference_for_role(request, slug, Role.CHECKIN)
    point = None
    if payload.session is not None:
        point = get_object_or_404(Session, conference=conference, pk=payload.session)
    result = checkin_scan(
        conference=conference,
        token=payload.token,
        client_id=payload.client_id,
        point=point,
        actor=request.auth.user,
    )
    checkin = _checkins(conference).filter(pk=result.checkin.pk).first() if result.checkin else None
    return {
        "state": result.state,
        "created": result.created,
        "checkin": checkin,
        "warnings": [str(w) for w in result.warnings],
        "error": str(result.error),
    }
