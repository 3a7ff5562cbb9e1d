"""One HTTP POST to a receiver, with the standard library: what came back, or what went wrong.

The receiver's name is resolved once, every address checked
(:func:`atrium.webhooks.validators.resolve_endpoint`), and the connection made to
an address that was checked, while the request still names the host (``Host``
header; for https the certificate is verified for the host name, sent as SNI).
Redirects are not followed: a 3xx is an answer like any other non-2xx.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from atrium.webhooks.models import RESPONSE_EXCERPT
from atrium.webhooks.validators import endpoint_parts, resolve_endpoint


@dataclass(frozen=True)
class Response:
    status_code: int | None
    body: str
    error: str
    duration_ms: int
    refused: bool = False  # the address itself is not allowed: trying again will not help

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _connect(addresses: list[str], port: int, timeout: float) -> socket.socket:
    """A TCP connection to the first of ``addresses`` that answers."""
    error: OSError = OSError("no address to connect to")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            error = exc
    raise error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain http to one of the checked addresses of ``host``."""

    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self):
        self.sock = _connect(self.addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """https to one of the checked addresses; the certificate must be valid for ``host``."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        addresses: list[str],
        timeout: float,
        context: ssl.SSLContext,
    ):
        super().__init__(host, port, timeout=timeout, context=context)
        self.addresses = addresses
        self.tls_context = context

    def connect(self):
        sock = _connect(self.addresses, self.port, self.timeout)
        try:
            self.sock = self.tls_context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _excerpt(raw: bytes) -> str:
    return raw[:RESPONSE_EXCERPT].decode("utf-8", errors="replace")


def _read(stream) -> bytes:
    try:
        return stream.read(RESPONSE_EXCERPT)
    except (OSError, http.client.HTTPException):
        return b""


def post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    tls_context: ssl.SSLContext | None = None,
) -> Response:
    """POST ``body`` to ``url``; never raises for network trouble or a non-2xx answer.

    ``tls_context`` defaults to the system's trusted certificates (tests pass their own).
    """
    started = time.monotonic()

    def answer(status_code=None, text="", error="", refused=False) -> Response:
        duration_ms = int((time.monotonic() - started) * 1000)
        return Response(status_code, text, error, duration_ms, refused)

    try:
        parts = endpoint_parts(url)
        host = parts.hostname.encode("idna").decode("ascii")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = resolve_endpoint(host, port)
    except ValidationError as exc:
        return answer(error=" ".join(exc.messages), refused=True)
    except (OSError, UnicodeError) as exc:
        return answer(error=f"Could not resolve the host name: {exc}")

    if parts.scheme == "https":
        connection = _PinnedHTTPSConnection(
            host,
            port,
            addresses=addresses,
            timeout=timeout,
            context=tls_context or ssl.create_default_context(),
        )
    else:
        connection = _PinnedHTTPConnection(host, port, addresses=addresses, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return answer(status_code=response.status, text=_excerpt(_read(response)))
    except TimeoutError:
        return answer(error="timed out")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return answer(error=f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()
