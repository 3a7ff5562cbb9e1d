"""Changes a delegate makes to the programme's view of them: the starred sessions of their
own agenda (shown on ``/me/`` and in their private calendar feed)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from atrium.events.models import AgendaStar, Session
from atrium.network.models import Person


@transaction.atomic
def agenda_star_set(*, person: Person, session: Session, starred: bool) -> bool:
    """Star (``starred=True``) or unstar ``session`` for ``person``; returns the new state.

    Idempotent: starring twice (two clicks, two tabs) keeps one star.
    """
    if starred:
        try:
            with transaction.atomic():
                AgendaStar.objects.get_or_create(person=person, session=session)
        except IntegrityError:  # the same star at the same moment: one row wins
            pass
        return True
    AgendaStar.objects.filter(person=person, session=session).delete()
    return False
