"""Visas' part in registration's life: a withdrawn registration closes its visa requests,
and /me/ links to the letter. Connected in ``VisasConfig.ready``."""

from __future__ import annotations

from atrium.core.sections import Section


def me_section(*, request, registration) -> Section | None:
    if not registration.is_active:
        return None
    return Section("visas/_me_section.html")


def registration_withdrawn(*, registration, actor) -> None:
    from atrium.visas.services import visa_requests_close

    visa_requests_close(registration=registration, actor=actor)


def connect() -> None:
    from atrium.registration import hooks

    hooks.registration_withdrawn.connect(registration_withdrawn)
    hooks.me_sections.register(me_section, order=10)
