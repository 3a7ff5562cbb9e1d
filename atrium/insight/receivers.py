"""The insight panel on the organiser dashboard (registration's ``dashboard_sections``),
connected in ``InsightConfig.ready``."""

from __future__ import annotations

from atrium.core.sections import Section


def dashboard_panel(*, request, conference) -> Section:
    """A short summary (registrations so far against the previous edition, what needs
    attention) with a link to the insight page. The panel loads its figures itself
    (htmx, ``insight:panel``), so the dashboard runs no query more for it."""
    return Section("insight/_dashboard_panel.html", {})


def connect() -> None:
    from atrium.registration import hooks

    hooks.dashboard_sections.register(dashboard_panel, order=5)
