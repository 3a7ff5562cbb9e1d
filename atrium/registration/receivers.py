"""Registration's figures on the pages of the apps below it, connected in ``ready``."""

from __future__ import annotations

from django.db.models import Count, Q


def conference_figures(*, conference) -> dict[str, int]:
    """Confirmed delegates and the countries they come from, for the edition's home."""
    from atrium.registration.models import Registration

    return Registration.objects.filter(
        conference=conference, status=Registration.Status.CONFIRMED
    ).aggregate(
        delegates=Count("id"),
        countries=Count("person__country", distinct=True, filter=~Q(person__country="")),
    )


def connect() -> None:
    from atrium.events import hooks

    hooks.conference_figures.connect(conference_figures)
