"""Delegate-side forms. They parse input; the rules (who may register, limits, answers
required per type) are in ``services`` and come back as errors keyed by these fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from atrium.core.i18n import country_choices, is_chinese, shared_country_choices
from atrium.core.tabular import TableUploadForm
from atrium.core.widgets import QuickSelect
from atrium.network.models import Organisation
from atrium.registration.models import Currency, Delegation, Question, RegistrationType
from atrium.registration.phones import phone_e164
from atrium.registration.services import MAX_ANSWER, answer_date_window, date_window_message


def organisation_options(*, chosen, query: str) -> list[Organisation]:
    """The organisations to offer: the one chosen (if any), then matches of the search text."""
    from atrium.network.selectors import organisation_matches

    options = []
    if chosen and str(chosen).isdigit():
        options = list(Organisation.objects.filter(pk=chosen))
    for organisation in organisation_matches(str(query)[:100]):
        if organisation not in options:
            options.append(organisation)
    return options


class ListedTypeField(forms.ModelChoiceField):
    """The registration type chosen, found among the rows of the field's queryset, which
    is read once: the page lists the same rows (``RegistrationForm.types``)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        for rtype in self.queryset:  # evaluated once, then kept by the queryset
            if str(rtype.pk) == str(value):
                return rtype
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class RegistrationForm(forms.Form):
    type = ListedTypeField(
        queryset=RegistrationType.objects.none(),
        label=_("Registration type"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a registration type.")},
    )
    currency = forms.ChoiceField(
        label=_("Pay in"), choices=Currency.choices, initial=Currency.USD, widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("Name (Latin script)"), max_length=200)
    name_zh = forms.CharField(label=_("Name in Chinese"), max_length=100, required=False)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    # The organisation: a search-as-you-type field (``organisation_q``, never stored) offers a
    # few matches as radio buttons named ``organisation`` (the id); ``organisation_name``
    # names one that is not listed, which the registration adds for the organisers.
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        label=_("Organisation"),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose an organisation from the list.")},
    )
    organisation_q = forms.CharField(
        label=_("Find your organisation"),
        max_length=100,
        required=False,
        help_text=_("Type part of its name, in English, in Chinese or in pinyin."),
    )
    organisation_name = forms.CharField(
        label=_("Not listed: add my organisation"),
        max_length=200,
        required=False,
        help_text=_("Its full name; the organisers add it to the directory."),
    )
    # Its choices are set for each form, in its language: none to copy here.
    country = forms.TypedChoiceField(
        label=_("Country"), choices=(), required=False, widget=QuickSelect
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    consent_directory = forms.BooleanField(
        label=_("List me in the attendee directory of this edition"), required=False
    )
    consent_photos = forms.BooleanField(
        label=_("Photos of me taken at the conference may be published"), required=False
    )
    voucher = forms.CharField(label=_("Voucher code"), max_length=40, required=False)

    def __init__(self, *args, conference, types, questions, fixed_type=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.conference = conference
        self.fields["type"].queryset = types
        if fixed_type is not None:
            self.fields["type"].queryset = types.filter(pk=fixed_type.pk)
            self.fields["type"].initial = fixed_type.pk
        self.questions = questions
        self.label_suffix = ""
        self.fields["country"].choices = shared_country_choices(blank_label="—")
        for question in questions:
            field = self._question_field(question)
            # Shown as required; enforced by the service for the types it applies to.
            field.is_needed = question.required
            self.fields[f"q_{question.pk}"] = field

    @staticmethod
    def _question_field(question: Question) -> forms.Field:
        common = {
            "label": question.label_i18n,
            "help_text": question.help_text_i18n,
            # Whether an answer is needed depends on the type chosen: the service decides.
            "required": False,
        }
        if question.kind == Question.Kind.CHOICE:
            chinese = is_chinese()
            choices = [("", "—")] + [
                (value, zh if chinese else en) for value, en, zh in question.option_pairs()
            ]
            return forms.ChoiceField(choices=choices, widget=QuickSelect, **common)
        if question.kind == Question.Kind.YES_NO:
            return forms.ChoiceField(
                choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
                widget=QuickSelect,
                **common,
            )
        if question.kind == Question.Kind.DATE:
            first, last = answer_date_window(question.conference)
            attrs = {"type": "date", "min": first.isoformat(), "max": last.isoformat()}
            return forms.DateField(widget=forms.DateInput(attrs=attrs), **common)
        return forms.CharField(max_length=MAX_ANSWER, **common)

    def clean(self):
        cleaned = super().clean()
        # The service checks the same when the form is sent; here, so that every error
        # shows at once (the service is not called while the form has errors).
        first, last = answer_date_window(self.conference)
        for question in self.questions:
            day = cleaned.get(f"q_{question.pk}")
            if question.kind == Question.Kind.DATE and day and not first <= day <= last:
                self.add_error(f"q_{question.pk}", date_window_message(question, first, last))
        if cleaned.get("phone"):
            try:
                cleaned["phone"] = phone_e164(
                    cleaned["phone"], country=str(cleaned.get("country") or "")
                )
            except ValidationError as error:
                self.add_error("phone", error.message_dict["phone"])
        return cleaned

    @property
    def types(self):
        """The types the form offers, read once for the page and for the check of the choice."""
        return self.fields["type"].queryset

    def question_fields(self):
        return [(q, self[f"q_{q.pk}"]) for q in self.questions]

    def answers(self) -> dict[int, str]:
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q_{question.pk}")
            answers[question.pk] = value.isoformat() if hasattr(value, "isoformat") else value or ""
        return answers

    def organisation_options(self) -> list[Organisation]:
        chosen = self["organisation"].value()
        query = self["organisation_q"].value() or ""
        checked = getattr(self, "cleaned_data", {}).get("organisation")
        if checked is not None and str(checked.pk) == str(chosen):
            # Sent back with errors: the organisation was read when the form was checked.
            return [
                checked,
                *(o for o in organisation_options(chosen=None, query=query) if o != checked),
            ]
        return organisation_options(chosen=chosen, query=query)

    def profile(self) -> dict:
        profile = {
            key: self.cleaned_data[key]
            for key in ("name", "name_zh", "position", "organisation", "country", "phone")
        }
        if not profile["organisation"]:
            profile["organisation_name"] = self.cleaned_data.get("organisation_name", "")
        return profile


class CancelForm(forms.Form):
    visa_refused = forms.BooleanField(
        label=_("I cancel because my visa was refused"), required=False
    )
    proof = forms.FileField(
        label=_("Letter refusing the visa (PDF or image)"),
        required=False,
        help_text=_("Needed for a full refund after a visa refusal. At most 5 MB."),
    )
    confirm = forms.BooleanField(
        label=_("Yes, cancel my registration"),
        error_messages={"required": _("Tick the box to confirm the cancellation.")},
    )


class DelegationForm(forms.ModelForm):
    class Meta:
        model = Delegation
        fields = ["name", "name_zh", "basis", "city", "country", "organisation", "member_kind"]
        widgets = {"basis": forms.RadioSelect, "member_kind": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices(blank_label="—")


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    type = forms.ModelChoiceField(
        queryset=RegistrationType.objects.none(),
        label=_("Registration type"),
        required=False,
        empty_label=_("(the member chooses)"),
    )

    def __init__(self, *args, conference, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = conference.registration_types.filter(is_active=True)


class DelegationImportForm(TableUploadForm):
    """The delegation (found by name in the edition, or created) and the file of its members."""

    name = forms.CharField(label=_("Delegation"), max_length=200)
    basis = forms.ChoiceField(
        label=_("From"), choices=Delegation.Basis.choices, initial=Delegation.Basis.CITY
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = CountryField(blank=True).formfield(label=_("Country"), required=False)
    member_kind = forms.ChoiceField(
        label=_("Members"), choices=Delegation.MemberKind.choices, initial="mixed"
    )

    field_order = ["name", "basis", "city", "country", "member_kind", "file", "dry_run"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices(blank_label="—")
