"""Rules that change people and organisations, shared by the admin, the imports and the API.

An e-mail address is how a new account finds its person (the account that confirms
it is linked to the person, with their /me/, badge and check-in), so changing it is
never silent: every change is in the audit log, and a person who has registrations
is told at the old address.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.mail import send_email_on_commit
from atrium.core.search import has_han
from atrium.network.models import Organisation, Person
from atrium.network.slugs import slug_base, unique_slug


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


def organisation_add_by_delegate(*, name: str, country: str = "", actor=None) -> Organisation:
    """An organisation a delegate named because it is not listed: a non-member, kind other.

    Flagged ``added_by_delegate`` for the organisers to check and complete. A name already
    listed (same letters, any case, Latin or Chinese) gives that organisation instead of a
    twin. Call inside the caller's transaction (registration).
    """
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"organisation_name": _("Write the name of your organisation.")})
    if len(name) > 200:
        raise ValidationError(
            {"organisation_name": _("The organisation's name is at most 200 characters long.")}
        )
    existing = Organisation.objects.filter(Q(name__iexact=name) | Q(name_zh=name)).first()
    if existing is not None:
        return existing
    base = slug_base(name, fallback="organisation")
    taken = Organisation.objects.filter(Q(slug=base) | Q(slug__startswith=f"{base}-"))
    organisation = Organisation(
        name=name,
        name_zh=name if has_han(name) else "",
        kind=Organisation.Kind.OTHER,
        country=country or "",
        added_by_delegate=True,
        slug=unique_slug(name, set(taken.values_list("slug", flat=True)), fallback="organisation"),
    )
    organisation.refresh_search_key()
    organisation.full_clean()
    organisation.save()
    log_action(
        actor=actor,
        action="organisation.added_by_delegate",
        obj=organisation,
        data={"name": name},
    )
    return organisation
