"""Booths a visitor saved, in their private calendar feed.

The feed belongs to registration (``agenda_feed``); exhibition adds its events through
``registration.hooks.agenda_feed_events`` (connected in ``receivers.connect``). A booth has
no time of its own: it is open while its hall is, every day of the edition. So each saved
booth is one event from the hall's opening to its closing on the edition's first day,
repeated daily for the edition's days (``RRULE:FREQ=DAILY;COUNT=n``), shown as free time
(``TRANSP:TRANSPARENT``) so that it never blocks a session or a B2B meeting. A closed
booth is left out. The UID (``exhibition-booth-<booth>-<registration>@<host>``) is stable,
so calendar apps keep the event when the feed is read again, and drop it when the booth is
taken off the agenda.
"""

from __future__ import annotations

import datetime as dt

import icalendar
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from atrium.events.models import Conference
from atrium.exhibition.models import BoothBooking, SavedBooth
from atrium.registration.models import Registration


def saved_booth_uid(saved: SavedBooth, host: str = "atrium") -> str:
    return f"exhibition-booth-{saved.booth_id}-{saved.registration_id}@{host}"


def saved_booths_for_feed(registration: Registration) -> list[SavedBooth]:
    """The open booths the visitor saved, with hall and exhibitor, in two queries."""
    return list(
        SavedBooth.objects.filter(registration=registration, booth__is_closed=False)
        .select_related("booth__hall")
        .prefetch_related(
            Prefetch(
                "booth__bookings",
                queryset=BoothBooking.objects.filter(
                    status=BoothBooking.Status.BOOKED
                ).select_related("exhibitor"),
                to_attr="booked",
            )
        )
    )


def saved_booth_event(
    saved: SavedBooth, *, conference: Conference, host: str = "atrium"
) -> icalendar.Event:
    """One VEVENT, repeated each day of the edition, texts in the active language."""
    booth = saved.booth
    hall = booth.hall
    tz = conference.tz
    exhibitor = booth.booked[0].exhibitor if getattr(booth, "booked", None) else None
    if exhibitor is not None:
        summary = _("Booth %(code)s: %(exhibitor)s") % {
            "code": booth.code,
            "exhibitor": exhibitor.name_i18n,
        }
    else:
        summary = _("Booth %(code)s") % {"code": booth.code}
    days = (conference.end_date - conference.start_date).days + 1
    event = icalendar.Event()
    event.add("uid", saved_booth_uid(saved, host))
    event.add("dtstamp", saved.created)
    event.add("dtstart", dt.datetime.combine(conference.start_date, hall.opens_at, tzinfo=tz))
    event.add("dtend", dt.datetime.combine(conference.start_date, hall.closes_at, tzinfo=tz))
    if days > 1:
        event.add("rrule", {"freq": "daily", "count": days})
    event.add("summary", summary)
    event.add(
        "description",
        _("A booth you saved to your agenda. Open while the hall is: %(opens)s–%(closes)s.")
        % {"opens": hall.opens_at.strftime("%H:%M"), "closes": hall.closes_at.strftime("%H:%M")},
    )
    event.add("location", hall.name_i18n)
    event.add("categories", [str(_("Exhibition"))])
    event.add("class", "PRIVATE")
    event.add("transp", "TRANSPARENT")
    return event


def agenda_feed_events(*, registration: Registration, host: str) -> list[icalendar.Event]:
    """Receiver of ``registration.hooks.agenda_feed_events``."""
    conference = registration.conference
    return [
        saved_booth_event(saved, conference=conference, host=host)
        for saved in saved_booths_for_feed(registration)
    ]
