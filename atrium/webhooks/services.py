"""Webhooks: the rules that change state.

Other apps call :func:`webhook_emit` from their own services, inside their
transaction; the rest serves the organiser pages, the task queue and the
``webhooks_send_due`` command.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.events.models import Conference
from atrium.webhooks import events as catalogue
from atrium.webhooks import tasks, transport
from atrium.webhooks.models import RESPONSE_EXCERPT, Delivery, DeliveryAttempt, Endpoint
from atrium.webhooks.signing import generate_secret, sign
from atrium.webhooks.validators import endpoint_parts

logger = logging.getLogger(__name__)

USER_AGENT = "Atrium-Webhooks/1"
DEFAULT_RETRY_DELAYS = (60, 300, 1800, 7200, 43200)  # 1 min, 5 min, 30 min, 2 h, 12 h
DEFAULT_MAX_ATTEMPTS = 6
DEFAULT_TIMEOUT = 10


# Settings ------------------------------------------------------------------------------


def max_attempts() -> int:
    return max(1, int(getattr(settings, "ATRIUM_WEBHOOK_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)))


def retry_delay(failed_attempt: int) -> timedelta:
    """How long to wait after the ``failed_attempt``-th try (1-based) before the next one."""
    delays = list(getattr(settings, "ATRIUM_WEBHOOK_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))
    if not delays:
        delays = list(DEFAULT_RETRY_DELAYS)
    return timedelta(seconds=delays[min(failed_attempt, len(delays)) - 1])


def request_timeout() -> float:
    return float(getattr(settings, "ATRIUM_WEBHOOK_TIMEOUT", DEFAULT_TIMEOUT))


# Emitting ------------------------------------------------------------------------------


def _json_ready(payload: dict) -> dict:
    """``payload`` as plain JSON values (dates, UUIDs, decimals as strings); TypeError if not."""
    if not isinstance(payload, dict):
        raise TypeError("A webhook payload is a dict.")
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def webhook_emit(*, conference: Conference, event: str, payload: dict) -> list[Delivery]:
    """Queue ``event`` with ``payload`` for every active endpoint of ``conference`` that wants it.

    Call it from a service, inside its transaction: the deliveries are saved with the
    change, and sent only once the transaction commits (nothing leaves for a change
    that was rolled back). With no endpoint subscribed, this is one small query.
    """
    if event not in catalogue.CATALOGUE:
        raise ValueError(f"Unknown webhook event {event!r}; see atrium.webhooks.events.")
    data = _json_ready(payload)
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(conference=conference, is_active=True).only(
            "id", "events"
        )
        if endpoint.subscribes_to(event)
    ]
    if not endpoints:
        return []
    now = timezone.now()
    with transaction.atomic():
        deliveries = [
            Delivery.objects.create(
                endpoint=endpoint, event=event, payload=data, next_attempt_at=now
            )
            for endpoint in endpoints
        ]
        for delivery in deliveries:
            _enqueue_on_commit(delivery.pk, attempt=1)
    return deliveries


def _enqueue_on_commit(delivery_id: int, *, attempt: int, run_after=None) -> None:
    # robust: a queue that is down must not break the caller's request; the
    # `webhooks_send_due` command picks up whatever was not queued.
    transaction.on_commit(
        partial(enqueue_delivery, delivery_id, attempt=attempt, run_after=run_after), robust=True
    )


def enqueue_delivery(delivery_id: int, *, attempt: int, run_after=None):
    """Queue attempt number ``attempt`` of a delivery, at ``run_after`` if given.

    A backend that cannot defer tasks (the immediate one, in tests and small set-ups)
    gets nothing for a later attempt: the delivery keeps its ``next_attempt_at`` and
    ``manage.py webhooks_send_due`` sends it when it is due.
    """
    task = tasks.deliver_webhook
    if run_after is not None:
        if not task.get_backend().supports_defer:
            logger.info(
                "Webhook delivery %s: attempt %s due at %s; the task backend cannot defer, "
                "so `webhooks_send_due` will send it.",
                delivery_id,
                attempt,
                run_after,
            )
            return None
        task = task.using(run_after=run_after)
    try:
        return task.enqueue(delivery_id, attempt)
    except Exception:  # the row is saved; the sweep sends it later
        logger.exception("Could not queue webhook delivery %s", delivery_id)
        return None


# Sending -------------------------------------------------------------------------------


def delivery_body(delivery: Delivery) -> bytes:
    """The exact bytes posted: the same on every attempt of a delivery."""
    document = {
        "id": str(delivery.event_id),
        "event": delivery.event,
        "created": delivery.created.astimezone(UTC).isoformat(timespec="seconds"),
        "conference": delivery.endpoint.conference.slug,
        "data": delivery.payload,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def delivery_headers(delivery: Delivery, *, body: bytes, timestamp: int, attempt: int) -> dict:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Atrium-Event": delivery.event,
        "X-Atrium-Delivery": str(delivery.event_id),
        "X-Atrium-Attempt": str(attempt),
        "X-Atrium-Timestamp": str(timestamp),
        "X-Atrium-Signature": sign(delivery.endpoint.secret, timestamp, body),
    }


def _attempt_limit(delivery: Delivery) -> int:
    # A test ping is tried once: the organiser is looking at the result.
    return 1 if delivery.event == catalogue.PING else max_attempts()


def deliver(*, delivery_id: int, attempt: int | None = None) -> Delivery | None:
    """Make one attempt at a delivery, log it, and schedule the next one if it failed.

    ``attempt`` is the number this call is meant to make (the task passes it); if
    that attempt was already made, or the delivery is over, nothing happens, so a
    stale or duplicated task is harmless. ``None`` means "the next one, now".
    Returns the delivery (None if it no longer exists).
    """
    delivery = (
        Delivery.objects.select_related("endpoint__conference").filter(pk=delivery_id).first()
    )
    if delivery is None or delivery.is_final:
        return delivery
    if attempt is not None and delivery.attempts != attempt - 1:
        return delivery
    endpoint = delivery.endpoint
    now = timezone.now()
    number = delivery.attempts + 1

    if not endpoint.is_active and delivery.event != catalogue.PING:
        delivery.status = Delivery.Status.FAILED
        delivery.last_error = _("The endpoint was disabled before this delivery was sent.")
        delivery.next_attempt_at = None
        delivery.completed_at = now
        delivery.save(update_fields=["status", "last_error", "next_attempt_at", "completed_at"])
        return delivery

    # Claim the attempt: of two workers holding the same task, only one gets here.
    # The lease makes `webhooks_send_due` pick the delivery up again if this worker dies.
    lease = now + timedelta(seconds=2 * request_timeout() + 60)
    claimed = Delivery.objects.filter(
        pk=delivery.pk,
        attempts=delivery.attempts,
        status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING],
    ).update(attempts=number, last_attempt_at=now, next_attempt_at=lease)
    if not claimed:
        delivery.refresh_from_db()
        return delivery
    delivery.attempts = number
    delivery.last_attempt_at = now

    try:
        endpoint_parts(endpoint.url)  # the checks that need no network; the transport resolves
    except ValidationError as exc:
        response = transport.Response(
            status_code=None, body="", error=" ".join(exc.messages), duration_ms=0
        )
        permanent = True
    else:
        body = delivery_body(delivery)
        headers = delivery_headers(delivery, body=body, timestamp=int(time.time()), attempt=number)
        response = transport.post(
            endpoint.url, body=body, headers=headers, timeout=request_timeout()
        )
        permanent = response.refused

    _record_attempt(delivery, number=number, started=now, response=response, permanent=permanent)
    return delivery


@transaction.atomic
def _record_attempt(
    delivery: Delivery, *, number: int, started, response: transport.Response, permanent: bool
) -> None:
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=number,
        started=started,
        succeeded=response.ok,
        status_code=response.status_code,
        response_body=response.body[:RESPONSE_EXCERPT],
        error=response.error,
        duration_ms=response.duration_ms,
    )
    now = timezone.now()
    delivery.last_status_code = response.status_code
    delivery.last_response_body = response.body[:RESPONSE_EXCERPT]
    delivery.last_error = response.error
    delivery.last_duration_ms = response.duration_ms
    if response.ok:
        delivery.status = Delivery.Status.SUCCEEDED
        delivery.next_attempt_at = None
        delivery.completed_at = now
    elif permanent or number >= _attempt_limit(delivery):
        delivery.status = Delivery.Status.FAILED
        delivery.next_attempt_at = None
        delivery.completed_at = now
    else:
        delivery.status = Delivery.Status.RETRYING
        delivery.next_attempt_at = now + retry_delay(number)
        _enqueue_on_commit(delivery.pk, attempt=number + 1, run_after=delivery.next_attempt_at)
    delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "last_status_code",
            "last_response_body",
            "last_error",
            "last_duration_ms",
            "status",
            "next_attempt_at",
            "completed_at",
        ]
    )
    if not response.ok:
        logger.warning(
            "Webhook delivery %s (%s) attempt %s failed: %s",
            delivery.event_id,
            delivery.event,
            number,
            response.status_code or response.error,
        )


def deliveries_send_due(*, now=None, limit: int = 500) -> int:
    """Send every delivery whose next attempt is due; returns how many were tried.

    For task backends that cannot defer, and to catch up after the queue was down.
    """
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(
            status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING],
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", "attempts")[:limit]
    )
    for delivery_id, attempts in due:
        deliver(delivery_id=delivery_id, attempt=attempts + 1)
    return len(due)


# Organiser actions -----------------------------------------------------------------------


def _clean_events(events) -> list[str]:
    # Keep the catalogue's order, drop duplicates.
    chosen = set(events or [])
    return [event for event in catalogue.CATALOGUE if event in chosen] + sorted(
        chosen - set(catalogue.CATALOGUE)
    )


@transaction.atomic
def endpoint_create(
    *,
    conference: Conference,
    url: str,
    events: list[str],
    description: str = "",
    created_by=None,
) -> Endpoint:
    """Register an endpoint; its secret is generated here (read it from the result once)."""
    endpoint = Endpoint(
        conference=conference,
        url=url.strip(),
        events=_clean_events(events),
        description=description.strip(),
        created_by=created_by if created_by is not None and created_by.is_authenticated else None,
        secret=generate_secret(),
    )
    endpoint.full_clean()
    endpoint.save()
    log_action(
        actor=created_by,
        action="webhooks.endpoint_created",
        obj=endpoint,
        conference=conference,
        data={"url": endpoint.url, "events": endpoint.events},
    )
    return endpoint


@transaction.atomic
def endpoint_update(
    *, endpoint: Endpoint, actor, url: str, events: list[str], description: str = ""
) -> Endpoint:
    endpoint.url = url.strip()
    endpoint.events = _clean_events(events)
    endpoint.description = description.strip()
    endpoint.full_clean()
    endpoint.save(update_fields=["url", "events", "description", "updated"])
    log_action(
        actor=actor,
        action="webhooks.endpoint_updated",
        obj=endpoint,
        conference=endpoint.conference,
        data={"url": endpoint.url, "events": endpoint.events},
    )
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: Endpoint, actor) -> str:
    """Give the endpoint a new secret and return it; every later attempt is signed with it."""
    endpoint.secret = generate_secret()
    endpoint.secret_rotated = timezone.now()
    endpoint.save(update_fields=["secret", "secret_rotated", "updated"])
    log_action(
        actor=actor,
        action="webhooks.secret_rotated",
        obj=endpoint,
        conference=endpoint.conference,
    )
    return endpoint.secret


@transaction.atomic
def endpoint_set_active(*, endpoint: Endpoint, actor, is_active: bool) -> Endpoint:
    if endpoint.is_active != is_active:
        endpoint.is_active = is_active
        endpoint.save(update_fields=["is_active", "updated"])
        log_action(
            actor=actor,
            action="webhooks.endpoint_enabled" if is_active else "webhooks.endpoint_disabled",
            obj=endpoint,
            conference=endpoint.conference,
        )
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint, actor) -> None:
    """Delete the endpoint with its delivery log; the audit trail keeps who did it."""
    log_action(
        actor=actor,
        action="webhooks.endpoint_deleted",
        obj=endpoint,
        conference=endpoint.conference,
        data={"url": endpoint.url, "events": endpoint.events},
    )
    endpoint.delete()


@transaction.atomic
def endpoint_send_ping(*, endpoint: Endpoint, actor) -> Delivery:
    """Queue a "ping" event to the endpoint (tried once), whatever it subscribed to."""
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event=catalogue.PING,
        payload={
            "message": "Test event from Atrium: your endpoint is reachable.",
            "endpoint": endpoint.pk,
        },
        next_attempt_at=timezone.now(),
    )
    log_action(
        actor=actor,
        action="webhooks.ping_sent",
        obj=endpoint,
        conference=endpoint.conference,
        data={"delivery": str(delivery.event_id)},
    )
    _enqueue_on_commit(delivery.pk, attempt=1)
    return delivery


@transaction.atomic
def delivery_retry(*, delivery: Delivery, actor) -> Delivery:
    """Try a failed (or waiting) delivery again now, with the same id and body."""
    delivery = (
        Delivery.objects.select_for_update()
        .select_related("endpoint__conference")
        .get(pk=delivery.pk)
    )
    if delivery.status == Delivery.Status.SUCCEEDED:
        raise ValidationError(_("This delivery has already succeeded."), code="succeeded")
    if not delivery.endpoint.is_active and delivery.event != catalogue.PING:
        raise ValidationError(
            _("Enable the endpoint before retrying its deliveries."), code="inactive"
        )
    delivery.status = Delivery.Status.RETRYING
    delivery.next_attempt_at = timezone.now()
    delivery.completed_at = None
    delivery.save(update_fields=["status", "next_attempt_at", "completed_at"])
    log_action(
        actor=actor,
        action="webhooks.delivery_retried",
        obj=delivery.endpoint,
        conference=delivery.endpoint.conference,
        data={"delivery": str(delivery.event_id), "event": delivery.event},
    )
    _enqueue_on_commit(delivery.pk, attempt=delivery.attempts + 1)
    return delivery
