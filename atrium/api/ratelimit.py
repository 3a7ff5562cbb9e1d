"""Rate limits: fixed windows counted in the Django cache.

Two limits apply to the whole API (see ``atrium.api.api``):

- ``token``: calls made with a personal API token, per token (default 1000/hour);
- ``write``: POST, PUT, PATCH and DELETE calls, per token, or per address
  without one (default 60/min).

Public reads without a token are not limited here. Rates can be changed with
the optional setting ``ATRIUM_API_RATES = {"token": "5000/hour", "write": "30/min"}``;
a route that needs its own limit adds ``throttle=[*default_limits(), RateLimit("bulk", "10/hour")]``
(a route's own ``throttle`` replaces the API-wide list, hence ``default_limits()``).

The counters (``atrium.core.throttle``) live in the default cache: with a
per-process cache (the default local-memory cache) each worker counts on its own,
so use a shared cache (database, Redis, Memcached) when several workers serve the API.
"""

from __future__ import annotations

import threading

from django.conf import settings
from ninja.throttling import BaseThrottle

from atrium.api.models import ApiToken
from atrium.core.throttle import client_ip, throttle_hit

DEFAULT_RATES = {"token": "1000/hour", "write": "60/min"}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"60/min"`` → ``(60, 60)``: the number of calls and the window in seconds."""
    count, _, period = rate.partition("/")
    if period not in _PERIODS:
        raise ValueError(f"Unknown period in rate {rate!r}; use s, min, hour or day.")
    return int(count), _PERIODS[period]


class RateLimit(BaseThrottle):
    """At most N calls per window for one scope, counted per token (or per address)."""

    def __init__(
        self,
        scope: str,
        default: str,
        *,
        methods: frozenset[str] | None = None,
        tokens_only: bool = False,
    ) -> None:
        self.scope = scope
        self.default = default
        self.methods = methods
        self.tokens_only = tokens_only
        self._local = threading.local()
        parse_rate(default)  # fail at start-up on a typo

    def rate(self) -> tuple[int, int]:
        rates = getattr(settings, "ATRIUM_API_RATES", None) or {}
        return parse_rate(rates.get(self.scope, self.default))

    def ident(self, request) -> str | None:
        token = getattr(request, "auth", None)
        if isinstance(token, ApiToken):
            return f"token:{token.pk}"
        if self.tokens_only:
            return None
        return f"addr:{client_ip(request)}"

    def allow_request(self, request) -> bool:
        self._local.wait = None
        if self.methods is not None and request.method not in self.methods:
            return True
        ident = self.ident(request)
        if ident is None:
            return True
        limit, window = self.rate()
        counted = throttle_hit(scope=f"api-{self.scope}", ident=ident, window=window)
        if counted.count > limit:
            self._local.wait = counted.wait
            return False
        return True

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)


def default_limits() -> list[RateLimit]:
    return [
        RateLimit("token", DEFAULT_RATES["token"], tokens_only=True),
        RateLimit("write", DEFAULT_RATES["write"], methods=UNSAFE_METHODS),
    ]
