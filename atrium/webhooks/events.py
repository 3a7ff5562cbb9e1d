"""The catalogue of webhook events: the names other apps pass to ``webhook_emit``.

Import the constants rather than spelling the strings::

    from atrium.webhooks import events
    webhook_emit(conference=..., event=events.REGISTRATION_CONFIRMED, payload={...})
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

REGISTRATION_CONFIRMED = "registration.confirmed"
REGISTRATION_CANCELLED = "registration.cancelled"
CHECKIN_CREATED = "checkin.created"
MEETING_SCHEDULED = "meeting.scheduled"
MEETING_MOVED = "meeting.moved"
MEETING_LOCKED = "meeting.locked"
MEETING_UNSCHEDULED = "meeting.unscheduled"
MEETING_CANCELLED = "meeting.cancelled"
DELEGATE_ABSENT = "delegate.absent"

#: Sent only on an organiser's request ("Send test event"); nobody subscribes to it.
PING = "ping"

#: The events an endpoint may subscribe to, with their labels, in display order.
CATALOGUE: dict[str, str] = {
    REGISTRATION_CONFIRMED: _("Registration confirmed"),
    REGISTRATION_CANCELLED: _("Registration cancelled"),
    CHECKIN_CREATED: _("Check-in"),
    MEETING_SCHEDULED: _("Meeting scheduled"),
    MEETING_MOVED: _("Meeting moved by an organiser"),
    MEETING_LOCKED: _("Meeting locked or unlocked"),
    MEETING_UNSCHEDULED: _("Meeting taken off the schedule"),
    MEETING_CANCELLED: _("Meeting cancelled"),
    DELEGATE_ABSENT: _("Delegate absent from B2B meetings"),
}

CHOICES: list[tuple[str, str]] = list(CATALOGUE.items())

#: Every event a delivery may carry: the catalogue and the test ping.
ALL_EVENTS: frozenset[str] = frozenset(CATALOGUE) | {PING}


def label(event: str) -> str:
    """The human name of ``event`` (the code itself if it is not in the catalogue)."""
    if event == PING:
        return str(_("Test ping"))
    return str(CATALOGUE.get(event, event))


def person_ref(person) -> dict:
    """How every event payload names a person (no contact data)."""
    return {"id": person.pk, "name": person.name, "name_zh": person.name_zh}
