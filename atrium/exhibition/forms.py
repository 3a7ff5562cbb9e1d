"""Forms of the exhibition's pages: they parse; the services decide."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from atrium.exhibition.models import Booth, Exhibitor, Lead, LeadConsent, PlanFeature, StaffPass


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search exhibitors and booths"), required=False, max_length=100)


class ApplyForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Exhibitor
        fields = [
            "display_name",
            "display_name_zh",
            "description",
            "description_zh",
            "website",
            "wished_booth",
            "wished_category",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "description_zh": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, conference, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wished_booth"].queryset = Booth.objects.filter(
            hall__conference=conference
        ).select_related("hall")
        self.fields["display_name"].required = False


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Name on the plan"), max_length=200)
    display_name_zh = forms.CharField(
        label=_("Name on the plan in Chinese"), max_length=200, required=False
    )
    description = forms.CharField(
        label=pgettext_lazy("exhibitor profile", "Profile"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    description_zh = forms.CharField(
        label=_("Profile in Chinese"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    website = forms.CharField(label=_("Website"), max_length=200, required=False)


class ProductForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("name of a thing", "Name"), max_length=200)
    name_zh = forms.CharField(
        label=pgettext_lazy("name of a thing", "Name in Chinese"), max_length=200, required=False
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    description_zh = forms.CharField(
        label=_("Description in Chinese"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    image = forms.FileField(
        label=_("Image"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class HoldForm(forms.Form):
    booth = forms.IntegerField(widget=forms.HiddenInput)
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[("USD", "USD"), ("CNY", "CNY")], initial="USD"
    )


class StaffInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=StaffPass.Role.choices, initial=StaffPass.Role.SCAN
    )


class ScanForm(forms.Form):
    token = forms.CharField(
        label=_("Badge code"),
        max_length=100,
        help_text=_("Scan the QR code, or type the code read from it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    scanned_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def clean_client_id(self):
        return self.cleaned_data.get("client_id") or uuid.uuid4()


class LeadForm(forms.ModelForm):
    tags_text = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separated by commas (, ，、) or semicolons."),
        max_length=1000,
    )
    interests_text = forms.CharField(
        label=_("Interests"),
        required=False,
        help_text=_(
            "Separated by commas (, ，、) or semicolons, e.g. new-generation IT, life and health."
        ),
        max_length=1000,
    )
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[("", "—")] + [(str(i), str(i)) for i in range(6)],
        coerce=int,
        empty_value=None,
        required=False,
    )

    class Meta:
        model = Lead
        fields = ["rating", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["tags_text"] = ", ".join(self.instance.tags)
            self.initial["interests_text"] = ", ".join(self.instance.interests)


class ConsentForm(forms.ModelForm):
    class Meta:
        model = LeadConsent
        fields = list(LeadConsent.FIELDS)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class PaidForm(forms.Form):
    reference = forms.CharField(label=_("Payment reference"), max_length=100, required=False)


class HallForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=20)
    name = forms.CharField(label=pgettext_lazy("name of a thing", "Name"), max_length=100)
    name_zh = forms.CharField(
        label=pgettext_lazy("name of a thing", "Name in Chinese"), max_length=100, required=False
    )
    outline = forms.CharField(
        label=_("Outline"),
        help_text=_("Corners in metres as x,y pairs: 0,0 60,0 60,40 0,40"),
        max_length=2000,
    )
    opens_at = forms.TimeField(label=_("Opens at"), initial=dt.time(9))
    closes_at = forms.TimeField(label=_("Closes at"), initial=dt.time(18))
    site_x = forms.FloatField(label=_("Position on the site (x)"), initial=0)
    site_y = forms.FloatField(label=_("Position on the site (y)"), initial=0)


class BoothForm(forms.ModelForm):
    class Meta:
        model = Booth
        fields = [
            "hall",
            "code",
            "x",
            "y",
            "width",
            "height",
            "category",
            "price_usd",
            "price_cny",
            "walls",
            "power",
            "furniture",
            "staff_passes",
            "is_closed",
        ]

    def __init__(self, *args, conference, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hall"].queryset = conference.halls.all()

    def validate_unique(self):
        """The service checks codes, overlaps and the outline."""

    def _post_clean(self):
        """No model validation here: the service runs it with the plan's rules."""


class FeatureForm(forms.Form):
    hall = forms.ModelChoiceField(label=_("Hall"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanFeature.Kind.choices)
    label = forms.CharField(label=_("Label"), max_length=100, required=False)
    label_zh = forms.CharField(label=_("Label in Chinese"), max_length=100, required=False)
    x = forms.FloatField(label=_("x"))
    y = forms.FloatField(label=_("y"))
    width = forms.FloatField(label=_("Width (corridors)"), initial=0, min_value=0)
    height = forms.FloatField(label=_("Depth (corridors)"), initial=0, min_value=0)

    def __init__(self, *args, conference, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hall"].queryset = conference.halls.all()


class PlanUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet of booths"),
        help_text=_(
            "CSV or XLSX with columns hall, code, x, y, width, depth and, optionally, "
            "category, price_usd, price_cny, walls, power, furniture, staff_passes."
        ),
    )
    check_only = forms.BooleanField(label=_("Only check, save nothing"), required=False)


class TourForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("name of a thing", "Name"), max_length=200)
    name_zh = forms.CharField(
        label=pgettext_lazy("name of a thing", "Name in Chinese"), max_length=200, required=False
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Local time of the conference."),
    )
    party = forms.CharField(
        label=_("Party, in protocol order"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One person a line: name | name in Chinese | title."),
    )
    stops = forms.CharField(
        label=_("Booths to visit"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One booth a line: its code and the minutes there, e.g. A01 10."),
    )
    reorder = forms.BooleanField(
        label=_("Order the stops to shorten the walk"), required=False, initial=True
    )

    def __init__(self, *args, conference, **kwargs):
        self.conference = conference
        super().__init__(*args, **kwargs)

    def clean_starts_at(self):
        value = self.cleaned_data["starts_at"]
        if timezone.is_naive(value):
            value = timezone.make_aware(value, self.conference.tz)
        return value

    def clean_party(self):
        party = []
        for line in self.cleaned_data["party"].splitlines():
            parts = [p.strip() for p in line.split("|")]
            if parts and parts[0]:
                parts += [""] * 3
                party.append({"name": parts[0], "name_zh": parts[1], "title": parts[2]})
        if not party:
            raise ValidationError(_("Name at least one member of the party."))
        return party

    def clean_stops(self):
        booths = {
            b.code.upper(): b
            for b in Booth.objects.filter(hall__conference=self.conference).select_related("hall")
        }
        stops = []
        for number, line in enumerate(self.cleaned_data["stops"].splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            booth = booths.get(parts[0].upper())
            if booth is None:
                raise ValidationError(
                    _("Line %(line)s: there is no booth %(code)s.")
                    % {"line": number, "code": parts[0]}
                )
            try:
                minutes = int(parts[1]) if len(parts) > 1 else 5
            except ValueError:
                raise ValidationError(
                    _("Line %(line)s: write the minutes as a number.") % {"line": number}
                ) from None
            stops.append((booth, minutes))
        return stops
