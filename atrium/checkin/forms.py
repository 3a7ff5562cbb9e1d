"""Forms of the check-in page and the organisers' badge print run."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from atrium.checkin.selectors import checkin_points
from atrium.core.i18n import local_moment
from atrium.events.models import BadgeLayout

ENTRANCE = "entrance"
LAYOUT_CHOICES = BadgeLayout.choices


class PointForm(forms.Form):
    """Where the staff stand: the entrance, or a session with seats."""

    point = forms.ChoiceField(label=_("Check-in point"), required=False)

    def __init__(self, *args, conference, **kwargs):
        super().__init__(*args, **kwargs)
        self.sessions = {str(s.pk): s for s in checkin_points(conference)}
        self.fields["point"].choices = [(ENTRANCE, _("Main entrance"))] + [
            (pk, f"{session.title_i18n} ({local_moment(session.start, conference.tz)})")
            for pk, session in self.sessions.items()
        ]

    def clean_point(self):
        value = self.cleaned_data.get("point") or ENTRANCE
        return None if value == ENTRANCE else self.sessions[value]


class ScanForm(PointForm):
    token = forms.CharField(
        label=_("Badge code"),
        max_length=200,
        help_text=_("Scan the QR code, or type the code printed under it, then press Enter."),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def clean_client_id(self):
        # Without JavaScript the browser sends none: the server makes one for this submission.
        return self.cleaned_data.get("client_id") or uuid.uuid4()


class PersonCheckInForm(PointForm):
    registration = forms.IntegerField(widget=forms.HiddenInput)
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def clean_client_id(self):
        return self.cleaned_data.get("client_id") or uuid.uuid4()


class BadgeBatchForm(forms.Form):
    type = forms.ChoiceField(label=_("Registration type"), required=False)
    delegation = forms.ChoiceField(label=_("Delegation"), required=False)
    printed = forms.ChoiceField(
        label=_("Badges"),
        required=False,
        choices=[
            ("no", _("Not printed yet")),
            ("all", _("All (printed ones get a new code, the old one stops working)")),
        ],
    )
    layout = forms.ChoiceField(label=_("Layout"), required=False, choices=LAYOUT_CHOICES)

    def __init__(self, data=None, *args, conference, **kwargs):
        if data is not None and not data.get("layout"):
            # The edition's layout unless the organiser picks another for this batch.
            data = data.copy()
            data["layout"] = conference.badge_layout
        super().__init__(data, *args, **kwargs)
        self.fields["layout"].initial = conference.badge_layout
        self.fields["type"].choices = [("", _("All types"))] + [
            (str(t.pk), t.name_i18n) for t in conference.registration_types.all()
        ]
        self.fields["delegation"].choices = [("", _("All"))] + [
            (str(d.pk), d.name_i18n) for d in conference.delegations.all()
        ]


class BadgeLayoutForm(forms.Form):
    """The edition's badge layout: the default of every print and download."""

    layout = forms.ChoiceField(label=_("Badge layout of this edition"), choices=LAYOUT_CHOICES)
