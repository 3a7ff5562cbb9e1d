"""Health and metrics: plain JSON or text, no session, no CSRF, never cached."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from atrium.ops import health, metrics


@csrf_exempt
@never_cache
@require_GET
def live(request):
    """The process is up and answers (no database, no cache): restart it if not."""
    return JsonResponse({"status": "ok"})


@csrf_exempt
@never_cache
@require_GET
def ready(request):
    """The server can serve: database, cache and task queue answer. 503 if one does not."""
    report = health.readiness()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


def _token_ok(request) -> bool:
    expected = settings.ATRIUM_METRICS_TOKEN
    if not expected:
        return False
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), expected)


@csrf_exempt
@never_cache
@require_GET
def prometheus(request):
    """Prometheus metrics, for a scraper holding ``ATRIUM_METRICS_TOKEN`` (404 otherwise)."""
    if not _token_ok(request):
        raise Http404
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)
