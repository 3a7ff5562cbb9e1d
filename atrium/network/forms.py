from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from atrium.core.filters import FilterForm
from atrium.core.search import sort_key
from atrium.network.models import Organisation


class DirectoryFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    member = forms.ChoiceField(
        label=_("Membership"),
        required=False,
        choices=[("", _("Members and others")), ("yes", _("Members")), ("no", _("Not members"))],
    )
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1)

    def __init__(self, data=None, *, country_codes, sectors):
        super().__init__(data)
        names = dict(countries)
        self.fields["country"].choices = [("", _("All countries"))] + sorted(
            ((code, names.get(code, code)) for code in country_codes),
            key=lambda choice: sort_key(str(choice[1])),
        )
        self.fields["kind"].choices = [("", _("All kinds")), *Organisation.Kind.choices]
        self.fields["sector"].choices = [("", _("All sectors"))] + [
            (sector.slug, sector.name_i18n) for sector in sectors
        ]


class PhotoForm(forms.Form):
    """The delegate's photo for check-in (``atrium.network.photos`` checks the picture)."""

    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at least 200 × 200 pixels, up to 5 MB."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not data.get("remove") and not data.get("photo") and "photo" not in self.errors:
            self.add_error("photo", _("Choose a picture to upload."))
        return data
