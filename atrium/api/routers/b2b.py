"""B2B on site with a token: a delegate's feedback on their meeting; the organisers'
feedback figures and locking one meeting.

Every change is made by ``atrium.matchmaking.onsite`` (the same rules as the pages): a
refusal is a 422 naming the field, a stale ``version`` a 422 on ``version``.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema

from atrium.api.auth import Role, conference_for_role, require_scope, token_auth
from atrium.api.errors import ErrorOut, invalid, not_found, responses
from atrium.api.models import ApiToken
from atrium.api.routers.events import Slug, published_conference
from atrium.api.schemas import MAX_ID
from atrium.matchmaking import onsite
from atrium.matchmaking import selectors as b2b
from atrium.matchmaking.models import Meeting
from atrium.registration import selectors
from atrium.registration.models import Registration

router = Router(tags=["B2B"], auth=token_auth)

MeetingId = Path(..., ge=1, le=MAX_ID, description="The meeting's id.")


class FeedbackIn(Schema):
    took_place: bool = Field(..., description="Whether the meeting took place.")
    rating: int | None = Field(None, ge=1, le=5, description="1 to 5, only if it took place.")
    note: str = Field("", max_length=1000)


class FeedbackOut(Schema):
    meeting: int
    took_place: bool
    rating: int | None
    note: str
    updated: datetime

    @staticmethod
    def resolve_meeting(obj):
        return obj.meeting_id


class FeedbackFigureOut(Schema):
    session: int = Field(..., description="The B2B session (block) id.")
    title: str
    meetings: int = Field(..., description="Published meetings that have begun.")
    answered: int
    held: int
    not_held: int
    held_rate: float | None = Field(None, description="Percent of answered meetings held.")
    average_rating: float | None


class LockIn(Schema):
    locked: bool
    version: str = Field(..., description="The meeting's ``version`` as last read.")


class MeetingStateOut(Schema):
    id: int
    start: datetime | None
    end: datetime | None
    table: str
    locked: bool
    sequence: int
    version: str

    @staticmethod
    def resolve_table(obj):
        return obj.table_name

    @staticmethod
    def resolve_version(obj):
        return onsite.meeting_version(obj)


@router.post(
    "/conferences/{slug}/me/meetings/{meeting_id}/feedback",
    # 400: a body that is not JSON at all.
    response={**responses(FeedbackOut, auth=True), 400: ErrorOut},
)
def meeting_feedback(request, payload: FeedbackIn, slug: str = Slug, meeting_id: int = MeetingId):
    """Say whether my meeting took place and rate it (once it has begun); again replaces it."""
    require_scope(request, ApiToken.Scope.WRITE)
    conference = published_conference(slug)
    registration = selectors.my_registration(request.auth.user, conference)
    if registration is None or registration.status != Registration.Status.CONFIRMED:
        raise not_found(_("You have no confirmed registration for this conference."))
    meeting = Meeting.objects.filter(
        conference=conference, pk=meeting_id, participants__registration=registration
    ).first()
    if meeting is None:
        raise not_found(_("You have no meeting with this id."))
    try:
        return onsite.feedback_save(meeting=meeting, registration=registration, **payload.dict())
    except PermissionDenied:
        raise not_found(_("You have no meeting with this id.")) from None


@router.get(
    "/conferences/{slug}/b2b/feedback",
    response=responses(list[FeedbackFigureOut], auth=True),
    tags=["Organisers"],
)
def feedback_figures(request, slug: str = Slug):
    """Per B2B block: meetings begun, answered, held, not held, rate held, average rating."""
    conference = conference_for_role(request, slug, Role.ORGANISER)
    return [
        {
            "session": row.block.session_id,
            "title": row.block.session.title_i18n,
            "meetings": row.meetings,
            "answered": row.answered,
            "held": row.held,
            "not_held": row.not_held,
            "held_rate": row.held_rate,
            "average_rating": row.average_rating,
        }
        for row in b2b.feedback_by_block(conference)
    ]


@router.post(
    "/conferences/{slug}/b2b/meetings/{meeting_id}/lock",
    response={**responses(MeetingStateOut, auth=True), 400: ErrorOut},
    tags=["Organisers"],
)
def meeting_lock(request, payload: LockIn, slug: str = Slug, meeting_id: int = MeetingId):
    """Lock a placed meeting where it is (later runs keep it), or unlock it."""
    require_scope(request, ApiToken.Scope.WRITE)
    conference = conference_for_role(request, slug, Role.ORGANISER)
    meeting = Meeting.objects.filter(conference=conference, pk=meeting_id).first()
    if meeting is None:
        raise not_found(_("There is no such meeting in this conference."))
    try:
        meeting = onsite.meeting_lock(
            meeting=meeting,
            locked=payload.locked,
            version=payload.version,
            actor=request.auth.user,
        )
    except DjangoValidationError as error:
        if any(e.code == "stale" for e in error.error_list):
            raise invalid("version", error.messages[0], type="stale") from None
        raise
    meeting.refresh_from_db()
    return meeting
