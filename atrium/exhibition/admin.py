"""The exhibition in the Django admin, with times in the edition's time zone.

Set-up data (halls and their plan features, booths, tours) is edited here. Changes with
rules go through the exhibition's pages, which call the services: accepting or rejecting
an exhibitor, approving its edits, holding, paying and releasing a booth, inviting and
withdrawing staff. Those fields and rows are read-only here. Leads are read-only and show
only when and by whom a visitor was scanned, never the booth staff's notes, tags or the
visitor's interests: what a visitor shares is governed by their consent
(``selectors.shared_card``), which the admin does not bypass.
"""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from atrium.core.admin import ChineseAwareSearchMixin
from atrium.events.admin import ConferenceTimeZoneAdminMixin
from atrium.exhibition.models import (
    Booth,
    BoothBooking,
    BoothPayment,
    Exhibitor,
    Hall,
    Lead,
    PlanFeature,
    Product,
    StaffPass,
    Tour,
    TourStop,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PlanFeatureInline(admin.TabularInline):
    model = PlanFeature
    extra = 0
    fields = ("kind", "label", "label_zh", "x", "y", "width", "height")


@admin.register(Hall)
class HallAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "name_zh", "conference", "opens_at", "closes_at", "booths")
    list_filter = ("conference",)
    search_fields = ("code", "name", "name_zh")
    inlines = [PlanFeatureInline]

    @admin.display(description=_("booths"))
    def booths(self, obj) -> int:
        return obj.booths.count()


@admin.register(Booth)
class BoothAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    conference_path = "hall__conference"
    list_display = (
        "code",
        "hall",
        "category",
        "width",
        "height",
        "price_usd",
        "price_cny",
        "staff_passes",
        "is_closed",
    )
    list_filter = ("hall__conference", "hall", "category", "is_closed")
    list_select_related = ("hall",)
    search_fields = ("code",)


class ProductInline(admin.StackedInline):
    model = Product
    extra = 0
    fields = ("name", "name_zh", "description", "description_zh", "order")


class BookingInline(ReadOnlyInline):
    model = BoothBooking
    fields = ("booth", "status", "amount", "currency", "held_until", "booked_at", "released_at")
    readonly_fields = fields


@admin.register(Exhibitor)
class ExhibitorAdmin(ChineseAwareSearchMixin, ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    list_display = ("display_name", "display_name_zh", "conference", "status", "created")
    list_filter = ("conference", "status")
    list_select_related = ("conference", "organisation")
    raw_id_fields = ("organisation", "contact", "wished_booth")
    readonly_fields = (
        "status",
        "decision_reason",
        "decided_at",
        "pending_changes",
        "created",
    )
    inlines = [ProductInline, BookingInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class PaymentInline(ReadOnlyInline):
    model = BoothPayment
    fields = ("amount", "currency", "provider", "reference", "paid_at", "receipt", "recorded_by")
    readonly_fields = fields

    @admin.display(description=_("receipt number"))
    def receipt(self, obj) -> str:
        return obj.receipt_label


@admin.register(BoothBooking)
class BoothBookingAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    conference_path = "exhibitor__conference"
    list_display = ("booth", "exhibitor", "status", "amount", "currency", "held_until", "created")
    list_filter = ("exhibitor__conference", "status")
    list_select_related = ("booth", "exhibitor")
    search_fields = ("booth__code",)
    inlines = [PaymentInline]

    def has_add_permission(self, request):
        return False  # held on the exhibitor portal, paid there or by an organiser

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StaffPass)
class StaffPassAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    conference_path = "exhibitor__conference"
    list_display = ("email", "name", "exhibitor", "role", "status", "created", "accepted_at")
    list_filter = ("exhibitor__conference", "role", "status")
    list_select_related = ("exhibitor",)
    search_fields = ("email", "name")
    fields = ("exhibitor", "email", "name", "person", "role", "status", "created", "accepted_at")
    readonly_fields = ("exhibitor", "email", "person", "status", "created", "accepted_at")

    def has_add_permission(self, request):
        return False  # invited from the portal (the invitation mails a token)


@admin.register(Lead)
class LeadAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    """Read-only, and without the notes, tags and interests (see the module's docstring)."""

    conference_path = "exhibitor__conference"
    list_display = ("exhibitor", "registration", "scanned_at", "received_at", "withdrawn_at")
    list_filter = ("exhibitor__conference",)
    list_select_related = ("exhibitor", "registration__person")
    fields = (
        "exhibitor",
        "registration",
        "scanned_at",
        "received_at",
        "scanned_by",
        "rating",
        "withdrawn_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the visitor withdraws a lead on /me/


class TourStopInline(admin.TabularInline):
    model = TourStop
    extra = 0
    fields = ("order", "booth", "minutes")
    raw_id_fields = ("booth",)


@admin.register(Tour)
class TourAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    list_display = ("name", "name_zh", "conference", "starts_at", "hosts_notified_at")
    list_filter = ("conference",)
    search_fields = ("name", "name_zh")
    readonly_fields = ("hosts_notified_at",)
    inlines = [TourStopInline]
