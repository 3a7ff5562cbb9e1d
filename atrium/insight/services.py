"""The one thing the insight page changes: the exchange rate an organiser states."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.events.models import Conference
from atrium.insight.models import ConversionRate


def conversion_rate_set(
    *, conference: Conference, rate: Decimal, on: dt.date, actor
) -> ConversionRate:
    """Record that 1 USD was worth ``rate`` CNY on ``on``; the page converts with the newest.

    Raises ``ValidationError`` naming the field for a rate that is not positive.
    """
    if rate is None or rate <= 0:
        raise ValidationError({"rate": _("Enter a rate above zero.")})
    with transaction.atomic():
        entry = ConversionRate(
            conference=conference,
            rate=rate,
            on=on,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        entry.full_clean()
        entry.save()
        log_action(
            actor=actor,
            action="insight.rate_set",
            obj=entry,
            conference=conference,
            data={"rate": str(rate), "on": on.isoformat()},
        )
    return entry
