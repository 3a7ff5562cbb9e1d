from __future__ import annotations

import zoneinfo

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from atrium.events.models import Conference, Room, Session, SessionRole, Talk, Track, Venue

_ZONE_ATTRIBUTE = "_atrium_admin_zone"


def _zone_help(zone) -> str:
    if zone is None:
        return gettext("Times are in the time zone of the edition chosen on this form.")
    return gettext("Times are in %(zone)s (the edition's time zone).") % {"zone": str(zone)}


def _add_zone_help(field, db_field, request) -> None:
    """A datetime field of an edition's row says which zone it is read in."""
    if field is None or request is None or not isinstance(db_field, models.DateTimeField):
        return
    if hasattr(request, _ZONE_ATTRIBUTE):
        note = _zone_help(getattr(request, _ZONE_ATTRIBUTE))
        field.help_text = f"{field.help_text} {note}" if field.help_text else note


class ConferenceTimeZoneAdminMixin:
    """Show and take the times of an edition's rows in the edition's time zone, and say so.

    The rule, for every admin of a model that belongs to an edition (``conference_path``
    leads from the model to its ``Conference``, e.g. ``"conference"`` or
    ``"registration__conference"``):

    - change view (with its inlines): the zone of the object's edition;
    - add view: the edition picked on the form (the posted field named by the first step of
      ``conference_path``) when saving; on the empty form, ``?conference=<id>`` (or
      ``?<first step>=<id>``) in the address; failing that, the zone every edition shares;
      failing that, the times are read in the zone of the edition chosen on the form, which
      the help line says;
    - change list: the edition filtered on (``?conference__id__exact=`` or the path's
      filter), else the zone every edition shares, else UTC, said above the list.

    Django reads and writes the form's datetimes in the active zone, so activating the
    edition's zone around the whole view (rendering included) is all it takes.
    """

    conference_path = "conference"

    # --- which edition ------------------------------------------------------------------

    def _conference_of(self, obj) -> Conference | None:
        target = obj
        for step in self.conference_path.split("__"):
            target = getattr(target, step, None)
            if target is None:
                return None
        return target if isinstance(target, Conference) else None

    def _conference_from_params(self, params) -> Conference | None:
        first = self.conference_path.split("__")[0]
        for key in (first, f"{self.conference_path}__id__exact", f"{first}__id__exact"):
            raw = params.get(key)
            if not raw or not str(raw).isdigit():
                continue
            if first == "conference" or key == f"{self.conference_path}__id__exact":
                conference = Conference.objects.filter(pk=raw).first()
                if conference:
                    return conference
                continue
            parent_model = self.model._meta.get_field(first).related_model
            parent = parent_model._default_manager.filter(pk=raw).first()
            if parent is not None:
                rest = self.conference_path.split("__")[1:]
                target = parent
                for step in rest:
                    target = getattr(target, step, None)
                if isinstance(target, Conference):
                    return target
        return None

    @staticmethod
    def _shared_zone() -> zoneinfo.ZoneInfo | None:
        zones = set(Conference.objects.values_list("time_zone", flat=True).distinct()[:2])
        return zoneinfo.ZoneInfo(zones.pop()) if len(zones) == 1 else None

    def _zone_for(self, request, object_id=None):
        """(zone, conference) for this request; zone None: the edition chosen on the form."""
        conference = None
        if object_id is not None:
            obj = self.get_object(request, admin.utils.unquote(object_id))
            conference = self._conference_of(obj) if obj is not None else None
        if conference is None and request.method == "POST":
            conference = self._conference_from_params(request.POST)
        if conference is None:
            conference = self._conference_from_params(request.GET)
        if conference is not None:
            return conference.tz
        return self._shared_zone()

    # --- the help line --------------------------------------------------------------------

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        _add_zone_help(field, db_field, request)
        return field

    # --- the views --------------------------------------------------------------------------

    def _in_zone(self, request, zone, view, extra_context):
        setattr(request, _ZONE_ATTRIBUTE, zone)
        extra_context = {**(extra_context or {}), "edition_zone_note": _zone_help(zone)}
        with timezone.override(zone or timezone.get_default_timezone()):
            response = view(extra_context)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        return response

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        zone = self._zone_for(request, object_id)
        parent = super()
        return self._in_zone(
            request,
            zone,
            lambda context: parent.changeform_view(request, object_id, form_url, context),
            extra_context,
        )

    def changelist_view(self, request, extra_context=None):
        conference = self._conference_from_params(request.GET)
        zone = conference.tz if conference else self._shared_zone()
        note = (
            _zone_help(zone)
            if zone is not None
            else gettext("Times are in UTC: filter by edition to see its local times.")
        )
        parent = super()
        setattr(request, _ZONE_ATTRIBUTE, zone)
        with timezone.override(zone or timezone.get_default_timezone()):
            response = parent.changelist_view(
                request, {**(extra_context or {}), "edition_zone_note": note}
            )
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        return response


class ConferenceTimeZoneInlineMixin:
    """An inline of an edition's row: its datetime fields say which zone they are in.

    The zone itself is active already (the parent's change view activates it).
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        _add_zone_help(field, db_field, request)
        return field


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
class SessionAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
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
