"""Encryption at rest of passport data (Fernet, from ``cryptography``).

The key is ``settings.ATRIUM_PASSPORT_KEY``: one Fernet key, or several separated by
commas to rotate keys (the first encrypts; every one of them decrypts; ``manage.py
visa_rekey`` re-encrypts the stored data with the first). Settings derive a development
key from ``SECRET_KEY`` when ``DEBUG`` is on and no key is set (the demo). Otherwise a
missing, malformed or wrong key raises ``ImproperlyConfigured`` with the reason, the first
time passport data is written or read: never a silent empty value.

Generate a key with::

    python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
"""

from __future__ import annotations

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GENERATE_HINT = (
    'Generate one with: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)


class PassportKeyError(ImproperlyConfigured):
    """No usable ``ATRIUM_PASSPORT_KEY``, or stored data that no configured key opens."""


def _keys() -> tuple[str, ...]:
    value = getattr(settings, "ATRIUM_PASSPORT_KEY", "") or ""
    if isinstance(value, list | tuple):
        value = ",".join(value)
    return tuple(key.strip() for key in value.split(",") if key.strip())


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode("ascii")))
        except (ValueError, UnicodeEncodeError) as error:
            raise PassportKeyError(
                f"ATRIUM_PASSPORT_KEY: key number {position} is not a Fernet key (32 bytes, "
                f"url-safe base64). {GENERATE_HINT}"
            ) from error
    return MultiFernet(fernets)


def passport_fernet() -> MultiFernet:
    """The configured keys; ``PassportKeyError`` if there is none or one is malformed."""
    keys = _keys()
    if not keys:
        raise PassportKeyError(
            "ATRIUM_PASSPORT_KEY is not set: passport data of visa letters cannot be encrypted "
            f"or read. {GENERATE_HINT}"
        )
    return _fernet_for(keys)


def passport_key_configured() -> bool:
    try:
        passport_fernet()
    except PassportKeyError:
        return False
    return True


def encrypt_json(data: dict) -> str:
    """``data`` as JSON, encrypted with the first key: an ASCII Fernet token."""
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return passport_fernet().encrypt(raw).decode("ascii")


def decrypt_json(token: str) -> dict:
    """The dict inside ``token``; ``PassportKeyError`` if no configured key opens it."""
    if not token:
        return {}
    try:
        raw = passport_fernet().decrypt(token.encode("ascii"))
    except InvalidToken as error:
        raise PassportKeyError(
            "Stored passport data cannot be decrypted with ATRIUM_PASSPORT_KEY: the key is "
            "wrong, or the key it was written with was removed from the list (keep old keys "
            "after the new one until `manage.py visa_rekey` has run)."
        ) from error
    return json.loads(raw.decode("utf-8"))


def reencrypt(token: str) -> str:
    """``token`` encrypted again with the first key (for key rotation)."""
    if not token:
        return token
    try:
        return passport_fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as error:
        raise PassportKeyError(
            "Stored passport data cannot be decrypted with any key of ATRIUM_PASSPORT_KEY."
        ) from error
