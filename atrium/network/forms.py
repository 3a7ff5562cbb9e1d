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
