"""Webhooks: endpoints an organiser registers per edition, and the deliveries sent to them."""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from atrium.events.models import Conference
from atrium.webhooks import events as catalogue
from atrium.webhooks.signing import generate_secret
from atrium.webhooks.validators import validate_endpoint_url, validate_events

#: How much of a receiver's response body is kept (characters).
RESPONSE_EXCERPT = 2048


class Endpoint(models.Model):
    """An HTTPS address that receives the events it subscribed to, for one edition."""

    conference = models.ForeignKey(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    url = models.URLField(_("URL"), max_length=500, validators=[validate_endpoint_url])
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Kept in clear because every delivery is signed with it; never shown after creation.
    secret = models.CharField(_("signing secret"), max_length=100, default=generate_secret)
    events = models.JSONField(_("events"), default=list, validators=[validate_events])
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    secret_rotated = models.DateTimeField(_("secret last rotated"), null=True, blank=True)

    class Meta:
        ordering = ["conference", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        indexes = [models.Index(fields=["conference", "is_active"], name="webhook_endpoint_active")]

    def __str__(self) -> str:
        return self.url

    def get_absolute_url(self) -> str:
        return reverse(
            "webhooks:endpoint", kwargs={"slug": self.conference.slug, "endpoint_id": self.pk}
        )

    def subscribes_to(self, event: str) -> bool:
        return event in (self.events or [])

    @property
    def event_labels(self) -> list[str]:
        return [catalogue.label(event) for event in self.events or []]


class Delivery(models.Model):
    """One event for one endpoint, tried until it succeeds or the attempts run out."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Retrying")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        Endpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=50, db_index=True)
    # Sent as the body's "id" and the X-Atrium-Delivery header; the same on every retry,
    # so a receiver can ignore a delivery it has already processed.
    event_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    payload = models.JSONField(_("data"), default=dict, encoder=DjangoJSONEncoder)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last response code"), null=True, blank=True)
    last_response_body = models.TextField(_("last response (excerpt)"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_duration_ms = models.PositiveIntegerField(_("last duration (ms)"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"

    @property
    def event_label(self) -> str:
        return catalogue.label(self.event)

    @property
    def payload_json(self) -> str:
        """The data, indented for the organiser page."""
        return json.dumps(self.payload, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder)

    @property
    def is_final(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}


class DeliveryAttempt(models.Model):
    """The log of one try: what the receiver answered, or why it could not be reached."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField(_("attempt"))
    started = models.DateTimeField(_("when"))
    succeeded = models.BooleanField(_("succeeded"), default=False)
    status_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    response_body = models.TextField(_("response (excerpt)"), blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"], name="webhook_attempt_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error[:40]}"
