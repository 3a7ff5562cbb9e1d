"""B2B forms. They parse input; the rules are in ``services`` and come back as errors
keyed by these fields (``add_service_errors``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from atrium.core.forms import add_service_errors  # noqa: F401 (views import it from here)
from atrium.matchmaking.models import Language, PartnershipKind
from atrium.network.models import Organisation, Sector


class SectorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Sector) -> str:
        return obj.name_i18n


class ProfileForm(forms.Form):
    is_active = forms.BooleanField(
        label=_("Take part in B2B meetings at this edition"),
        required=False,
        initial=True,
        help_text=_(
            "Other delegates taking part see your name, position, organisation, country and "
            "this profile, and may ask you for a meeting. Never your e-mail or phone."
        ),
    )
    sectors = SectorChoiceField(
        queryset=Sector.objects.order_by("name"),
        label=_("Sectors"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    offer_kinds = forms.MultipleChoiceField(
        label=_("My organisation offers"),
        choices=PartnershipKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    offers = forms.CharField(
        label=_("What we offer, in a few words"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    seek_kinds = forms.MultipleChoiceField(
        label=_("My organisation looks for"),
        choices=PartnershipKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    seeks = forms.CharField(
        label=_("What we look for, in a few words"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    partner_kinds = forms.MultipleChoiceField(
        label=_("Kinds of partner we look for"),
        choices=Organisation.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("I can meet in"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    directory_listed = forms.BooleanField(
        label=_("Show this profile on my organisation's page in the member directory"),
        required=False,
    )


class RequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What would you like to talk about? Up to 1,000 characters."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("A note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ColleagueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.person.name_i18n


class ColleagueForm(forms.Form):
    colleague = ColleagueChoiceField(
        queryset=None,
        label=_("Colleague"),
        empty_label=_("Choose a colleague"),
        error_messages={"required": _("Choose a colleague.")},
    )

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleague"].queryset = registrations


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or organisation"), required=False, max_length=100)
    sector = forms.ChoiceField(label=_("Sector"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", _("All sectors"))] + [
            (s.slug, s.name_i18n) for s in Sector.objects.order_by("name")
        ]


class SettingsForm(forms.Form):
    request_limit = forms.IntegerField(
        label=_("Open requests per person"),
        required=False,
        min_value=1,
        max_value=500,
        help_text=_("Waiting and accepted requests a delegate may have at once; empty: no limit."),
    )
    requests_open = forms.BooleanField(label=_("Delegates may send requests"), required=False)


class BlockForm(forms.Form):
    slot_minutes = forms.IntegerField(label=_("Slot length (minutes)"), min_value=5, max_value=240)
    table_count = forms.IntegerField(label=_("Tables"), min_value=1, max_value=500)
    table_names = forms.CharField(
        label=_("Table names"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, in order; tables without a name are called Table 1, 2…"),
    )
    is_active = forms.BooleanField(label=_("Use this block for meetings"), required=False)
