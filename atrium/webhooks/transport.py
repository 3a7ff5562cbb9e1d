"""One HTTP POST to a receiver, with the standard library: what came back, or what went wrong."""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from atrium.webhooks.models import RESPONSE_EXCERPT


@dataclass(frozen=True)
class Response:
    status_code: int | None
    body: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other non-2xx: logged, not followed.

    Following it would post the signed body to an address nobody registered.
    """

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _excerpt(raw: bytes) -> str:
    return raw[:RESPONSE_EXCERPT].decode("utf-8", errors="replace")


def _read(stream) -> bytes:
    try:
        return stream.read(RESPONSE_EXCERPT)
    except (OSError, http.client.HTTPException):
        return b""


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Response:
    """POST ``body`` to ``url``; never raises for network trouble or a non-2xx answer."""
    opener = urllib.request.build_opener(_NoRedirects)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - URL validated: http(s) only
    started = time.monotonic()
    status_code: int | None = None
    text = ""
    error = ""
    try:
        with opener.open(request, timeout=timeout) as response:
            status_code = response.status
            text = _excerpt(_read(response))
    except urllib.error.HTTPError as exc:
        status_code = exc.code
        text = _excerpt(_read(exc))
        exc.close()
    except urllib.error.URLError as exc:
        reason = exc.reason
        error = "timed out" if isinstance(reason, TimeoutError) else str(reason)
    except TimeoutError:
        error = "timed out"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    duration_ms = int((time.monotonic() - started) * 1000)
    return Response(status_code=status_code, body=text, error=error, duration_ms=duration_ms)
