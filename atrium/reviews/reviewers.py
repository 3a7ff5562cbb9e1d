"""Reviewers of a call, their expertise, bids and declared conflicts.

Part of the services of ``atrium.reviews`` (see ``services.py``)."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.invitations import invitation_withdraw, token_hash
from atrium.core.mail import send_email_on_commit
from atrium.events.models import ConferenceRole
from atrium.network.models import Person
from atrium.reviews.models import (
    Assignment,
    Bid,
    Call,
    DeclaredConflict,
    Reviewer,
    ReviewerInvitation,
    Submission,
    Track,
)
from atrium.reviews.selectors import pair_conflict

# --- reviewers, bids, conflicts ----------------------------------------------------------------


@transaction.atomic
def reviewer_invite(
    *,
    call: Call,
    email: str,
    max_load: int = 10,
    track: Track | None = None,
    url: str = "",
    accept_url: str = "",
    actor,
    language: str = "en",
) -> Reviewer | ReviewerInvitation:
    """Make the account with this e-mail a reviewer of the call, and tell them.

    When no account has the e-mail and ``accept_url`` is given (a path with a ``{token}``
    placeholder), an invitation is mailed instead: whoever opens the link signs up or logs
    in and becomes a reviewer (``reviewer_invitation_accept``). Only the token's SHA-256 is
    stored. Returns the ``Reviewer``, or the ``ReviewerInvitation`` (with ``.token``).
    """
    email = email.strip().lower()
    if track is not None and track.call_id != call.pk:
        raise ValidationError({"track": _("This track belongs to another call.")})
    if max_load < 1:
        raise ValidationError({"max_load": _("A reviewer takes at least one review.")})
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is None:
        if not accept_url:
            raise ValidationError(
                {"email": _("No account has this e-mail; ask the reviewer to sign up first.")}
            )
        return _invitation_send(
            call=call,
            email=email,
            max_load=max_load,
            track=track,
            accept_url=accept_url,
            actor=actor,
            language=language,
        )
    if Reviewer.objects.filter(call=call, user=user).exists():
        raise ValidationError({"email": _("This person reviews this call already.")})
    reviewer = _reviewer_create(call=call, user=user, track=track, max_load=max_load)
    log_action(
        actor=actor,
        action="reviews.reviewer_invited",
        obj=call,
        conference=call.conference,
        data={"email": email},
    )
    send_email_on_commit(
        to=user.email,
        template="reviews/email/reviewer_invitation",
        context={"call": call, "url": url},
        language=language,
    )
    return reviewer


def _reviewer_create(*, call: Call, user, track: Track | None, max_load: int) -> Reviewer:
    reviewer = Reviewer.objects.create(
        call=call,
        user=user,
        person=Person.objects.filter(user=user).first(),
        track=track,
        max_load=max_load,
    )
    ConferenceRole.objects.get_or_create(
        conference=call.conference, user=user, role=ConferenceRole.Role.REVIEWER
    )
    return reviewer


def _invitation_send(
    *, call: Call, email: str, max_load: int, track, accept_url: str, actor, language: str
) -> ReviewerInvitation:
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    if ReviewerInvitation.objects.filter(
        call=call, email=email, status=ReviewerInvitation.Status.PENDING
    ).exists():
        raise ValidationError({"email": _("This address is invited already.")})
    token = secrets.token_urlsafe(32)
    invitation = ReviewerInvitation.objects.create(
        call=call, email=email, track=track, max_load=max_load, token_hash=token_hash(token)
    )
    log_action(
        actor=actor,
        action="reviews.reviewer_invitation_sent",
        obj=call,
        conference=call.conference,
        data={"email": email},
    )
    send_email_on_commit(
        to=email,
        template="reviews/email/reviewer_signup_invitation",
        context={"call": call, "url": accept_url.format(token=token)},
        language=language,
    )
    invitation.token = token  # for the caller (tests); never stored
    return invitation


def reviewer_invitation_for_token(token: str) -> ReviewerInvitation | None:
    """The open reviewer invitation with this token, or None for a forged, used or withdrawn one."""
    if not token or len(token) > 100:
        return None
    return (
        ReviewerInvitation.objects.select_related("call__conference", "track")
        .filter(token_hash=token_hash(token), status=ReviewerInvitation.Status.PENDING)
        .first()
    )


@transaction.atomic
def reviewer_invitation_accept(*, invitation: ReviewerInvitation, user, actor) -> Reviewer:
    """The logged-in account becomes a reviewer of the call, as the invitation says (once)."""
    invitation = (
        ReviewerInvitation.objects.select_for_update()
        .select_related("call__conference")
        .get(pk=invitation.pk)
    )
    if invitation.status != ReviewerInvitation.Status.PENDING:
        raise ValidationError(_("This invitation has been used or withdrawn."))
    call = invitation.call
    reviewer = Reviewer.objects.filter(call=call, user=user).first()
    if reviewer is None:
        track = (
            invitation.track if invitation.track and invitation.track.call_id == call.pk else None
        )
        reviewer = _reviewer_create(call=call, user=user, track=track, max_load=invitation.max_load)
    invitation.status = ReviewerInvitation.Status.ACCEPTED
    invitation.reviewer = reviewer
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "reviewer", "accepted_at"])
    log_action(
        actor=actor,
        action="reviews.reviewer_invitation_accepted",
        obj=call,
        conference=call.conference,
        data={"email": invitation.email, "reviewer": reviewer.pk},
    )
    return reviewer


def reviewer_invitation_revoke(*, invitation: ReviewerInvitation, actor) -> ReviewerInvitation:
    return invitation_withdraw(
        invitation,
        actor=actor,
        action="reviews.reviewer_invitation_revoked",
        obj=invitation.call,
        conference=invitation.call.conference,
    )


@transaction.atomic
def reviewer_expertise_save(*, reviewer: Reviewer, sectors, topics: str, actor) -> Reviewer:
    reviewer.topics = topics.strip()[:500]
    reviewer.full_clean()
    reviewer.save(update_fields=["topics"])
    reviewer.sectors.set(sectors)
    log_action(
        actor=actor,
        action="reviews.expertise_saved",
        obj=reviewer,
        conference=reviewer.call.conference,
    )
    return reviewer


@transaction.atomic
def bid_set(*, reviewer: Reviewer, submission: Submission, level: str, actor) -> Bid:
    if submission.call_id != reviewer.call_id:
        raise ValidationError(_("This submission belongs to another call."))
    if level not in Bid.Level.values:
        raise ValidationError({"level": _("Choose eager, willing, not willing or conflict.")})
    if submission.status != Submission.Status.SUBMITTED:
        raise ValidationError(_("Only submitted entries take bids."))
    # a conflict found by the rules (not only the reviewer's own bid or declaration) hides
    # the entry from the reviewer: no bid either, whatever the page or request says
    if set(pair_conflict(reviewer, submission)) - {"bid", "declared"}:
        raise ValidationError(
            _("You have a conflict of interest with this submission; you cannot bid on it.")
        )
    bid, _created = Bid.objects.update_or_create(
        reviewer=reviewer, submission=submission, defaults={"level": level}
    )
    log_action(
        actor=actor,
        action="reviews.bid",
        obj=reviewer,
        conference=reviewer.call.conference,
        data={"submission": submission.pk, "level": level},
    )
    return bid


@transaction.atomic
def conflict_declare(
    *, reviewer: Reviewer, submission: Submission, reason: str = "", actor
) -> DeclaredConflict:
    """A declared conflict: the reviewer loses the assignment unless a review was submitted."""
    if submission.call_id != reviewer.call_id:
        raise ValidationError(_("This submission belongs to another call."))
    declared, _created = DeclaredConflict.objects.get_or_create(
        reviewer=reviewer, submission=submission, defaults={"reason": reason.strip()[:300]}
    )
    Assignment.objects.filter(reviewer=reviewer, submission=submission).delete()
    log_action(
        actor=actor,
        action="reviews.conflict_declared",
        obj=reviewer,
        conference=reviewer.call.conference,
        data={"submission": submission.pk},
    )
    return declared
