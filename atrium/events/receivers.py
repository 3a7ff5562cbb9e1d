"""Events' sections on the directory's pages, connected in ``EventsConfig.ready``."""

from __future__ import annotations

from atrium.core.sections import Section


def organisation_sessions_section(*, request, organisation) -> Section | None:
    from atrium.events.selectors import organisation_sessions

    sessions = list(organisation_sessions(organisation))
    if not sessions:
        return None
    return Section("events/_organisation_sessions.html", {"sessions": sessions})


def connect() -> None:
    from atrium.network import hooks

    hooks.organisation_sections.register(organisation_sessions_section, order=20)
