"""Helpers shared by the services of calls with review: deadlines and row locks."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _

from atrium.reviews.models import (
    Call,
    Submission,
)


def format_when(moment: dt.datetime, call: Call) -> str:
    return formats.date_format(moment.astimezone(call.conference.tz), "DATETIME_FORMAT")


def lock_submission(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update()
        .select_related("call__conference")
        .get(pk=submission.pk)
    )


def check_before_deadline(submission: Submission, at: dt.datetime) -> None:
    deadline = submission.deadline()
    if at >= deadline:
        raise ValidationError(
            _(
                "The deadline passed on %(date)s; nothing can change without an "
                "extension from the organisers."
            )
            % {"date": format_when(deadline, submission.call)}
        )
