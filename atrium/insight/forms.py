from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class RateForm(forms.Form):
    """1 USD = ``rate`` CNY on ``on``."""

    rate = forms.DecimalField(
        label=_("CNY for 1 USD"),
        min_value=Decimal("0.0001"),
        max_digits=10,
        decimal_places=4,
    )
    on = forms.DateField(
        label=_("Rate of (date)"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the rate was quoted, shown beside every converted total."),
    )


class ViewForm(forms.Form):
    """The time series' switches: period and split (unknown values fall back to defaults)."""

    period = forms.ChoiceField(
        required=False,
        choices=[("day", _("Day")), ("week", _("Week")), ("month", _("Month"))],
    )
    split = forms.ChoiceField(
        required=False,
        choices=[("", _("All")), ("type", _("By type")), ("status", _("By status"))],
    )
    day = forms.DateField(required=False)

    def values(self) -> dict:
        if not self.is_valid():
            return {"period": "day", "split": "", "day": None}
        return {
            "period": self.cleaned_data["period"] or "day",
            "split": self.cleaned_data["split"] or "",
            "day": self.cleaned_data["day"],
        }
