"""Check-in's sections on registration's pages (/me/, the organiser's registration page
and dashboard), connected in ``CheckinConfig.ready``."""

from __future__ import annotations

from atrium.checkin import certificates, selectors
from atrium.core.sections import Section


def me_section(*, request, registration) -> Section | None:
    """The badge and the certificate of attendance."""
    checked_in = certificates.has_checkin(registration)
    if registration.status != registration.Status.CONFIRMED and not checked_in:
        return None
    return Section(
        "checkin/_me_section.html",
        {
            "checked_in": checked_in,
            "certificate_refusal": certificates.certificate_refusal(registration),
        },
    )


def registration_facts(*, request, registration) -> Section | None:
    """The badge and, for someone checked in, the certificate (or when it will be due)."""
    checked_in = certificates.has_checkin(registration)
    return Section(
        "checkin/_registration_facts.html",
        {
            "checked_in": checked_in,
            "certificate_refusal": (
                certificates.certificate_refusal(registration) or "" if checked_in else None
            ),
        },
    )


def dashboard_panel(*, request, conference) -> Section:
    """Checked in today, refreshed by the panel itself every 15 seconds."""
    return Section("checkin/_today.html", {"counts": selectors.checkin_counts(conference)})


def connect() -> None:
    from atrium.registration import hooks

    hooks.me_sections.register(me_section, order=20)
    hooks.registration_detail_sections.register(registration_facts, order=20)
    hooks.dashboard_sections.register(dashboard_panel, order=20)
