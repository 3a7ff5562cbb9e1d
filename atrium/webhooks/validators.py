"""Which endpoint addresses Atrium will post to."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from atrium.webhooks import events as catalogue

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def http_allowed_hosts() -> list[str]:
    """Host names that may be reached over plain http (lower case).

    ``ATRIUM_WEBHOOK_HTTP_HOSTS`` if set; otherwise the local machine in debug mode
    (a receiver on your laptop) and nobody in production.
    """
    hosts = getattr(settings, "ATRIUM_WEBHOOK_HTTP_HOSTS", None)
    if hosts is None:
        hosts = LOCAL_HOSTS if settings.DEBUG else ()
    return [host.strip().strip("[]").lower() for host in hosts if host.strip()]


def validate_endpoint_url(value: str) -> None:
    """An absolute https:// address; http:// only for the hosts allowed in the settings."""
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
