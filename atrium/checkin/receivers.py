"""Check-in's sections on registration's pages (/me/, the organiser's registration page
and dashboard), connected in ``CheckinConfig.ready``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

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


def photo_viewer(*, user, person) -> bool:
    """Organisers and check-in staff see the photo of someone with an active registration
    (pending or confirmed) for their edition, until ``ATRIUM_PHOTO_VISIBLE_DAYS`` after its
    last day; a cancelled or rejected registration, or an edition long over, shows nothing."""
    from atrium.events.permissions import Role, has_role
    from atrium.registration.models import Registration

    since = timezone.localdate() - dt.timedelta(days=settings.ATRIUM_PHOTO_VISIBLE_DAYS)
    registrations = Registration.objects.filter(
        person=person, status__in=Registration.ACTIVE, conference__end_date__gte=since
    ).select_related("conference")
    return any(has_role(user, r.conference, Role.CHECKIN) for r in registrations)


def connect() -> None:
    from atrium.network import hooks as network_hooks
    from atrium.registration import hooks

    network_hooks.photo_viewers.connect(photo_viewer)

    hooks.me_sections.register(me_section, order=20)
    hooks.registration_detail_sections.register(registration_facts, order=20)
    hooks.dashboard_sections.register(dashboard_panel, order=20)
