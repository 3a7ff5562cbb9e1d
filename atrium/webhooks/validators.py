"""Which endpoint addresses Atrium will post to.

An organiser types the address, so it must not reach into the server's own
network: a name or number that leads to this machine, a private network, the
cloud's metadata service (169.254.169.254) and the like is refused when the
endpoint is saved and again at every delivery, after the name is resolved
(:func:`resolve_endpoint`, which the transport connects to, so a name that
changes its answer in between gains nothing). Hosts listed in
``ATRIUM_WEBHOOK_HTTP_HOSTS`` (development and tests) are exempt.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from atrium.webhooks import events as catalogue

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SHARED_NETWORK = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
NAT64_NETWORK = ipaddress.IPv6Network("64:ff9b::/96")  # an IPv4 address behind a NAT64 gateway


def http_allowed_hosts() -> list[str]:
    """Host names that may be reached over plain http, and on a private network (lower case).

    ``ATRIUM_WEBHOOK_HTTP_HOSTS`` if set; otherwise the local machine in debug mode
    (a receiver on your laptop) and nobody in production.
    """
    hosts = getattr(settings, "ATRIUM_WEBHOOK_HTTP_HOSTS", None)
    if hosts is None:
        hosts = LOCAL_HOSTS if settings.DEBUG else ()
    return [host.strip().strip("[]").lower() for host in hosts if host.strip()]


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to (6to4, NAT64, Teredo), if any."""
    if address.version != 6:
        return None
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64_NETWORK:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.teredo is not None:
        return address.teredo[1]  # the client behind the Teredo server
    return None


def address_refused(address: IPAddress) -> bool:
    """True for an address a webhook must not reach: anything but the public internet.

    Loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local
    (169.254/16, fe80::/10), shared (100.64/10), multicast, reserved, unspecified,
    documentation and site-local ranges, in IPv4 and IPv6, and IPv6 addresses that
    carry one of those IPv4 addresses (``::ffff:10.0.0.5``, 6to4, NAT64, Teredo).
    """
    if address.version == 6 and address.ipv4_mapped is not None:
        return address_refused(address.ipv4_mapped)  # ::ffff:a.b.c.d is a.b.c.d
    embedded = _embedded_ipv4(address)
    if embedded is not None and address_refused(embedded):
        return True
    return (
        not address.is_global
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (address.version == 4 and address in SHARED_NETWORK)
        or (address.version == 6 and address.is_site_local)
    )


def _refused_error() -> ValidationError:
    return ValidationError(
        _(
            "This address leads to this server or a private network; "
            "use an address on the public internet."
        ),
        code="private",
    )


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)
    except ValueError:
        return None


def resolve_endpoint(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, each checked; the transport connects to these.

    Raises ValidationError (code ``private``) if any of them is refused, unless the
    host is listed in ``ATRIUM_WEBHOOK_HTTP_HOSTS``; OSError (``socket.gaierror``)
    when the name cannot be resolved.
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    addresses: list[str] = []
    for _family, _type, _proto, _canonname, sockaddr in infos:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    if not addresses:
        raise socket.gaierror(f"{host} has no address")
    if host.lower() not in http_allowed_hosts():
        for address in addresses:
            literal = _ip_literal(address)
            if literal is None or address_refused(literal):
                raise _refused_error()
    return addresses


def endpoint_parts(value: str):
    """The address split up (``urlsplit``), once it passes the checks that need no network."""
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValidationError(_("Enter a valid URL."), code="invalid") from None
    if parts.scheme not in {"http", "https"} or not host:
        raise ValidationError(
            _(
                "Enter a full address starting with https://, for example https://example.org/hooks."
            ),
            code="scheme",
        )
    if parts.username or parts.password:
        raise ValidationError(
            _("Remove the user name and password from the address."),
            code="credentials",
        )
    if parts.scheme == "http" and host not in http_allowed_hosts():
        raise ValidationError(
            _("Use an https:// address: plain http:// would send the data unencrypted."),
            code="insecure",
        )
    if host not in http_allowed_hosts():
        literal = _ip_literal(host)
        if literal is not None and address_refused(literal):
            raise _refused_error()
    return parts


def validate_endpoint_url(value: str) -> None:
    """An absolute https:// address on the public internet.

    http:// and addresses on this machine or a private network only for the hosts
    allowed in the settings. A name is resolved and each of its addresses checked; a
    name that does not resolve (yet) passes here, and every delivery checks again.
    """
    parts = endpoint_parts(value)
    host = parts.hostname.lower()
    if host in http_allowed_hosts() or _ip_literal(host) is not None:
        return
    try:
        resolve_endpoint(host, parts.port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError):
        return


def validate_events(value) -> None:
    """A non-empty list of events from the catalogue."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one event."), code="required")
    unknown = [event for event in value if event not in catalogue.CATALOGUE]
    if unknown:
        raise ValidationError(
            _("Unknown event: %(events)s."),
            params={"events": ", ".join(map(str, unknown))},
            code="unknown",
        )
