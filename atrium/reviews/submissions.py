"""Submissions and their co-authors: draft, hand in, withdraw, invite, confirm.

Part of the services of ``atrium.reviews`` (see ``services.py``)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.invitations import token_hash
from atrium.core.mail import send_email_on_commit
from atrium.network.models import Person
from atrium.reviews.answers import _store_upload, answers_clean
from atrium.reviews.deadlines import check_before_deadline, format_when, lock_submission
from atrium.reviews.models import (
    Call,
    CoAuthor,
    Submission,
)

#: The fields of a submission a submitter may set, beside the form's answers.
SUBMISSION_FIELDS = (
    "title",
    "abstract",
    "track",
    "session_kind",
    "duration_minutes",
    "co_speakers",
    "organisation",
    "solution",
    "projects_served",
    "money_raised_cny",
    "ip_rights",
    "city",
    "proposed_start",
    "proposed_end",
    "venue",
    "supporting_government",
)

#: What each kind of call requires at submission, beside the title.
REQUIRED_BY_KIND = {
    Call.Kind.TALKS: ("abstract", "session_kind", "duration_minutes"),
    Call.Kind.AWARD: ("organisation", "solution"),
    Call.Kind.BIDS: ("city", "proposed_start", "proposed_end", "venue", "supporting_government"),
}

# --- submissions -------------------------------------------------------------------------------


@transaction.atomic
def submission_save(
    *,
    call: Call,
    person: Person,
    submission: Submission | None = None,
    data: Mapping[str, object],
    answers: Mapping[str, object] | None = None,
    files: Mapping[str, object] | None = None,
    language: str = "en",
    actor,
    at: dt.datetime | None = None,
) -> Submission:
    """Create a draft or change one's own submission before its deadline.

    ``data`` holds the fields in :data:`SUBMISSION_FIELDS` (``track`` a Track of the call,
    ``organisation`` an Organisation). Nothing is written on an error.
    """
    at = at or timezone.now()
    unknown = set(data) - set(SUBMISSION_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    if submission is None:
        if at < call.opens_at:
            raise ValidationError(_("This call is not open yet."))
        if at >= call.deadline:
            raise ValidationError(
                _("This call closed on %(date)s.") % {"date": format_when(call.deadline, call)}
            )
        submission = Submission(call=call, submitter=person, language=language)
    else:
        submission = lock_submission(submission)
        if submission.submitter_id != person.pk:
            raise ValidationError(_("Only the submitter can change this submission."))
        if submission.status not in (Submission.Status.DRAFT, Submission.Status.SUBMITTED):
            raise ValidationError(
                _("This submission is %(status)s; it cannot change.")
                % {"status": submission.get_status_display().lower()}
            )
        check_before_deadline(submission, at)
    track = data.get("track")
    if track is not None and track.call_id != call.pk:
        raise ValidationError({"track": _("This track belongs to another call.")})
    for name, value in data.items():
        setattr(submission, name, value)
    previous = submission.answers or {}
    if answers is None:  # keep the answers given before (a change of other fields)
        answers = {k: v for k, v in previous.items() if not isinstance(v, dict)}
    cleaned, uploads = answers_clean(call=call, raw=answers, files=files or {}, previous=previous)
    submission.full_clean(exclude=["answers"])
    for key, (upload, kind) in uploads.items():
        cleaned[key] = _store_upload(upload, kind)
    submission.answers = cleaned
    created = submission.pk is None
    submission.save()
    log_action(
        actor=actor,
        action="reviews.submission_created" if created else "reviews.submission_changed",
        obj=submission,
        conference=call.conference,
    )
    return submission


def _missing_for_submission(submission: Submission) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in REQUIRED_BY_KIND.get(submission.call.kind, ()):
        if getattr(submission, name) in (None, ""):
            label = Submission._meta.get_field(name).verbose_name
            errors[name] = _("%(label)s is required.") % {"label": str(label).capitalize()}
    if (
        submission.proposed_start
        and submission.proposed_end
        and submission.proposed_end < submission.proposed_start
    ):
        errors["proposed_end"] = _("The last day cannot be before the first day.")
    for field in submission.call.fields.all():
        if field.required and field.key not in (submission.answers or {}):
            errors[field.key] = _("%(label)s is required.") % {"label": field.label_i18n}
    return errors


@transaction.atomic
def submission_submit(
    *, submission: Submission, person: Person, actor, at: dt.datetime | None = None
) -> Submission:
    """Hand in a draft: every required field answered, before the deadline."""
    at = at or timezone.now()
    submission = lock_submission(submission)
    if submission.submitter_id != person.pk:
        raise ValidationError(_("Only the submitter can submit this."))
    if submission.status != Submission.Status.DRAFT:
        raise ValidationError(_("Only a draft can be submitted."))
    check_before_deadline(submission, at)
    errors = _missing_for_submission(submission)
    if errors:
        raise ValidationError(errors)
    submission.status = Submission.Status.SUBMITTED
    submission.submitted_at = at
    submission.save(update_fields=["status", "submitted_at", "updated"])
    log_action(
        actor=actor,
        action="reviews.submitted",
        obj=submission,
        conference=submission.call.conference,
    )
    return submission


@transaction.atomic
def submission_withdraw(*, submission: Submission, person: Person, actor) -> Submission:
    """The submitter withdraws, at any time until a decision has been sent."""
    submission = lock_submission(submission)
    if submission.submitter_id != person.pk:
        raise ValidationError(_("Only the submitter can withdraw this."))
    if submission.status not in (Submission.Status.DRAFT, Submission.Status.SUBMITTED):
        raise ValidationError(_("A decision has been made; the submission cannot be withdrawn."))
    submission.status = Submission.Status.WITHDRAWN
    submission.save(update_fields=["status", "updated"])
    log_action(
        actor=actor,
        action="reviews.withdrawn",
        obj=submission,
        conference=submission.call.conference,
    )
    return submission


# --- co-authors ---------------------------------------------------------------------------


@transaction.atomic
def coauthor_invite(
    *,
    submission: Submission,
    person: Person,
    email: str,
    name: str = "",
    confirm_url: str,
    actor,
    language: str = "en",
    at: dt.datetime | None = None,
) -> CoAuthor:
    """Invite a co-author or team member. ``confirm_url`` has a ``{token}`` placeholder.

    The token is random and only its SHA-256 is stored, as for delegation invitations.
    """
    at = at or timezone.now()
    submission = lock_submission(submission)
    if submission.submitter_id != person.pk:
        raise ValidationError(_("Only the submitter can invite co-authors."))
    check_before_deadline(submission, at)
    email = email.strip().lower()
    try:
        from django.core.validators import validate_email

        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    if submission.coauthors.filter(email=email).exclude(status=CoAuthor.Status.REVOKED).exists():
        raise ValidationError({"email": _("This address is invited already.")})
    token = secrets.token_urlsafe(32)
    coauthor = CoAuthor.objects.create(
        submission=submission, email=email, name=name.strip(), token_hash=token_hash(token)
    )
    log_action(
        actor=actor,
        action="reviews.coauthor_invited",
        obj=submission,
        conference=submission.call.conference,
        data={"email": email},
    )
    send_email_on_commit(
        to=email,
        template="reviews/email/coauthor_invitation",
        context={
            "submission": submission,
            "call": submission.call,
            "inviter": person,
            "url": confirm_url.format(token=token),
        },
        language=language,
    )
    coauthor.token = token  # for the caller (tests); never stored
    return coauthor


def coauthor_for_token(token: str) -> CoAuthor | None:
    """The open invitation with this token, or None for a forged, used or withdrawn one."""
    if not token or len(token) > 100:
        return None
    return (
        CoAuthor.objects.select_related("submission__call__conference")
        .filter(token_hash=token_hash(token), status=CoAuthor.Status.PENDING)
        .first()
    )


@transaction.atomic
def coauthor_confirm(*, coauthor: CoAuthor, person: Person, actor) -> CoAuthor:
    coauthor = CoAuthor.objects.select_for_update().get(pk=coauthor.pk)
    if coauthor.status != CoAuthor.Status.PENDING:
        raise ValidationError(_("This invitation has been used or withdrawn."))
    if coauthor.submission.submitter_id == person.pk:
        raise ValidationError(_("You are the submitter already."))
    coauthor.status = CoAuthor.Status.CONFIRMED
    coauthor.person = person
    coauthor.confirmed_at = timezone.now()
    coauthor.save(update_fields=["status", "person", "confirmed_at"])
    log_action(
        actor=actor,
        action="reviews.coauthor_confirmed",
        obj=coauthor.submission,
        conference=coauthor.submission.call.conference,
        data={"person": person.pk},
    )
    return coauthor
