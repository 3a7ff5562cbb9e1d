from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from atrium.events.admin import ConferenceTimeZoneAdminMixin
from atrium.webhooks.models import Delivery, DeliveryAttempt, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    """Endpoints are created on the organiser page, which shows the secret once; here never."""

    list_display = ("url", "conference", "is_active", "event_list", "created", "created_by")
    list_filter = ("is_active", "conference")
    search_fields = ("url", "description")
    fields = (
        "conference",
        "url",
        "description",
        "events",
        "is_active",
        "created_by",
        "created",
        "updated",
        "secret_rotated",
    )
    readonly_fields = ("conference", "created_by", "created", "updated", "secret_rotated")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("events"))
    def event_list(self, obj: Endpoint) -> str:
        return ", ".join(obj.events or [])

    def has_add_permission(self, request) -> bool:
        return False


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = (
        "number",
        "started",
        "succeeded",
        "status_code",
        "duration_ms",
        "error",
        "response_body",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    conference_path = "endpoint__conference"
    """The delivery log: read-only; retry from the organiser page."""

    list_display = (
        "event_id",
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "created",
        "next_attempt_at",
    )
    list_filter = ("status", "event", "endpoint__conference")
    search_fields = ("event_id", "endpoint__url")
    list_select_related = ("endpoint",)
    inlines = [DeliveryAttemptInline]
    readonly_fields = (
        "endpoint",
        "event",
        "event_id",
        "payload",
        "status",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "last_status_code",
        "last_response_body",
        "last_error",
        "last_duration_ms",
        "created",
        "completed_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
