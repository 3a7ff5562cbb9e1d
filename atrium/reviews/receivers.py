"""Reviews' part in pages it does not own: the calls a person submitted to, on /me/.

Connected in ``ReviewsConfig.ready``.
"""

from __future__ import annotations

from atrium.core.sections import Section


def me_section(*, request, registration) -> Section | None:
    from atrium.reviews.selectors import submissions_for_person

    person = registration.person
    rows = submissions_for_person(person=person, conference=registration.conference)
    if not rows:
        return None
    return Section("reviews/_me_submissions.html", {"submissions": rows})


def connect() -> None:
    from atrium.registration import hooks

    hooks.me_sections.register(me_section, order=40)
