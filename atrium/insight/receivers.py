"""The insight panel on the organiser dashboard (registration's ``dashboard_sections``),
connected in ``InsightConfig.ready``."""

from __future__ import annotations

from atrium.core.sections import Section


def dashboard_panel(*, request, conference) -> Section:
    """A short summary: this edition against the previous one so far, money per currency,
    what needs attention; a link to the full insight page."""
    from atrium.insight import selectors

    comparison = selectors.edition_comparison(conference)
    return Section(
        "insight/_dashboard_panel.html",
        {
            "comparison": comparison,
            "attention": selectors.needs_attention(conference),
        },
    )


def connect() -> None:
    from atrium.registration import hooks

    hooks.dashboard_sections.register(dashboard_panel, order=5)
