from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from atrium.events.models import Conference, Room, Session, SessionRole, Talk, Track, Venue


class VenueInline(admin.TabularInline):
    model = Venue
    fields = ("name", "name_zh", "address")
    extra = 0


class TrackInline(admin.TabularInline):
    model = Track
    fields = ("name", "name_zh", "slug")
    extra = 0


@admin.register(Conference)
class ConferenceAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "city", "country", "start_date", "end_date", "is_published")
    list_display_links = ("number", "name")
    list_filter = ("is_published", "country")
    search_fields = ("name", "name_zh", "city", "city_zh", "theme")
    autocomplete_fields = ("host",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [VenueInline, TrackInline]
    fieldsets = (
        (None, {"fields": ("number", "name", "name_zh", "slug", "is_published")}),
        (_("Theme"), {"fields": ("theme", "theme_zh", "description", "description_zh")}),
        (
            _("Place and time"),
            {
                "fields": (
                    "host",
                    "city",
                    "city_zh",
                    "country",
                    "time_zone",
                    "start_date",
                    "end_date",
                )
            },
        ),
        (_("Branding"), {"fields": ("primary_colour", "accent_colour")}),
        (_("Badges"), {"fields": ("badge_layout",)}),
    )


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "name_zh",
        "conference",
        "venue",
        "capacity",
        "position",
        "session_count",
    )
    list_filter = ("conference",)
    list_editable = ("position",)
    search_fields = ("name", "name_zh")
    list_select_related = ("conference", "venue")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_sessions=Count("sessions"))

    @admin.display(description=_("sessions"), ordering="_sessions")
    def session_count(self, obj):
        return obj._sessions


class SessionRoleInline(admin.TabularInline):
    model = SessionRole
    fields = ("person", "role", "position")
    autocomplete_fields = ("person",)
    extra = 0


class TalkInline(admin.StackedInline):
    model = Talk
    fields = (("title", "title_zh"), "speakers", "abstract", "position")
    autocomplete_fields = ("speakers",)
    extra = 0


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "kind",
        "conference",
        "start",
        "end",
        "room",
        "place",
        "seats",
        "track",
    )
    list_filter = ("conference", "kind", "track", "room", "is_public")
    search_fields = ("title", "title_zh", "description", "place")
    list_select_related = ("conference", "room", "track")
    autocomplete_fields = ("room", "track")
    date_hierarchy = "start"
    inlines = [SessionRoleInline, TalkInline]
    fieldsets = (
        (None, {"fields": ("conference", "kind", "title", "title_zh", "is_public")}),
        (
            _("When and where"),
            {"fields": ("start", "end", "room", "place", "place_zh", "seats", "track")},
        ),
        (_("About"), {"fields": ("description", "description_zh")}),
    )


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ("name", "name_zh", "conference")
    list_filter = ("conference",)
    search_fields = ("name", "name_zh")


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "name_zh", "conference", "address")
    list_filter = ("conference",)
    search_fields = ("name", "name_zh")
