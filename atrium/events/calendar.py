"""iCalendar (RFC 5545) documents of the programme.

One builder serves three feeds: the whole programme of an edition, a single
session, and a delegate's personal agenda (its private URL lives in the
registration app and calls :func:`agenda_calendar`).

Every event carries what a calendar app needs to update it in place on the next
refresh instead of adding a duplicate: a stable ``UID`` (``session-<id>@<host>``)
and ``SEQUENCE``, the session's revision, which goes up on every save. Times are
written in the edition's own time zone (``DTSTART;TZID=Asia/Shanghai:...``) with
the matching ``VTIMEZONE``, so "09:00 in Beijing" stays 09:00 in Beijing wherever
the delegate's phone happens to be.

Sessions should come from :func:`atrium.events.selectors.programme_sessions`
(rooms, tracks, roles and talks loaded up front): the builder only reads what is
already loaded, it never queries per session.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

import icalendar
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils.translation import gettext as _

from atrium.events.models import Conference, Room, Session

PRODID = "-//Atrium//Conference programme//EN"
# How often a subscribed calendar app should fetch the feed again (RFC 7986).
REFRESH_INTERVAL = timedelta(hours=1)
# The VTIMEZONE covers this much time around the edition (time zone rules change).
TIMEZONE_MARGIN = timedelta(days=366)

# Characters that neither iCalendar text nor XML 1.0 may carry (all controls but TAB/LF/CR).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Text without the control characters that calendar files and XML forbid."""
    return _CONTROL_CHARACTERS.sub("", value or "")


def uid_host(request: HttpRequest | None) -> str:
    """The domain in event UIDs: the site's host name without port, or ``atrium``."""
    if request is None:
        return "atrium"
    domain, _port = split_domain_port(request.get_host())
    return domain or "atrium"


def session_uid(session: Session, host: str) -> str:
    return f"session-{session.pk}@{host}"


def session_url(conference: Conference, session: Session, request: HttpRequest | None) -> str:
    path = reverse("events:session", kwargs={"slug": conference.slug, "session_id": session.pk})
    return request.build_absolute_uri(path) if request is not None else path


def session_location(session: Session) -> str:
    """The room and its venue (when loaded), or the off-site place, in the active language."""
    if session.room_id:
        room = session.room
        parts = [room.name_i18n]
        if room.venue_id and Room.venue.is_cached(room):
            parts.append(room.venue.name_i18n)
        return ", ".join(parts)
    return session.place_i18n


def session_people_text(session: Session) -> str:
    """Who takes part and the talks, as plain text lines, from prefetched roles and talks.

    Reads ``role_list`` and ``talk_list`` (see ``selectors.programme_sessions``); a
    session without them simply gets no such lines, rather than a query per session.
    """
    lines: list[str] = []
    by_role: dict[str, list[str]] = {}
    for role in getattr(session, "role_list", None) or []:
        by_role.setdefault(role.get_role_display(), []).append(_person_label(role.person))
    for label, people in by_role.items():
        lines.append(f"{label}: {'; '.join(people)}")
    talks = getattr(session, "talk_list", None) or []
    if talks:
        if lines:
            lines.append("")
        lines.append(_("Talks:"))
        for talk in talks:
            speakers = getattr(talk, "speaker_list", None) or []
            names = "; ".join(_person_label(person) for person in speakers)
            lines.append(f"• {talk.title_i18n}" + (f" ({names})" if names else ""))
    return "\n".join(lines)


def _person_label(person) -> str:
    organisation = person.organisation if person.organisation_id else None
    if organisation is not None:
        return f"{person.name_i18n}, {organisation.name_i18n}"
    return person.name_i18n


def session_event(
    session: Session, *, conference: Conference, request: HttpRequest | None
) -> icalendar.Event:
    """One VEVENT: times in the edition's time zone, texts in the active language."""
    tz = conference.tz
    url = session_url(conference, session, request)
    description = "\n\n".join(
        part
        for part in (session.description_i18n, session_people_text(session), url)
        if part.strip()
    )
    categories = [str(session.get_kind_display())]
    if session.track_id:
        categories.append(session.track.name_i18n)
    event = icalendar.Event()
    event.add("uid", session_uid(session, uid_host(request)))
    event.add("dtstamp", session.updated)
    event.add("last-modified", session.updated)
    event.add("sequence", session.sequence)
    event.add("dtstart", session.start.astimezone(tz))
    event.add("dtend", session.end.astimezone(tz))
    event.add("summary", clean_text(session.title_i18n))
    event.add("description", clean_text(description))
    location = session_location(session)
    if location:
        event.add("location", clean_text(location))
    if request is not None:
        event.add("url", url, parameters={"VALUE": "URI"})
    event.add("categories", [clean_text(c) for c in categories])
    event.add("status", "CONFIRMED")
    event.add("class", "PUBLIC")
    # Breaks do not make the delegate look busy to colleagues' schedulers.
    event.add("transp", "TRANSPARENT" if session.kind == Session.Kind.BREAK else "OPAQUE")
    return event


def build_calendar(
    *,
    conference: Conference,
    sessions: Iterable[Session],
    name: str,
    request: HttpRequest | None,
) -> icalendar.Calendar:
    """A calendar with one VEVENT per session and the VTIMEZONE of the edition."""
    sessions = list(sessions)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", clean_text(name))  # RFC 7986
    calendar.add("x-wr-calname", clean_text(name))  # what most calendar apps read
    calendar.add("x-wr-timezone", conference.time_zone)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL).to_ical().decode())
    calendar.add_component(_timezone(conference, sessions))
    for session in sessions:
        calendar.add_component(session_event(session, conference=conference, request=request))
    return calendar


def _timezone(conference: Conference, sessions: list[Session]) -> icalendar.Timezone:
    """The VTIMEZONE of the edition, with the rules of a year around its sessions."""
    tz = conference.tz
    first: date = min([conference.start_date, *(s.start.astimezone(tz).date() for s in sessions)])
    last: date = max([conference.end_date, *(s.end.astimezone(tz).date() for s in sessions)])
    return icalendar.Timezone.from_tzid(
        conference.time_zone, first_date=first - TIMEZONE_MARGIN, last_date=last + TIMEZONE_MARGIN
    )


def programme_calendar(
    *, conference: Conference, sessions: Iterable[Session], request: HttpRequest | None
) -> icalendar.Calendar:
    name = _("%(conference)s – programme") % {"conference": conference.name_i18n}
    return build_calendar(conference=conference, sessions=sessions, name=name, request=request)


def session_calendar(
    *, conference: Conference, session: Session, request: HttpRequest | None
) -> icalendar.Calendar:
    return build_calendar(
        conference=conference, sessions=[session], name=session.title_i18n, request=request
    )


def agenda_calendar(
    *,
    conference: Conference,
    sessions: Iterable[Session],
    name: str,
    request: HttpRequest | None,
) -> icalendar.Calendar:
    """A delegate's personal agenda: the same events (same UIDs) as the programme feed.

    ``sessions`` should be a ``selectors.programme_sessions(conference)`` queryset
    narrowed to the delegate's sessions, so rooms, roles and talks are loaded in a
    fixed number of queries. Serve it with :func:`ics_response`.
    """
    return build_calendar(conference=conference, sessions=sessions, name=name, request=request)


def ics_response(*, calendar: icalendar.Calendar | bytes, filename: str) -> HttpResponse:
    """The calendar (or its bytes, e.g. cached) as a ``text/calendar`` download ``filename``."""
    body = calendar if isinstance(calendar, bytes) else calendar.to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
