"""Read-only queries of the programme, shared by the pages, the admin and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet

from atrium.events import revision
from atrium.events.hooks import conference_figures
from atrium.events.models import AgendaStar, Conference, Session, SessionRole, Talk
from atrium.network.models import Organisation, Person


def conference_list() -> QuerySet[Conference]:
    return Conference.objects.filter(is_published=True).select_related("host")


def current_conference() -> Conference | None:
    """The edition the site leads with: the published one with the highest number."""
    return conference_list().order_by("-number").first()


def get_conference(slug: str, *, with_revision: bool = False) -> Conference:
    """The published conference with this slug; raises ``Conference.DoesNotExist``.

    ``with_revision``: with its programme's revision read in the same query
    (``atrium.events.revision``), for the pages and exports cached by it.
    """
    conferences = conference_list()
    if with_revision:
        conferences = revision.with_revision(conferences)
    return conferences.get(slug=slug)


def next_edition(conference: Conference) -> Conference | None:
    """The published edition that starts next after ``conference`` (by first day), if any."""
    return (
        conference_list()
        .filter(start_date__gt=conference.start_date)
        .exclude(pk=conference.pk)
        .order_by("start_date", "number")
        .first()
    )


@dataclass(frozen=True)
class ConferenceStats:
    sessions: int
    speakers: int
    delegates: int
    countries: int


def conference_stats(conference: Conference) -> ConferenceStats:
    counts = {"delegates": 0, "countries": 0}
    for figures in conference_figures.send(conference=conference):
        counts.update(figures)
    return ConferenceStats(
        sessions=public_sessions(conference).count(),
        speakers=speakers(conference).count(),
        delegates=counts["delegates"],
        countries=counts["countries"],
    )


def public_sessions(conference: Conference) -> QuerySet[Session]:
    return Session.objects.filter(conference=conference, is_public=True)


def _people_prefetch() -> list:
    """Roles and talks as plain lists (``role_list``, ``talk_list``, ``speaker_list``).

    Lists, not related managers: a page of 200 sessions reads them several times,
    and a manager's ``.all()`` builds a new queryset on every read.
    """
    return [
        Prefetch(
            "roles",
            queryset=SessionRole.objects.select_related("person__organisation").order_by(
                "position", "id"
            ),
            to_attr="role_list",
        ),
        Prefetch(
            "talks",
            queryset=Talk.objects.prefetch_related(
                Prefetch(
                    "speakers",
                    queryset=Person.objects.select_related("organisation"),
                    to_attr="speaker_list",
                )
            ),
            to_attr="talk_list",
        ),
    ]


def programme_sessions(
    conference: Conference,
    *,
    day: date | None = None,
    kind: str | None = None,
    track: str | None = None,
    room: int | None = None,
) -> QuerySet[Session]:
    """Public sessions with their rooms, tracks, roles and talks, in a fixed number of queries."""
    sessions = public_sessions(conference).select_related("room", "track", "conference")
    if day is not None:
        start, end = day_bounds(conference, day)
        sessions = sessions.filter(start__gte=start, start__lt=end)
    if kind:
        sessions = sessions.filter(kind=kind)
    if track:
        sessions = sessions.filter(track__slug=track)
    if room:
        sessions = sessions.filter(room_id=room)
    return sessions.prefetch_related(*_people_prefetch()).order_by("start", "room__position", "id")


def session_detail(conference: Conference, session_id: int) -> Session:
    return (
        public_sessions(conference)
        .select_related("room__venue", "track", "conference")
        .prefetch_related(*_people_prefetch())
        .get(pk=session_id)
    )


def day_bounds(conference: Conference, day: date) -> tuple[datetime, datetime]:
    """A day of the conference, midnight to midnight in its time zone, as aware datetimes."""
    start = datetime.combine(day, time.min, tzinfo=conference.tz)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=conference.tz)


def speakers(conference: Conference) -> QuerySet[Person]:
    """Everyone with a part in a public session of the conference (speaker, chair, ...)."""
    in_sessions = public_sessions(conference)
    return (
        Person.objects.filter(
            Q(session_roles__session__in=in_sessions) | Q(talks__session__in=in_sessions)
        )
        .distinct()
        .select_related("organisation")
        .order_by("sort_name", "name")
    )


def speaker_sessions(conference: Conference, person: Person) -> QuerySet[Session]:
    return (
        public_sessions(conference)
        .filter(Q(roles__person=person) | Q(talks__speakers=person))
        .distinct()
        .select_related("room", "track")
        .prefetch_related(
            Prefetch("talks", queryset=Talk.objects.filter(speakers=person), to_attr="talk_list"),
            Prefetch(
                "roles", queryset=SessionRole.objects.filter(person=person), to_attr="role_list"
            ),
        )
        .order_by("start")
    )


def organisation_sessions(organisation: Organisation) -> QuerySet[Session]:
    """Public sessions of published editions where the organisation's people take part."""
    return (
        Session.objects.filter(is_public=True, conference__is_published=True)
        .filter(
            Q(roles__person__organisation=organisation)
            | Q(talks__speakers__organisation=organisation)
        )
        .distinct()
        .select_related("conference", "room")
        .order_by("-conference__number", "start")
    )


# --- personal agenda ---------------------------------------------------------------------


def starred_session_ids(person: Person | None, conference: Conference) -> set[int]:
    """The ids of the sessions of ``conference`` that ``person`` has starred."""
    if person is None:
        return set()
    return set(
        AgendaStar.objects.filter(person=person, session__conference=conference).values_list(
            "session_id", flat=True
        )
    )


def starred_sessions(person: Person, conference: Conference) -> QuerySet[Session]:
    """The sessions of ``conference`` that ``person`` has starred, in time order."""
    return (
        public_sessions(conference)
        .filter(stars__person=person)
        .select_related("room", "track", "conference")
        .order_by("start", "id")
    )
