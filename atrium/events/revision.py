"""The revision of an edition's public programme, and the caches keyed by it.

One query reads the edition together with everything that says whether its programme
has changed: the edition's ``ProgrammeVersion`` token, replaced on every save or delete
of a session, talk, role, room, venue or track of the edition and of the edition itself,
when a talk's speakers change, and when a person taking part or their organisation is
saved, deleted or imported (``atrium.events.receivers``); and, for writes to sessions
that send no signal (``QuerySet.update``), the latest ``updated`` and the number of the
public sessions.

The exports and the timetables are cached on the default cache under keys built from
that revision: a change makes new keys, so a cached copy is never served after a change,
and the old copies expire. Only what is the same for every visitor is cached.
"""

from __future__ import annotations

import hashlib
import uuid

from django.core.cache import caches
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone, translation

from atrium.events.models import Conference, ProgrammeVersion, Session, SessionRole, Talk

#: How long a cached export or timetable is kept; a change makes a new key anyway.
TIMEOUT = 60 * 60 * 24


def bump(**lookup) -> None:
    """New tokens for the editions matching ``lookup`` (their cached copies are never read again).

    Only an update, never an insert: a row deleted with its edition stays deleted.
    """
    ProgrammeVersion.objects.filter(**lookup).update(token=uuid.uuid4().hex, changed=timezone.now())


def bump_people(*, person_ids=(), organisation_ids=()) -> None:
    """New tokens for the editions where these people, or people of these organisations,
    chair, speak or take any part (a name or an affiliation shows in the exports)."""
    person_ids, organisation_ids = list(person_ids), list(organisation_ids)
    if not person_ids and not organisation_ids:
        return
    roles = SessionRole.objects.filter(
        Q(person__in=person_ids) | Q(person__organisation__in=organisation_ids)
    ).values("session__conference_id")
    speakers = Talk.speakers.through.objects.filter(
        Q(person__in=person_ids) | Q(person__organisation__in=organisation_ids)
    ).values("talk__session__conference_id")
    ProgrammeVersion.objects.filter(Q(pk__in=roles) | Q(pk__in=speakers)).update(
        token=uuid.uuid4().hex, changed=timezone.now()
    )


def ensure(conference_id: int) -> None:
    """A new token for an edition that was just saved, creating its row if needed."""
    ProgrammeVersion.objects.update_or_create(
        conference_id=conference_id, defaults={"token": uuid.uuid4().hex, "changed": timezone.now()}
    )


def _scalar(queryset: QuerySet, group: str, aggregate) -> Subquery:
    return Subquery(queryset.order_by().values(group).annotate(value=aggregate).values("value")[:1])


def with_revision(conferences: QuerySet[Conference]) -> QuerySet[Conference]:
    """``conferences`` with the programme's revision read in the same query."""
    edition = OuterRef("pk")
    sessions = Session.objects.filter(conference=edition, is_public=True)
    return conferences.annotate(
        revision_token=Subquery(
            ProgrammeVersion.objects.filter(conference=edition).values("token")[:1]
        ),
        revision_changed=Subquery(
            ProgrammeVersion.objects.filter(conference=edition).values("changed")[:1]
        ),
        revision_latest=_scalar(sessions, "conference", Max("updated")),
        revision_count=_scalar(sessions, "conference", Count("id")),
    )


def parts(conference: Conference) -> tuple:
    """What the revision is made of (the conference must come from ``with_revision``)."""
    return (
        conference.pk,
        conference.revision_token,
        conference.revision_latest,
        conference.revision_count,
    )


def last_modified(conference: Conference):
    """The latest change the revision knows the time of (for ``Last-Modified``)."""
    moments = [conference.revision_changed, conference.revision_latest]
    return max((moment for moment in moments if moment is not None), default=None)


def fingerprint(conference: Conference, *extra: object) -> str:
    """A hash of the revision, the active language and ``extra`` (e.g. host, day, filters)."""
    raw = repr((parts(conference), translation.get_language(), extra))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def cached(name: str, conference: Conference, build, *extra: object):
    """The cached ``name`` of this revision (and language, ``extra``), or ``build()`` stored."""
    cache = caches["default"]
    key = f"atrium:programme:{name}:{fingerprint(conference, *extra)}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value
