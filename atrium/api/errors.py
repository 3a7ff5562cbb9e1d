"""Every error of the API is a JSON body ``{"code", "message", "field", "detail"}``.

Raise :class:`ApiError` (or one of its helpers) from a route; the handlers in
``atrium.api.api`` turn it, and every other exception, into that body.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema


class FieldErrorOut(Schema):
    field: str
    message: str
    type: str


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    detail: list[FieldErrorOut] | None = None


class ApiError(Exception):
    """An error answer: ``status`` (4xx), a stable ``code`` and a translated ``message``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        detail: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.detail = detail

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        if self.detail is not None:
            body["detail"] = self.detail
        return body


def not_found(message: str | None = None) -> ApiError:
    return ApiError(404, "not_found", message or _("Not found."))


def forbidden(message: str | None = None, *, code: str = "permission_denied") -> ApiError:
    return ApiError(403, code, message or _("You may not do this."))


def invalid(field: str, message: str, *, type: str = "invalid") -> ApiError:
    """A 422 naming the one field that is wrong."""
    return ApiError(
        422,
        "invalid",
        message,
        field=field,
        detail=[{"field": field, "message": message, "type": type}],
    )


#: Error statuses every route may answer with, for the OpenAPI document.
PUBLIC_ERRORS = frozenset({404, 422})
AUTH_ERRORS = frozenset({401, 403, 404, 422, 429})


def responses(ok: Any, *, status: int = 200, auth: bool = False) -> dict:
    """The ``response=`` of a route: ``ok`` on success, :class:`ErrorOut` on every error.

    ``auth=True`` also documents 401 (no or bad token), 403 (scope or role) and
    429 (rate limit).
    """
    return {status: ok, (AUTH_ERRORS if auth else PUBLIC_ERRORS): ErrorOut}
