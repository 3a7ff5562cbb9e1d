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
KEY_LENGTH = 16
MAC_LENGTH = 24
#: The short code printed under the QR code: the key's first 8 characters (40 random bits),
#: grouped "ABCD-EFGH". Two badges of one edition share it about once in 2^40 / n² pairs
#: (a 10,000-badge edition: one chance in 11,000); the desk refuses a code that fits two.
SHORT_CODE_LENGTH = 8
_BASE32 = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
# What people misread on paper, put back into base32 (which has no 0, 1 or 8).
_MISREAD = str.maketrans({"0": "O", "1": "I", "8": "B"})


def short_code(key: str) -> str:
    """The human-readable code printed under a badge's QR code: ``ABCD-EFGH``."""
    head = key[:SHORT_CODE_LENGTH].upper()
    return f"{head[:4]}-{head[4:]}"


def parse_short_code(text: str) -> str | None:
    """The key prefix a typed short code stands for, or None if it is not one.

    Spaces, dashes and case do not matter; 0, 1 and 8 are read as O, I and B.
    """
    cleaned = "".join(ch for ch in (text or "").upper() if ch not in " -\t").translate(_MISREAD)
    if len(cleaned) != SHORT_CODE_LENGTH or not set(cleaned) <= _BASE32:
        return None
    return cleaned


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
