from __future__ import annotations

from datetime import date

from django import forms
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from atrium.core.filters import FilterForm
from atrium.events.models import Conference, Session


class ProgrammeFilterForm(FilterForm):
    day = forms.ChoiceField(label=_("Day"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    track = forms.ChoiceField(label=_("Track"), required=False)
    room = forms.TypedChoiceField(label=_("Room"), required=False, coerce=int, empty_value=None)

    def __init__(self, data=None, *, conference: Conference, tracks, rooms):
        super().__init__(data)
        self.conference = conference
        self.fields["day"].choices = [
            (day.isoformat(), formats.date_format(day, gettext("D j M"))) for day in conference.days
        ]
        self.fields["kind"].choices = [("", _("All kinds")), *Session.Kind.choices]
        self.fields["track"].choices = [("", _("All tracks"))] + [
            (track.slug, track.name_i18n) for track in tracks
        ]
        self.fields["room"].choices = [("", _("All rooms"))] + [
            (str(room.pk), room.name_i18n) for room in rooms
        ]

    def clean_day(self):
        value = self.cleaned_data.get("day")
        return date.fromisoformat(value) if value else None
