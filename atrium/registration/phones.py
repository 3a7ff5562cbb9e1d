"""Phone numbers: parsed with ``phonenumbers`` and stored in E.164 (``+8613800138000``).

A number without a country prefix is read in the person's country (when known); a number
that is not a possible phone number of that country is refused with a message naming the
field.
"""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def phone_e164(value: str, *, country: str = "", field: str = "phone") -> str:
    """``value`` as E.164, "" for an empty value; ``ValidationError`` keyed by ``field``."""
    value = (value or "").strip()
    if not value:
        return ""
    region = (country or "").upper() or None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        if region is None and not value.startswith(("+", "00")):
            message = _(
                "Phone: write the number with its country code, e.g. +86 10 6256 6000, "
                "or choose your country."
            )
        else:
            message = _("Phone: “%(value)s” is not a phone number we can reach.") % {
                "value": value[:40]
            }
        raise ValidationError({field: message})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
