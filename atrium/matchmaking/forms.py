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


# --- on site -------------------------------------------------------------------------------


def slot_value(block, index: int) -> str:
    return f"{block.pk}-{index}"


class MoveForm(forms.Form):
    """Another slot or table for one meeting; ``version`` is what the organiser saw."""

    slot = forms.ChoiceField(label=_("Slot"))
    table = forms.TypedChoiceField(label=_("Table"), coerce=int)
    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, blocks, **kwargs):
        super().__init__(*args, **kwargs)
        from django.utils import timezone
        from django.utils.formats import date_format
        from django.utils.translation import gettext

        self.blocks = {b.pk: b for b in blocks}
        choices = []
        most = 0
        for block in blocks:
            most = max(most, block.table_count)
            group = []
            for index, (start, end) in enumerate(block.slots()):
                local_start = timezone.localtime(start)
                day = date_format(local_start, gettext("D j M"))
                begins = date_format(local_start, "H:i")
                ends = date_format(timezone.localtime(end), "H:i")
                label = f"{day}, {begins}–{ends}"
                group.append((slot_value(block, index), label))
            choices.append((block.session.title_i18n, group))
        self.fields["slot"].choices = [("", "—")] + choices
        labels = []
        for n in range(1, most + 1):
            names = list(dict.fromkeys(b.table_name(n) for b in blocks if n <= b.table_count))
            labels.append((n, " / ".join(names)))
        self.fields["table"].choices = labels

    def clean_slot(self):
        value = self.cleaned_data["slot"]
        try:
            block_id, index = (int(part) for part in value.split("-"))
            block = self.blocks[block_id]
            start, _end = block.slots()[index]
        except (ValueError, KeyError, IndexError):
            raise forms.ValidationError(_("Choose one of the slots.")) from None
        return (block, start)


class LockForm(forms.Form):
    locked = forms.BooleanField(required=False)
    version = forms.CharField(widget=forms.HiddenInput)


class RegistrationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        person = obj.person
        name = person.name_i18n
        if person.organisation_id:
            name = f"{name} ({person.organisation.name_i18n})"
        return name


class AbsenceForm(forms.Form):
    registration = RegistrationChoiceField(label=_("Delegate"), queryset=None)
    since = forms.DateTimeField(
        label=_("Absent from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Local time of the edition. Their meetings from then on are freed."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration"].queryset = registrations


class FeedbackForm(forms.Form):
    took_place = forms.TypedChoiceField(
        label=_("Did the meeting take place?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    rating = forms.TypedChoiceField(
        label=_("How useful was it? (1 to 5)"),
        choices=[("", _("No rating"))] + [(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
