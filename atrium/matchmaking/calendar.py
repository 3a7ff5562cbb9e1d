"""A published B2B meeting as an iCalendar event, for the delegate's personal feed.

The feed itself belongs to the registration app (``agenda_feed``); it adds one event per
entry of :func:`atrium.matchmaking.selectors.meetings_for_person`::

    for entry in meetings_for_person(conference=conference, person=registration.person):
        calendar.add_component(meeting_event(entry, conference=conference, host=host))

The UID is stable (``b2b-meeting-<id>@<host>``) and ``SEQUENCE`` is the meeting's revision,
which goes up whenever its time, table or people change (an organiser's move, an absence,
a publication), so calendar apps update the event in place; a published meeting that is
called off stays in the feed as ``STATUS:CANCELLED`` with its last SEQUENCE.
Times are in the edition's time zone, like the programme's events.
"""

from __future__ import annotations

import re

import icalendar
from django.utils.translation import gettext as _

from atrium.events.models import Conference
from atrium.matchmaking.selectors import MeetingEntry

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(value: str) -> str:
    return _CONTROL_CHARACTERS.sub("", value or "")


def meeting_uid(entry: MeetingEntry, host: str = "atrium") -> str:
    return f"b2b-meeting-{entry.id}@{host}"


def meeting_event(
    entry: MeetingEntry,
    *,
    conference: Conference,
    host: str = "atrium",
    url: str = "",
    cancelled: bool = False,
) -> icalendar.Event:
    """One VEVENT for a published meeting, texts in the active language; ``cancelled``: a
    meeting called off after publication (``STATUS:CANCELLED``, same UID, new SEQUENCE)."""
    tz = conference.tz
    people = [
        f"{p.name_i18n}, {p.organisation.name_i18n}" if p.organisation else p.name_i18n
        for p in entry.participants
    ]
    description = "\n".join(
        [_("B2B meeting at %(table)s.") % {"table": entry.table}, "", _("With:")]
        + [f"• {line}" for line in people]
        + (["", url] if url else [])
    )
    event = icalendar.Event()
    event.add("uid", meeting_uid(entry, host))
    event.add("dtstamp", entry.updated)
    event.add("last-modified", entry.updated)
    event.add("sequence", entry.sequence)
    event.add("dtstart", entry.start.astimezone(tz))
    event.add("dtend", entry.end.astimezone(tz))
    event.add("summary", _clean(entry.summary))
    event.add("description", _clean(description))
    event.add("location", _clean(entry.location))
    if url:
        event.add("url", url, parameters={"VALUE": "URI"})
    event.add("categories", [_clean(str(_("B2B meeting")))])
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("class", "PRIVATE")
    event.add("transp", "OPAQUE")
    return event
