"""B2B's part in registration's life: a withdrawn registration calls off its meetings, /me/
lists the meetings, and the private calendar feed carries them. Connected in
``MatchmakingConfig.ready``."""

from __future__ import annotations

from atrium.core.sections import Section


def me_section(*, request, registration) -> Section | None:
    if registration.status != registration.Status.CONFIRMED:
        return None
    return Section("matchmaking/_me_meetings.html")


def registration_withdrawn(*, registration, actor) -> None:
    from atrium.matchmaking.services import withdraw_registration

    withdraw_registration(registration=registration, actor=actor)


def agenda_feed_events(*, registration, host: str) -> list:
    from atrium.matchmaking.calendar import meeting_event
    from atrium.matchmaking.selectors import cancelled_meetings_for_person, meetings_for_person

    conference = registration.conference
    person = registration.person
    return [
        meeting_event(entry, conference=conference, host=host)
        for entry in meetings_for_person(conference=conference, person=person)
    ] + [
        meeting_event(entry, conference=conference, host=host, cancelled=True)
        for entry in cancelled_meetings_for_person(conference=conference, person=person)
    ]


def organisation_section(*, request, organisation) -> Section:
    """The organisation's people looking for partners (the template queries them)."""
    return Section("matchmaking/_organisation_profiles.html")


def connect() -> None:
    from atrium.network import hooks as network_hooks
    from atrium.registration import hooks

    network_hooks.organisation_sections.register(organisation_section, order=10)

    hooks.registration_withdrawn.connect(registration_withdrawn)
    hooks.agenda_feed_events.connect(agenda_feed_events)
    hooks.me_sections.register(me_section, order=30)
