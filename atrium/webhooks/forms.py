from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from atrium.webhooks import events as catalogue
from atrium.webhooks.validators import validate_endpoint_url


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("Endpoint URL"),
        max_length=500,
        assume_scheme="https",
        validators=[validate_endpoint_url],
        help_text=_("An https:// address on your server that accepts POST requests."),
        widget=forms.URLInput(attrs={"placeholder": "https://example.org/atrium/webhooks"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("For you: what receives these events (optional)."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=catalogue.CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names (the rest on top)."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)
