"""Forms of the visa-letter pages. They only parse input: the rules (passport validity,
the dates' window, formats) are in ``atrium.visas.services`` and come back onto these
forms as errors keyed by the same field names."""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from atrium.visas.models import PassportDetails, VisaLetterRequest
from atrium.visas.services import PASSPORT_VALID_MONTHS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date(label, help_text=""):
    field = forms.DateField(label=label, required=False, widget=DateInput(), help_text=help_text)
    field.is_needed = True  # shown as required; the service says what is missing
    return field


def _text(label, max_length, help_text="", **attrs):
    field = forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
    )
    field.is_needed = True
    return field


class VisaRequestForm(forms.Form):
    passport_name = _text(
        _("Full name as in your passport"),
        200,
        _("Surname and given names exactly as printed in your passport's personal data page."),
        autocomplete="name",
    )
    nationality = CountryField(blank=True).formfield(label=_("Nationality"), required=False)
    date_of_birth = _date(_("Date of birth"))
    passport_number = _text(_("Passport number"), 40, autocomplete="off", spellcheck="false")
    passport_expiry = _date(
        _("Passport valid until"),
        lazy(
            lambda: (
                _("It must be valid at least %(months)s months after the day you leave.")
                % {"months": PASSPORT_VALID_MONTHS}
            ),
            str,
        )(),
    )
    entry_date = _date(_("Intended entry"), _("The day you arrive in the country."))
    exit_date = _date(_("Intended exit"), _("The day you leave the country."))
    consulate_city = _text(
        _("City of the embassy or consulate"),
        100,
        _("Where you will apply for the visa, e.g. Paris, Lyon or London."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        self.fields["nationality"].is_needed = True

    @classmethod
    def initial_for(cls, visa_request: VisaLetterRequest, passport: PassportDetails | None):
        initial = {
            "entry_date": visa_request.entry_date,
            "exit_date": visa_request.exit_date,
            "consulate_city": visa_request.consulate_city,
        }
        if passport is not None:
            initial.update(passport.to_json())
            initial["date_of_birth"] = passport.date_of_birth
            initial["passport_expiry"] = passport.passport_expiry
        return initial

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "passport": PassportDetails(
                passport_name=data["passport_name"],
                nationality=data["nationality"] or "",
                date_of_birth=data["date_of_birth"],
                passport_number=data["passport_number"],
                passport_expiry=data["passport_expiry"],
            ),
            "entry_date": data["entry_date"],
            "exit_date": data["exit_date"],
            "consulate_city": data["consulate_city"],
        }


class VisaActionForm(forms.Form):
    """A button that needs no input (approve): only its errors to show."""


class VisaNoteForm(forms.Form):
    note = forms.CharField(
        label=_("What the delegate should correct"),
        required=False,  # the service says so when it is missing
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent by e-mail in the delegate's language setting; write it plainly."),
    )


class VisaRefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason sent to the delegate"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent by e-mail in the delegate's language setting; write it plainly."),
    )


class VisaFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *VisaLetterRequest.Status.choices],
    )
