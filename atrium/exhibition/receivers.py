"""The exhibition's parts in registration's pages: /me/ shows what a badge scan shares, who
scanned the visitor, with a way to withdraw; the private calendar feed carries the booths
saved to the agenda (``calendar``). Connected in ``ExhibitionConfig.ready``."""

from __future__ import annotations

from atrium.core.sections import Section


def me_section(*, request, registration) -> Section | None:
    from atrium.exhibition import selectors

    if registration.status != registration.Status.CONFIRMED:
        return None
    return Section(
        "exhibition/_me_section.html",
        {
            "leads": selectors.leads_of_visitor(registration),
            "consent": selectors.general_consent(registration.person),
            "saved": list(
                registration.saved_booths.select_related("booth__hall").prefetch_related(
                    "booth__bookings__exhibitor"
                )
            ),
        },
    )


def connect() -> None:
    from atrium.exhibition.calendar import agenda_feed_events
    from atrium.registration import hooks

    hooks.me_sections.register(me_section, order=40)
    hooks.agenda_feed_events.connect(agenda_feed_events)
