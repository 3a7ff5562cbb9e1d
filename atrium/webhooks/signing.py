"""Signing webhook deliveries, and checking a signature on the receiving side.

The signature is ``sha256=<hex>``, the HMAC-SHA256 of ``"<timestamp>.<body>"`` keyed
with the endpoint's secret (UTF-8), where ``timestamp`` is the ``X-Atrium-Timestamp``
header (Unix seconds) and ``body`` the raw request body, byte for byte. Signing the
timestamp with the body lets a receiver refuse replays of an old request.

This module imports nothing from Django, so a receiver written in Python can copy it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SCHEME = "sha256"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
DEFAULT_TOLERANCE = 300  # seconds


def generate_secret() -> str:
    """A new random endpoint secret (256 bits, URL-safe)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _as_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def compute_signature(secret: str, timestamp: int | str, body: str | bytes) -> str:
    """The hex HMAC-SHA256 of ``"timestamp.body"`` keyed with ``secret``."""
    message = _as_bytes(str(timestamp)) + b"." + _as_bytes(body)
    return hmac.new(_as_bytes(secret), message, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int | str, body: str | bytes) -> str:
    """The value of the ``X-Atrium-Signature`` header: ``sha256=<hex>``."""
    return f"{SCHEME}={compute_signature(secret, timestamp, body)}"


def verify_signature(
    secret: str,
    timestamp: int | str | None,
    body: str | bytes,
    header: str | None,
    tolerance: int = DEFAULT_TOLERANCE,
    *,
    now: float | None = None,
) -> bool:
    """True if ``header`` is a valid signature of ``body`` sent at ``timestamp``.

    ``timestamp`` is the ``X-Atrium-Timestamp`` header and ``header`` the
    ``X-Atrium-Signature`` header, as received. False when either is missing or
    malformed, when the timestamp is more than ``tolerance`` seconds away from
    ``now`` (default: the current time), or when the HMAC does not match. The
    comparison takes constant time.
    """
    if not secret or not header or timestamp is None:
        return False
    try:
        sent_at = int(str(timestamp).strip())
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance:
        return False
    expected = compute_signature(secret, sent_at, body)
    # Accept a list ("sha256=a, sha256=b") so the scheme can grow without breaking receivers.
    for part in header.split(","):
        scheme, _, value = part.strip().partition("=")
        if scheme == SCHEME and hmac.compare_digest(value.strip(), expected):
            return True
    return False
