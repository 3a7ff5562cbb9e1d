"""Organiser forms: the registrations filter, and the small POST forms of the actions.

They only parse input. Whether an action is allowed (approve only what waits for
approval, reject with a reason, a free seat to move someone up) is decided by
``atrium.registration.services``; its ``ValidationError`` comes back onto these forms.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from atrium.core.filters import FilterForm
from atrium.core.search import sort_key
from atrium.registration.models import (
    Currency,
    Delegation,
    Registration,
    RegistrationType,
    SeatBooking,
)


class RegistrationFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    type = forms.ChoiceField(label=_("Type"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    approval = forms.ChoiceField(label=_("Approval"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    delegation = forms.ChoiceField(label=_("Delegation"), required=False)
    paid = forms.ChoiceField(
        label=_("Payment"),
        required=False,
        choices=[("", _("Paid or not")), ("yes", _("Paid")), ("no", _("Awaiting payment"))],
    )
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1)

    def __init__(
        self,
        data=None,
        *,
        types: list[RegistrationType],
        delegations: list[Delegation],
        country_codes: list[str],
    ):
        super().__init__(data)
        self.fields["type"].choices = [("", _("All types"))] + [
            (str(t.pk), t.name_i18n) for t in types
        ]
        self.fields["status"].choices = [("", _("All statuses")), *Registration.Status.choices]
        self.fields["approval"].choices = [
            ("", _("Any approval")),
            *Registration.Approval.choices,
        ]
        names = dict(countries)
        self.fields["country"].choices = [("", _("All countries"))] + sorted(
            ((code, names.get(code, code)) for code in country_codes),
            key=lambda choice: sort_key(str(choice[1])),
        )
        self.fields["delegation"].choices = [
            ("", _("Any delegation")),
            ("none", _("Not in a delegation")),
        ] + [(str(d.pk), d.name_i18n) for d in delegations]


class ActionForm(forms.Form):
    """A button that needs no input (approve, mark paid): only its errors to show."""


class MarkPaidForm(forms.Form):
    """What the bank statement shows: the service checks it and flags a different amount."""

    amount = forms.DecimalField(
        label=_("Amount received"),
        max_digits=10,
        decimal_places=2,
        help_text=_("As on the bank statement; a different amount from the total is flagged."),
    )
    currency = forms.ChoiceField(label=_("Currency received"), choices=Currency.choices)
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(
        label=_("Bank reference"),
        max_length=100,
        required=False,
        help_text=_("The transaction number on the bank statement."),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason sent to the delegate"),
        required=False,  # the service says so when it is missing, in the same words everywhere
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent by e-mail in the delegate's language setting; write it plainly."),
    )


class CancelForm(forms.Form):
    visa_refused = forms.BooleanField(
        label=_("The visa was refused (full refund)"),
        required=False,
    )
    proof = forms.FileField(
        label=_("Letter refusing the visa"),
        required=False,
        help_text=_("Needed for a full refund after a refused visa."),
    )


class SeatsForm(forms.Form):
    """The number of seats of a session with sign-ups."""

    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=100_000)


class BookingForm(forms.Form):
    """Names one seat or waiting-list place of the session shown (move up, remove)."""

    booking = forms.ModelChoiceField(
        queryset=SeatBooking.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose someone on the lists."),
            "invalid_choice": _("This person is no longer on this session's lists."),
        },
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["booking"].queryset = SeatBooking.objects.filter(
            session=session,
            status__in=[SeatBooking.Status.CONFIRMED, SeatBooking.Status.WAITLISTED],
        ).select_related("registration__person", "session")
