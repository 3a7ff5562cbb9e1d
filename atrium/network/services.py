"""Rules that change people and organisations, shared by the admin, the imports and the API.

An e-mail address is how a new account finds its person (the account that confirms
it is linked to the person, with their /me/, badge and check-in), so changing it is
never silent: every change is in the audit log, and a person who has registrations
is told at the old address.
"""

from __future__ import annotations

from django.conf import settings

from atrium.core.audit import log_action
from atrium.core.mail import send_email_on_commit
from atrium.network.models import Person


def person_email_changed(*, person: Person, old_email: str, actor, via: str) -> bool:
    """Record that ``person.email`` (already set, saved in this transaction) replaced ``old_email``.

    Call it in the transaction that saves the new address. ``via`` says how (``"admin"``,
    ``"import <file>"``). Returns False, doing nothing, when only the letter case
    differs. A person with registrations gets a mail at the old address once the
    transaction commits, in the language of their latest registration.
    """
    old_email = old_email or ""
    new_email = person.email or ""
    if old_email.casefold() == new_email.casefold():
        return False
    log_action(
        actor=actor,
        action="network.person_email_changed",
        obj=person,
        data={"old": old_email, "new": new_email, "via": via},
    )
    # ``registrations`` is the reverse relation of registration.Registration.person
    # (network does not import the registration app).
    languages = person.registrations.order_by("-pk").values_list("language", flat=True)
    if old_email and languages.exists():
        send_email_on_commit(
            to=old_email,
            template="network/email/email_changed",
            context={"person": person, "old_email": old_email, "new_email": new_email},
            language=languages.first() or settings.LANGUAGE_CODE,
        )
    return True
