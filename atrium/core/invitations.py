"""Invitations sent by e-mail (delegation members, co-authors, booth staff, reviewers).

The token is random and only its SHA-256 is stored, so a leaked database cannot be used to
join, and a forged token matches nothing. One rule for every app that invites.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from atrium.core.audit import log_action


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_withdraw(invitation, *, actor, action: str, obj, conference):
    """Withdraw an open invitation (any model with ``status`` PENDING/REVOKED and ``email``):
    locked, refused unless still open, written to the audit trail as ``action`` on ``obj``."""
    model = type(invitation)
    invitation = model.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != model.Status.PENDING:
        raise ValidationError(_("Only an open invitation can be withdrawn."))
    invitation.status = model.Status.REVOKED
    invitation.save(update_fields=["status"])
    log_action(
        actor=actor, action=action, obj=obj, conference=conference, data={"email": invitation.email}
    )
    return invitation
