from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from atrium.events.admin import ConferenceTimeZoneAdminMixin
from atrium.matchmaking.models import (
    Absence,
    Block,
    Feedback,
    MatchmakingSettings,
    Meeting,
    MeetingRequest,
    Participant,
    Placement,
    Profile,
    SchedulerRun,
)


@admin.register(MatchmakingSettings)
class MatchmakingSettingsAdmin(admin.ModelAdmin):
    list_display = ("conference", "request_limit", "requests_open")


@admin.register(Profile)
class ProfileAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    list_display = ("registration", "conference", "is_active", "directory_listed", "updated")
    list_filter = ("conference", "is_active", "directory_listed")
    search_fields = ("registration__person__search_key", "offers", "seeks")
    raw_id_fields = ("registration",)
    filter_horizontal = ("sectors",)


@admin.register(Block)
class BlockAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    conference_path = "session__conference"
    list_display = ("session", "slot_minutes", "table_count", "is_active")
    list_filter = ("session__conference", "is_active")
    raw_id_fields = ("session",)


@admin.register(MeetingRequest)
class MeetingRequestAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    """Read-mostly: requests change through the delegates' pages (and their rules)."""

    list_display = ("requester", "recipient", "status", "created", "answered_at")
    list_filter = ("conference", "status")
    search_fields = ("requester__person__search_key", "recipient__person__search_key")
    raw_id_fields = ("requester", "recipient", "cancelled_by")
    readonly_fields = ("status", "created", "answered_at", "cancelled_at", "cancelled_by")


class ParticipantInline(admin.TabularInline):
    model = Participant
    fk_name = "meeting"
    raw_id_fields = ("registration", "added_by")
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "conference", "status", "priority", "start", "table", "published_at")
    list_filter = ("conference", "status")
    list_editable = ("priority",)
    readonly_fields = ("block", "start", "end", "table", "published_at", "sequence", "cancelled_at")
    raw_id_fields = ("request",)
    inlines = [ParticipantInline]


class PlacementInline(admin.TabularInline):
    model = Placement
    extra = 0
    can_delete = False
    raw_id_fields = ("meeting", "block")
    readonly_fields = ("meeting", "block", "start", "end", "table", "fixed", "reason_code")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SchedulerRun)
class SchedulerRunAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    list_display = (
        "conference",
        "created",
        "status",
        "scheduled_count",
        "meeting_count",
        "quality_percent",
        "published_at",
    )
    list_filter = ("conference", "status")
    readonly_fields = [f.name for f in SchedulerRun._meta.fields]
    inlines = [PlacementInline]

    @admin.display(description=_("objective / bound"))
    def quality_percent(self, obj: SchedulerRun) -> str:
        return f"{obj.quality:.2f}%" if obj.quality is not None else "—"

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    """Read-only: absences are marked on the organisers' page, which frees the meetings."""

    list_display = ("registration", "conference", "since", "created_by")
    list_filter = ("conference",)
    search_fields = ("registration__person__search_key",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("meeting", "registration", "took_place", "rating", "updated")
    list_filter = ("meeting__conference", "took_place", "rating")
    raw_id_fields = ("meeting", "registration")

    def has_add_permission(self, request):
        return False
