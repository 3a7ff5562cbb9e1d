"""``/api/v1/``: the Ninja API, with JSON answers for unknown URLs and wrong methods.

Included by ``atrium/urls.py`` as ``path("api/v1/", include("atrium.api.urls"))``;
URL names live in the ``api`` namespace (``api:openapi-json``, ``api:openapi-view``).
"""

from functools import wraps

from django.http import JsonResponse
from django.urls import URLPattern, re_path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from atrium.api.api import api

app_name = "api"


def _json_method_not_allowed(view):
    """Ninja answers a wrong method with a plain-text 405; make it the JSON error body."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            response = JsonResponse(
                {
                    "code": "method_not_allowed",
                    "message": _("Method %(method)s is not allowed here; use %(allowed)s.")
                    % {"method": request.method, "allowed": allowed},
                },
                status=405,
            )
            response["Allow"] = allowed
        return response

    return wrapped


@csrf_exempt
def not_found(request, path=""):
    return JsonResponse(
        {"code": "not_found", "message": _("There is no API endpoint at this address.")},
        status=404,
    )


@require_GET
def index(request, **kwargs):
    """``/api/v1/``: where the documentation is (Ninja's own root view is an HTML 404)."""
    return JsonResponse(
        {
            "name": api.title,
            "version": api.version,
            "docs": reverse("api:openapi-view"),
            "openapi": reverse("api:openapi-json"),
        }
    )


def _patterns():
    patterns = []
    for pattern in api.urls[0]:
        if isinstance(pattern, URLPattern):
            if pattern.name == "api-root":
                pattern.callback = index
            pattern.callback = _json_method_not_allowed(pattern.callback)
        patterns.append(pattern)
    return patterns


urlpatterns = [*_patterns(), re_path(r"^(?P<path>.*)$", not_found, name="not-found")]
