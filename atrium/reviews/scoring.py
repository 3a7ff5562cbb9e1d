"""Reviews and scores: the rubric's scales, saving and submitting, reminders.

Part of the services of ``atrium.reviews`` (see ``services.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.mail import send_email_on_commit
from atrium.reviews.deadlines import format_when
from atrium.reviews.models import (
    Assignment,
    Call,
    Review,
    Reviewer,
    Submission,
)
from atrium.reviews.ranking import weighted_total
from atrium.reviews.selectors import pair_conflict

# --- reviews ---------------------------------------------------------------------------------


def scores_clean(*, call: Call, raw: Mapping[str, object], complete: bool) -> dict[str, int]:
    """Scores as whole numbers within each criterion's scale; errors keyed by criterion."""
    errors: dict[str, str] = {}
    scores: dict[str, int] = {}
    criteria = list(call.criteria.all())
    keys = {c.key for c in criteria}
    for key in set(raw) - keys:
        errors[f"score_{key}"] = _("Unknown criterion: %(key)s.") % {"key": key}
    for c in criteria:
        value = raw.get(c.key)
        if value in (None, ""):
            if complete:
                errors[f"score_{c.key}"] = _("%(name)s: give a score.") % {"name": c.name_i18n}
            continue
        try:
            number = int(str(value).strip())
        except ValueError:
            errors[f"score_{c.key}"] = _("%(name)s: enter a whole number.") % {"name": c.name_i18n}
            continue
        if not c.scale_min <= number <= c.scale_max:
            errors[f"score_{c.key}"] = _(
                "%(name)s: the score must be between %(min)s and %(max)s (not %(value)s)."
            ) % {"name": c.name_i18n, "min": c.scale_min, "max": c.scale_max, "value": number}
            continue
        scores[c.key] = number
    if errors:
        raise ValidationError(errors)
    return scores


@transaction.atomic
def review_save(
    *,
    reviewer: Reviewer,
    submission: Submission,
    scores: Mapping[str, object],
    text_for_submitter: str = "",
    text_for_committee: str = "",
    submit: bool = False,
    actor,
    at: dt.datetime | None = None,
) -> Review:
    """Save a draft review or submit it: assigned, no conflict, in the review period, in range."""
    at = at or timezone.now()
    reviewer = (
        Reviewer.objects.select_for_update().select_related("call__conference").get(pk=reviewer.pk)
    )
    call = reviewer.call
    if submission.call_id != call.pk:
        raise ValidationError(_("This submission belongs to another call."))
    if pair_conflict(reviewer, submission):
        raise ValidationError(
            _("You have a conflict of interest with this submission; you cannot review it.")
        )
    if not Assignment.objects.filter(
        reviewer=reviewer, submission=submission, published=True
    ).exists():
        raise ValidationError(_("This submission is not assigned to you."))
    if not submission.is_reviewable:
        raise ValidationError(_("This submission was withdrawn."))
    if at < call.review_from:
        raise ValidationError(
            _("Reviewing opens on %(date)s.") % {"date": format_when(call.review_from, call)}
        )
    if at > call.review_until:
        raise ValidationError(
            _("The review period ended on %(date)s.")
            % {"date": format_when(call.review_until, call)}
        )
    clean = scores_clean(call=call, raw=scores, complete=submit)
    review, _created = Review.objects.select_for_update().get_or_create(
        reviewer=reviewer, submission=submission
    )
    review.scores = clean
    review.total = weighted_total(
        clean, [(c.key, float(c.weight)) for c in call.criteria.all() if c.counts]
    )
    review.text_for_submitter = text_for_submitter.strip()
    review.text_for_committee = text_for_committee.strip()
    if submit:
        review.status = Review.Status.SUBMITTED
        review.submitted_at = review.submitted_at or at
    review.save()
    log_action(
        actor=actor,
        action="reviews.review_submitted" if submit else "reviews.review_saved",
        obj=review,
        conference=call.conference,
        data={"submission": submission.pk},
    )
    return review


def review_reminders(*, call: Call, at: dt.datetime | None = None, url: str = "") -> int:
    """Mail reviewers with open reviews 7 and 3 days before the review deadline.

    Meant to run once a day (a cron job or a periodic task); returns the number of mails.
    """
    at = at or timezone.now()
    days = (
        call.review_until.astimezone(call.conference.tz).date()
        - at.astimezone(call.conference.tz).date()
    ).days
    if days not in (7, 3):
        return 0
    sent = 0
    for reviewer in Reviewer.objects.filter(call=call).select_related("user"):
        assigned = set(
            Assignment.objects.filter(reviewer=reviewer, published=True).values_list(
                "submission_id", flat=True
            )
        )
        done = set(
            Review.objects.filter(reviewer=reviewer, status=Review.Status.SUBMITTED).values_list(
                "submission_id", flat=True
            )
        )
        open_count = len(assigned - done)
        if open_count:
            with transaction.atomic():
                send_email_on_commit(
                    to=reviewer.user.email,
                    template="reviews/email/reminder",
                    context={"call": call, "count": open_count, "days": days, "url": url},
                    language=getattr(getattr(reviewer.user, "sign_up", None), "language", "")
                    or "en",
                )
            sent += 1
    return sent
