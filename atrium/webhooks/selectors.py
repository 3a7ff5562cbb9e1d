"""Read queries for the organiser pages."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from atrium.events.models import Conference
from atrium.webhooks.models import Delivery, DeliveryAttempt, Endpoint

RECENT_DELIVERIES = 25


def endpoint_list(conference: Conference) -> QuerySet[Endpoint]:
    """The edition's endpoints with their delivery counts."""
    return Endpoint.objects.filter(conference=conference).annotate(
        delivery_count=Count("deliveries"),
        failed_count=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
    )


def recent_deliveries(endpoint: Endpoint, *, limit: int = RECENT_DELIVERIES) -> list[Delivery]:
    """The endpoint's latest deliveries, newest first, each with its attempts."""
    return list(
        endpoint.deliveries.order_by("-created", "-id").prefetch_related(
            Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("number"))
        )[:limit]
    )
