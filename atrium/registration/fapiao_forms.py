"""Fapiao forms: the delegate's request, the organisers' filter and issue. They only parse;
the rules (taxpayer number, what a special VAT fapiao needs) are in ``fapiao``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from atrium.core.filters import FilterForm
from atrium.registration.models import FapiaoRequest


class FapiaoRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of fapiao"),
        choices=FapiaoRequest.Kind.choices,
        initial=FapiaoRequest.Kind.ORDINARY,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(
        label=_("Invoice title (抬头)"),
        max_length=200,
        required=False,
        help_text=_("The organisation's full registered name, as the fapiao must show it."),
    )
    taxpayer_number = forms.CharField(
        label=_("Taxpayer number (统一社会信用代码)"),
        max_length=30,
        required=False,
        help_text=_("The unified social credit code on the business licence: 18 characters."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    address = forms.CharField(
        label=_("Registered address"),
        max_length=200,
        required=False,
        help_text=_("Needed for a special VAT fapiao."),
    )
    telephone = forms.CharField(
        label=_("Telephone"),
        max_length=40,
        required=False,
        help_text=_("Needed for a special VAT fapiao."),
    )
    bank = forms.CharField(
        label=_("Bank"),
        max_length=200,
        required=False,
        help_text=_("Needed for a special VAT fapiao."),
    )
    account = forms.CharField(
        label=_("Bank account"),
        max_length=60,
        required=False,
        help_text=_("Needed for a special VAT fapiao."),
    )


class FapiaoFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *FapiaoRequest.Status.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind of fapiao"),
        required=False,
        choices=[("", _("Both kinds")), *FapiaoRequest.Kind.choices],
    )


class FapiaoIssueForm(forms.Form):
    number = forms.CharField(label=_("Fapiao number"), max_length=40, required=False)
    issued_on = forms.DateField(
        label=_("Issued on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    pdf = forms.FileField(
        label=_("Fapiao (PDF, optional)"),
        required=False,
        help_text=_("A PDF of at most 5 MB; kept private, seen only by organisers."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
