"""Sizes of what visitors send: one per-upload limit, and the page for a request too large.

Three limits, from the outside in:

- the proxy's body limit (nginx ``client_max_body_size``), the first guard;
- ``ATRIUM_REQUEST_MAX_SIZE``: a whole request body, refused by its ``Content-Length``
  before anything is read (:class:`atrium.core.middleware.RequestSizeMiddleware`);
  Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bounds the form fields other than files.
  Both answer 413 with a page that says so (``atrium.core.views.bad_request``);
- ``ATRIUM_UPLOAD_MAX_SIZE``: one uploaded file, whatever field it comes in. Every
  upload site calls :func:`check_upload_size` with its own limit, capped by this one.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_UPLOAD_MAX_SIZE = 10 * 1024 * 1024


def upload_limit(limit: int | None = None) -> int:
    """The largest upload allowed: ``limit`` capped by ``ATRIUM_UPLOAD_MAX_SIZE``."""
    overall = int(getattr(settings, "ATRIUM_UPLOAD_MAX_SIZE", DEFAULT_UPLOAD_MAX_SIZE))
    return min(limit, overall) if limit is not None else overall


def too_large_message(*, limit: int, size: int | None = None) -> str:
    if size is None:
        return _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}
    return _("The file is %(size)s; the limit is %(limit)s.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(limit),
    }


def check_upload_size(file, *, limit: int | None = None, field: str | None = None) -> None:
    """Refuse ``file`` when it is larger than ``limit`` (capped by ``ATRIUM_UPLOAD_MAX_SIZE``).

    Raises ``ValidationError`` on ``field`` (or without a field), giving both sizes. A file
    that does not know its size passes here: read it with at most ``upload_limit(limit) + 1``
    bytes and compare.
    """
    limit = upload_limit(limit)
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        error = ValidationError(too_large_message(limit=limit, size=size), code="too_large")
        raise ValidationError({field: error}) if field else error


def request_max_size() -> int:
    """The largest request body accepted (``ATRIUM_REQUEST_MAX_SIZE``)."""
    default = upload_limit() + 2 * 1024 * 1024
    return int(getattr(settings, "ATRIUM_REQUEST_MAX_SIZE", default))
