"""The signed token a badge's QR code carries.

The token is ``<key>.<mac>``: the badge row's random key (16 base32 characters) and the
first 120 bits of an HMAC-SHA256 of it, keyed from ``SECRET_KEY`` with a salt (24 base32
characters). Only upper-case letters, digits and a dot: a QR code's compact alphanumeric
mode, and a handheld scanner types it back as is. Never a bare id: a forged or edited
token fails the HMAC; a revoked badge's token fails the lookup at check-in.

Rotating ``SECRET_KEY`` does not void printed badges: a token signed with a key listed in
``SECRET_KEY_FALLBACKS`` is still accepted (new badges are signed with the current key).
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

#: Kept from the first release: printed badges carry MACs made with this salt.
SALT = "atrium.registration.badge"
#: Length of the short code printed under the QR code (the key's first characters).
KEY_LENGTH = 16
MAC_LENGTH = 24


def _mac(key: str, secret: str | None = None) -> str:
    digest = salted_hmac(SALT, key, secret=secret, algorithm="sha256").digest()[:15]
    return base64.b32encode(digest).decode("ascii")


def sign_badge_key(key: str) -> str:
    return f"{key}.{_mac(key)}"


def unsign_badge_token(token: str) -> str | None:
    """The badge key inside ``token``, or None if the token is malformed or forged."""
    key, sep, mac = (token or "").strip().upper().partition(".")
    if not sep or len(key) != KEY_LENGTH or len(mac) != MAC_LENGTH:
        return None
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        if constant_time_compare(mac, _mac(key, secret)):
            return key
    return None
