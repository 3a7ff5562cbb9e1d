"""What the insight page keeps: the exchange rate an organiser states for a converted total.

Two currencies are never added together on their own (``atrium.core.money``): a total in one
currency is shown only with the rate an organiser entered and the date of that rate.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from atrium.events.models import Conference


class ConversionRate(models.Model):
    """1 USD = ``rate`` CNY on ``on``, as stated by an organiser of the edition.

    The newest row of an edition is the one in use; older ones stay as a record.
    """

    conference = models.ForeignKey(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="conversion_rates",
    )
    rate = models.DecimalField(
        _("CNY for 1 USD"),
        max_digits=10,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001"))],
    )
    on = models.DateField(_("rate of"))
    created = models.DateTimeField(_("entered"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("conversion rate")
        verbose_name_plural = _("conversion rates")

    def __str__(self) -> str:
        return f"1 USD = {self.rate_text} CNY ({self.on})"

    @property
    def rate_text(self) -> str:
        """The rate as written: two decimals at least, more only when given (7.10, 7.1234)."""
        text = f"{Decimal(self.rate):.4f}".rstrip("0")
        whole, _dot, decimals = text.partition(".")
        return f"{whole}.{decimals.ljust(2, '0')}"
