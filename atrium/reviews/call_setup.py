"""Setting up a call (organisers): the call, its tracks, form fields and criteria,
extensions of the deadline.

Part of the services of ``atrium.reviews`` (see ``services.py``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from atrium.core.audit import log_action
from atrium.reviews.deadlines import lock_submission
from atrium.reviews.models import (
    Call,
    Criterion,
    Decision,
    FormField,
    Review,
    Reviewer,
    Submission,
    Track,
)
from atrium.reviews.ranking import weighted_total

# --- calls (organisers) --------------------------------------------------------------------


@transaction.atomic
def call_save(*, call: Call, actor) -> Call:
    """Create or change a call (the organiser's form); checked before it is saved."""
    created = call.pk is None
    call.full_clean()
    call.save()
    log_action(
        actor=actor,
        action="reviews.call_created" if created else "reviews.call_changed",
        obj=call,
        conference=call.conference,
    )
    return call


def _answered(field: FormField) -> int:
    """How many submissions of the call answered this form field."""
    return sum(
        1
        for answers in Submission.objects.filter(call_id=field.call_id).values_list(
            "answers", flat=True
        )
        if (answers or {}).get(field.key) not in (None, "", [])
    )


def _scored(criterion: Criterion) -> list[Review]:
    """The reviews of the call that give this criterion a score."""
    return [
        review
        for review in Review.objects.filter(submission__call_id=criterion.call_id)
        if (review.scores or {}).get(criterion.key) is not None
    ]


def _check_part_change(old, obj) -> list[Review]:
    """Refuse a change that would orphan answers or scores; the reviews to total again."""
    changed_field = isinstance(obj, FormField) and (old.key, old.kind) != (obj.key, obj.kind)
    if changed_field and (count := _answered(old)):
        raise ValidationError(
            {
                "key" if old.key != obj.key else "kind": ngettext(
                    "%(count)s submission answered this field: its key and kind cannot change.",
                    "%(count)s submissions answered this field: its key and kind cannot change.",
                    count,
                )
                % {"count": count}
            }
        )
    if isinstance(obj, Criterion):
        scored = _scored(old)
        if scored and old.key != obj.key:
            raise ValidationError(
                {
                    "key": ngettext(
                        "%(count)s review scored this criterion: its key cannot change.",
                        "%(count)s reviews scored this criterion: its key cannot change.",
                        len(scored),
                    )
                    % {"count": len(scored)}
                }
            )
        outside = sorted(
            {
                review.scores[old.key]
                for review in scored
                if not obj.scale_min <= review.scores[old.key] <= obj.scale_max
            }
        )
        if outside:
            raise ValidationError(
                {
                    "scale_min": _(
                        "Reviews gave scores outside the new scale %(min)s–%(max)s "
                        "(%(scores)s): keep a scale that holds them."
                    )
                    % {
                        "min": obj.scale_min,
                        "max": obj.scale_max,
                        "scores": ", ".join(str(v) for v in outside),
                    }
                }
            )
        if (old.weight, old.counts) != (obj.weight, obj.counts):
            return scored
    return []


@transaction.atomic
def call_part_save(*, obj: Track | FormField | Criterion, actor) -> Track | FormField | Criterion:
    """Create or change a track, a form field or a criterion of a call.

    A change may not orphan what depends on the part: a form field's key and kind stay while
    submissions answered it, a criterion's key stays while reviews scored it and its scale
    keeps their scores; a new weight (or counting) totals those reviews again.
    """
    created = obj.pk is None
    to_total: list[Review] = []
    if not created:
        old = type(obj).objects.select_for_update().get(pk=obj.pk)
        if old.call_id != obj.call_id:
            raise ValidationError(_("This belongs to another call."))
        to_total = _check_part_change(old, obj)
    obj.full_clean()
    obj.save()
    if to_total:
        criteria = [(c.key, float(c.weight)) for c in obj.call.criteria.all() if c.counts]
        for review in to_total:
            review.total = weighted_total(review.scores, criteria)
        Review.objects.bulk_update(to_total, ["total"])
    log_action(
        actor=actor,
        action=f"reviews.{obj._meta.model_name}_{'created' if created else 'changed'}",
        obj=obj,
        conference=obj.call.conference,
    )
    return obj


@transaction.atomic
def call_part_delete(*, obj: Track | FormField | Criterion, actor) -> None:
    """Delete a track, a form field or a criterion, unless something depends on it.

    Refused, saying what depends on it: a track with submissions, reviewers or decisions
    into it; a form field that submissions answered; a criterion that reviews scored.
    """
    obj = type(obj).objects.select_for_update().select_related("call__conference").get(pk=obj.pk)
    call = obj.call
    if isinstance(obj, Track):
        submissions = Submission.objects.filter(track=obj).count()
        reviewers = Reviewer.objects.filter(track=obj).count()
        decisions = Decision.objects.filter(track=obj).count()
        if submissions or reviewers or decisions:
            raise ValidationError(
                _(
                    "The track “%(name)s” cannot be deleted: %(submissions)s submissions, "
                    "%(reviewers)s reviewers and %(decisions)s decisions depend on it. "
                    "Move them to another track first."
                )
                % {
                    "name": obj.name_i18n,
                    "submissions": submissions,
                    "reviewers": reviewers,
                    "decisions": decisions,
                }
            )
    elif isinstance(obj, FormField):
        if count := _answered(obj):
            raise ValidationError(
                ngettext(
                    "The field “%(name)s” cannot be deleted: %(count)s submission answered it.",
                    "The field “%(name)s” cannot be deleted: %(count)s submissions answered it.",
                    count,
                )
                % {"name": obj.label_i18n, "count": count}
            )
    elif isinstance(obj, Criterion):
        if count := len(_scored(obj)):
            raise ValidationError(
                ngettext(
                    "The criterion “%(name)s” cannot be deleted: %(count)s review scored it.",
                    "The criterion “%(name)s” cannot be deleted: %(count)s reviews scored it.",
                    count,
                )
                % {"name": obj.name_i18n, "count": count}
            )
    else:  # pragma: no cover - the view passes only these three
        raise TypeError(type(obj))
    log_action(
        actor=actor,
        action=f"reviews.{obj._meta.model_name}_deleted",
        obj=call,
        conference=call.conference,
        data={"pk": obj.pk, "name": str(obj)},
    )
    obj.delete()


@transaction.atomic
def call_extend(*, call: Call, until: dt.datetime, actor) -> Call:
    """Extend the deadline of the whole call."""
    if until <= call.closes_at:
        raise ValidationError({"until": _("An extension must end after the call closes.")})
    call = Call.objects.select_for_update().get(pk=call.pk)
    call.extended_until = until
    call.save(update_fields=["extended_until", "updated"])
    log_action(
        actor=actor,
        action="reviews.call_extended",
        obj=call,
        conference=call.conference,
        data={"until": until.isoformat()},
    )
    return call


@transaction.atomic
def submission_extend(*, submission: Submission, until: dt.datetime, actor) -> Submission:
    """Extend the deadline of one submission."""
    submission = lock_submission(submission)
    if until <= submission.call.closes_at:
        raise ValidationError({"until": _("An extension must end after the call closes.")})
    submission.extended_until = until
    submission.save(update_fields=["extended_until", "updated"])
    log_action(
        actor=actor,
        action="reviews.submission_extended",
        obj=submission,
        conference=submission.call.conference,
        data={"until": until.isoformat()},
    )
    return submission
