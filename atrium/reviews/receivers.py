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


def dashboard_section(*, request, conference) -> Section:
    from atrium.reviews.models import Call

    return Section(
        "reviews/organiser/_dashboard.html",
        {"calls": list(Call.objects.filter(conference=conference))},
    )


def connect() -> None:
    from atrium.registration import hooks

    hooks.me_sections.register(me_section, order=40)
    hooks.dashboard_sections.register(dashboard_section, order=40)
