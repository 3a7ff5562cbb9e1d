"""Background work: one delivery attempt per task, queued through the Django Tasks API."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_webhook(delivery_id: int, attempt: int | None = None) -> str | None:
    """Try ``delivery_id`` once (attempt number ``attempt``) and schedule the next try.

    A task whose attempt was already made (a manual "Retry now" came first) does nothing.
    """
    from atrium.webhooks.services import deliver

    delivery = deliver(delivery_id=delivery_id, attempt=attempt)
    return delivery.status if delivery is not None else None
