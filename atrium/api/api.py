"""The JSON API at ``/api/v1/``: routers, error handlers, rate limits, OpenAPI and docs.

Adding the API of an app (see docs/open-data.md for the whole recipe)::

    # atrium/api/routers/registration.py
    router = Router(tags=["Registration"])

    # here
    api.add_router("", registration.router)
"""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from atrium.api.errors import ApiError
from atrium.api.ratelimit import default_limits
from atrium.api.routers import (
    b2b,
    checkin,
    events,
    exhibition,
    me,
    network,
    registration,
    reviews,
)

logger = logging.getLogger("atrium.api")


class Renderer(JSONRenderer):
    """JSON as UTF-8 text: Chinese names stay readable (中关村, not \\u4e2d...)."""

    json_dumps_params = {"ensure_ascii": False}


class AtriumApi(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # "events_session_list" rather than "atrium_api_routers_events_session_list"
        module = operation.view_func.__module__.rsplit(".", 1)[-1]
        return f"{module}_{operation.view_func.__name__}"


api = AtriumApi(
    title="Atrium API",
    version="1",
    description=(
        "Open data of the world conference of science parks and areas of innovation: "
        "editions, programme, speakers and the member directory (public, read-only), "
        "and with a personal API token (created on /me/tokens/) your own data. "
        "Every error is a JSON object with a `code` and a `message`."
    ),
    urls_namespace="api",
    # Swagger UI from Ninja's own static files ("ninja" in INSTALLED_APPS), and no
    # call to the online validator: the docs work without the internet.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    throttle=default_limits(),
    renderer=Renderer(),
)

api.add_router("", events.router)
api.add_router("", network.router)
api.add_router("", me.router)
api.add_router("", registration.router)
api.add_router("", checkin.router)
api.add_router("", b2b.router)
api.add_router("", exhibition.router)
api.add_router("", reviews.router)


def error_response(request, error: ApiError):
    response = api.create_response(request, error.body(), status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(ApiError)
def on_api_error(request, exc: ApiError):
    return error_response(request, exc)


def _field_name(loc) -> str:
    # ("query", "limit") → "limit"; ("body", "payload", "name") → "name"
    parts = [str(part) for part in loc if part not in ("query", "path", "body", "header")]
    return ".".join(parts[-1:] if len(parts) > 1 and parts[0] == "payload" else parts)


def _clean(message: str) -> str:
    return message.removeprefix("Value error, ")


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    detail = []
    for error in exc.errors:
        if isinstance(error, dict) and "loc" in error:
            detail.append(
                {
                    "field": _field_name(error["loc"]),
                    "message": _clean(str(error.get("msg", ""))),
                    "type": str(error.get("type", "invalid")),
                }
            )
        else:  # e.g. Ninja's cursor errors: {"cursor": "Invalid Cursor"}
            for field, message in dict(error).items():
                detail.append({"field": str(field), "message": str(message), "type": "invalid"})
    first = detail[0] if detail else {"field": None, "message": _("Invalid input.")}
    message = _("%(field)s: %(message)s") % first if first.get("field") else first["message"]
    return error_response(
        request,
        ApiError(422, "invalid", message, field=first.get("field"), detail=detail),
    )


@api.exception_handler(DjangoValidationError)
def on_model_validation_error(request, exc: DjangoValidationError):
    """A service's ``full_clean()`` or rule failed: 422 naming the field(s)."""
    detail = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                detail.append({"field": field, "message": message, "type": "invalid"})
    else:
        detail = [{"field": "", "message": message, "type": "invalid"} for message in exc.messages]
    first = detail[0]
    return error_response(
        request,
        ApiError(422, "invalid", first["message"], field=first["field"] or None, detail=detail),
    )


@api.exception_handler(Throttled)
def on_throttled(request, exc: Throttled):
    if exc.wait is not None:
        message = _("Too many requests; try again in %(seconds)d seconds.") % {
            "seconds": max(1, round(exc.wait))
        }
    else:
        message = _("Too many requests; try again later.")
    return error_response(request, ApiError(429, "rate_limited", message))


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc: AuthenticationError):
    message = exc.message
    if message == "Unauthorized":  # Ninja's default: no token, or an unknown one
        message = _("Send a valid personal API token: Authorization: Bearer atr_…")
    return error_response(request, ApiError(401, "not_authenticated", message))


@api.exception_handler(AuthorizationError)
@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return error_response(request, ApiError(403, "permission_denied", _("You may not do this.")))


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def on_not_found(request, exc):
    return error_response(request, ApiError(404, "not_found", _("Not found.")))


_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    429: "rate_limited",
}


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    code = _HTTP_CODES.get(exc.status_code, "error")
    return error_response(request, ApiError(exc.status_code, code, str(exc)))


@api.exception_handler(Exception)
def on_server_error(request, exc: Exception):
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(
        request,
        {"code": "server_error", "message": _("Something went wrong on our side; it was logged.")},
        status=500,
    )
