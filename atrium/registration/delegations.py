"""Delegations: a registered head leads a group, invites members by e-mail, sees the roster.

Invitation tokens are random; only their SHA-256 is stored. Sending is limited per head
and per delegation, and organisers can stop a delegation from inviting.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.invitations import invitation_withdraw, token_hash
from atrium.core.mail import send_email_on_commit
from atrium.events.models import Conference
from atrium.network.models import Person
from atrium.registration.locking import lock_registration
from atrium.registration.models import (
    Delegation,
    DelegationInvitation,
    Registration,
    RegistrationType,
)

# --- delegations -----------------------------------------------------------------------


@transaction.atomic
def delegation_create(
    *,
    conference: Conference,
    head: Person,
    name: str,
    basis: str,
    name_zh: str = "",
    city: str = "",
    country: str = "",
    organisation=None,
    member_kind: str = Delegation.MemberKind.MIXED,
    actor=None,
) -> Delegation:
    """A head of delegation (registered for the edition) starts a delegation."""
    registration = (
        Registration.objects.select_for_update()
        .filter(conference=conference, person=head, status__in=Registration.ACTIVE)
        .first()
    )
    if registration is None:
        raise ValidationError(_("Register for the conference first, then create your delegation."))
    if registration.delegation_id:
        raise ValidationError(_("You are already in a delegation for this edition."))
    delegation = Delegation(
        conference=conference,
        name=name.strip(),
        name_zh=name_zh.strip(),
        basis=basis,
        city=city.strip(),
        country=country,
        organisation=organisation,
        member_kind=member_kind,
        head=head,
    )
    if basis == Delegation.Basis.CITY and not delegation.city:
        raise ValidationError({"city": _("Name the city the delegation comes from.")})
    if basis == Delegation.Basis.COUNTRY and not delegation.country:
        raise ValidationError({"country": _("Choose the country the delegation comes from.")})
    if basis == Delegation.Basis.ORGANISATION and not organisation:
        raise ValidationError({"organisation": _("Choose the organisation.")})
    delegation.full_clean()
    delegation.save()
    registration.delegation = delegation
    registration.save(update_fields=["delegation", "updated"])
    log_action(actor=actor, action="delegation.created", obj=delegation, conference=conference)
    return delegation


@transaction.atomic
def delegation_invite(
    *,
    delegation: Delegation,
    email: str,
    name: str = "",
    rtype: RegistrationType | None = None,
    join_url: str,
    actor=None,
    language: str = "en",
) -> DelegationInvitation:
    """Invite a member by e-mail. ``join_url`` has a ``{token}`` placeholder for the link.

    The token is random and only its SHA-256 is stored, so a leaked database
    cannot be used to join, and a forged token matches nothing.
    """
    email = email.strip().lower()
    invitation_limits_check(delegation=delegation)
    if rtype is not None and rtype.conference_id != delegation.conference_id:
        raise ValidationError({"type": _("This registration type belongs to another edition.")})
    if delegation.registrations.filter(
        person__email__iexact=email, status__in=Registration.ACTIVE
    ).exists():
        raise ValidationError({"email": _("Someone with this e-mail is already a member.")})
    if delegation.invitations.filter(
        email=email, status=DelegationInvitation.Status.PENDING
    ).exists():
        raise ValidationError({"email": _("This address has an open invitation already.")})
    token = secrets.token_urlsafe(32)
    invitation = DelegationInvitation.objects.create(
        delegation=delegation,
        email=email,
        name=name.strip(),
        type=rtype,
        token_hash=token_hash(token),
    )
    log_action(
        actor=actor,
        action="delegation.invited",
        obj=delegation,
        conference=delegation.conference,
        data={"email": email},
    )
    send_email_on_commit(
        to=email,
        template="registration/email/delegation_invitation",
        context={
            "delegation": delegation,
            "conference": delegation.conference,
            "invitation": invitation,
            "url": join_url.format(token=token),
        },
        language=language,
    )
    invitation.token = token  # for the caller (tests, API); never stored
    return invitation


def invitation_limits_check(*, delegation: Delegation) -> None:
    """May this delegation send one more invitation? ``ValidationError`` if not.

    Invitations go out from the organisers' address with a name the head typed, so they are
    limited: only a head whose own registration is confirmed invites; at most
    ``ATRIUM_DELEGATION_INVITES_PER_DAY`` a day per head (over all their delegations) and
    ``ATRIUM_DELEGATION_INVITES_MAX`` in all per delegation; and not at all once organisers
    have stopped the delegation (``Delegation.invitations_stopped``).
    """
    if delegation.invitations_stopped:
        raise ValidationError(
            _("The organisers have stopped invitations for this delegation; write to them.")
        )
    if not Registration.objects.filter(
        conference_id=delegation.conference_id,
        person_id=delegation.head_id,
        status=Registration.Status.CONFIRMED,
    ).exists():
        raise ValidationError(_("Invitations can be sent once your own registration is confirmed."))
    total = delegation.invitations.count()
    if total >= settings.ATRIUM_DELEGATION_INVITES_MAX:
        raise ValidationError(
            _("This delegation has sent %(count)s invitations, the most allowed.")
            % {"count": total}
        )
    since = timezone.now() - dt.timedelta(days=1)
    today = DelegationInvitation.objects.filter(
        delegation__head_id=delegation.head_id, created__gte=since
    ).count()
    if today >= settings.ATRIUM_DELEGATION_INVITES_PER_DAY:
        raise ValidationError(
            _("You have sent %(count)s invitations in 24 hours, the most allowed; try tomorrow.")
            % {"count": today}
        )


def invitation_for_token(token: str) -> DelegationInvitation | None:
    """The open invitation with this token, or None for a forged, used or withdrawn one."""
    if not token or len(token) > 100:
        return None
    return (
        DelegationInvitation.objects.select_related("delegation__conference", "type")
        .filter(token_hash=token_hash(token), status=DelegationInvitation.Status.PENDING)
        .first()
    )


def _lock_open_invitation(invitation: DelegationInvitation) -> DelegationInvitation:
    invitation = DelegationInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != DelegationInvitation.Status.PENDING:
        raise ValidationError(_("This invitation has been used or withdrawn."))
    return invitation


def _mark_accepted(invitation: DelegationInvitation, registration: Registration) -> None:
    invitation.status = DelegationInvitation.Status.ACCEPTED
    invitation.registration = registration
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "registration", "accepted_at"])


@transaction.atomic
def invitation_accept(
    *, invitation: DelegationInvitation, registration: Registration, actor=None
) -> Registration:
    """Someone already registered joins the delegation that invited them."""
    invitation = _lock_open_invitation(invitation)
    registration = lock_registration(registration)
    if registration.conference_id != invitation.delegation.conference_id:
        raise ValidationError(_("This invitation is for another edition."))
    if registration.status not in Registration.ACTIVE:
        raise ValidationError(_("Your registration is cancelled."))
    if registration.delegation_id:
        raise ValidationError(_("You are already in a delegation for this edition."))
    registration.delegation = invitation.delegation
    registration.save(update_fields=["delegation", "updated"])
    _mark_accepted(invitation, registration)
    log_action(
        actor=actor,
        action="delegation.joined",
        obj=invitation.delegation,
        conference=registration.conference,
        data={"registration": registration.pk},
    )
    return registration


def invitation_revoke(*, invitation: DelegationInvitation, actor=None) -> DelegationInvitation:
    return invitation_withdraw(
        invitation,
        actor=actor,
        action="delegation.invitation_revoked",
        obj=invitation.delegation,
        conference=invitation.delegation.conference,
    )
