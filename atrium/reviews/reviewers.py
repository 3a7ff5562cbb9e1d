"""Reviewers of a call, their expertise, bids and declared conflicts.

Part of the services of ``atrium.reviews`` (see ``services.py``)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.mail import send_email_on_commit
from atrium.events.models import ConferenceRole
from atrium.network.models import Person
from atrium.reviews.models import (
    Assignment,
    Bid,
    Call,
    DeclaredConflict,
    Reviewer,
    Submission,
    Track,
)

# --- reviewers, bids, conflicts ----------------------------------------------------------------


@transaction.atomic
def reviewer_invite(
    *,
    call: Call,
    email: str,
    max_load: int = 10,
    track: Track | None = None,
    url: str = "",
    actor,
    language: str = "en",
) -> Reviewer:
    """Make the account with this e-mail a reviewer of the call, and tell them."""
    email = email.strip().lower()
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is None:
        raise ValidationError(
            {"email": _("No account has this e-mail; ask the reviewer to sign up first.")}
        )
    if track is not None and track.call_id != call.pk:
        raise ValidationError({"track": _("This track belongs to another call.")})
    if max_load < 1:
        raise ValidationError({"max_load": _("A reviewer takes at least one review.")})
    if Reviewer.objects.filter(call=call, user=user).exists():
        raise ValidationError({"email": _("This person reviews this call already.")})
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
