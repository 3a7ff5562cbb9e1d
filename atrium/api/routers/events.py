"""Conference editions and their programme (public), and the organiser's view of roles."""

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.pagination import paginate

from atrium.api.auth import Role, conference_for_role, token_auth
from atrium.api.errors import invalid, not_found, responses
from atrium.api.pagination import Page
from atrium.api.schemas import (
    MAX_ID,
    SLUG_PATTERN,
    ConferenceDetailOut,
    ConferenceOut,
    ConferenceRoleOut,
    SessionFilters,
    SessionOut,
    SpeakerOut,
)
from atrium.events import selectors
from atrium.events.models import Conference, ConferenceRole, Session

router = Router(tags=["Conferences"])

Slug = Path(..., max_length=50, pattern=SLUG_PATTERN, description="The edition's slug.")


def published_conference(slug: str) -> Conference:
    try:
        return selectors.get_conference(slug)
    except Conference.DoesNotExist:
        raise not_found(_("There is no conference “%(slug)s”.") % {"slug": slug}) from None


@router.get("/conferences", response=responses(list[ConferenceOut]))
@paginate(Page)
def conference_list(request):
    """Published editions, newest first."""
    return selectors.conference_list().order_by("-number", "pk")


@router.get("/conferences/{slug}", response=responses(ConferenceDetailOut))
def conference_detail(request, slug: str = Slug):
    """An edition with its rooms and tracks."""
    conference = published_conference(slug)
    prefetch_related_objects([conference], "rooms__venue", "tracks")
    return conference


@router.get("/conferences/{slug}/sessions", response=responses(list[SessionOut]))
@paginate(Page)
def session_list(request, slug: str = Slug, filters: Query[SessionFilters] = None):
    """Public sessions in time order, with rooms, tracks, people and talks."""
    conference = published_conference(slug)
    if filters.day is not None and filters.day not in conference.days:
        raise invalid("day", _("%(day)s is not a day of this conference.") % {"day": filters.day})
    return selectors.programme_sessions(
        conference,
        day=filters.day,
        kind=filters.kind,
        track=filters.track,
        room=filters.room,
    )


@router.get("/conferences/{slug}/sessions/{session_id}", response=responses(SessionOut))
def session_detail(
    request,
    slug: str = Slug,
    session_id: int = Path(..., ge=1, le=MAX_ID),
):
    conference = published_conference(slug)
    try:
        return selectors.session_detail(conference, session_id)
    except Session.DoesNotExist:
        raise not_found(_("There is no such session in this conference.")) from None


@router.get("/conferences/{slug}/speakers", response=responses(list[SpeakerOut]))
@paginate(Page)
def speaker_list(request, slug: str = Slug):
    """Everyone with a part in a public session: speakers, chairs, moderators…"""
    conference = published_conference(slug)
    return selectors.speakers(conference).order_by("sort_name", "name", "pk")


@router.get(
    "/conferences/{slug}/roles",
    response=responses(list[ConferenceRoleOut], auth=True),
    auth=token_auth,
    tags=["Organisers"],
)
@paginate(Page)
def role_list(request, slug: str = Slug):
    """Who runs the edition (organisers only)."""
    conference = conference_for_role(request, slug, Role.ORGANISER)
    return (
        ConferenceRole.objects.filter(conference=conference)
        .select_related("user")
        .order_by("role", "user__username", "pk")
    )
