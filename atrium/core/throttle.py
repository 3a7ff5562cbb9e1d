"""Fixed-window counters in the Django cache, for throttles (log-in, password reset, API).

A counter is named by a scope and an identity (an e-mail digest, a client address, a
token) and counts within windows of ``window`` seconds aligned on the clock. The
counters live in the default cache: with the default local-memory cache every worker
counts on its own, so several workers need a shared cache (database, Redis,
Memcached) for a limit to hold across them.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Count:
    count: int  # calls counted in this window, this one included when it was a hit
    wait: float  # seconds until the window ends


def _key(scope: str, ident: str, window: int, bucket: int) -> str:
    # Identities may hold anything (an e-mail address): hash them into a safe cache key.
    digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:32]
    return f"atrium-throttle:{scope}:{digest}:{window}:{bucket}"


def _window(window: int) -> tuple[int, float]:
    now = time.time()
    bucket = int(now // window)
    return bucket, (bucket + 1) * window - now


def throttle_hit(*, scope: str, ident: str, window: int) -> Count:
    """Count one call of ``ident`` in ``scope``; returns the count so far in this window."""
    bucket, wait = _window(window)
    key = _key(scope, ident, window, bucket)
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return Count(count=count, wait=wait)


def throttle_peek(*, scope: str, ident: str, window: int) -> Count:
    """The count of ``ident`` in ``scope`` in this window, without counting."""
    bucket, wait = _window(window)
    return Count(count=cache.get(_key(scope, ident, window, bucket), 0), wait=wait)


def throttle_clear(*, scope: str, ident: str, window: int) -> None:
    bucket, _wait = _window(window)
    cache.delete(_key(scope, ident, window, bucket))


def client_ip(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind a proxy the one the proxy saw.

    With ``ATRIUM_BEHIND_PROXY`` on, that is the last address of ``X-Forwarded-For``
    (the one our proxy appended; anything before it came from the client and may be
    made up). The proxy must set the header (nginx: ``proxy_add_x_forwarded_for``).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "ATRIUM_BEHIND_PROXY", False):
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            return forwarded[-1]
    return remote
