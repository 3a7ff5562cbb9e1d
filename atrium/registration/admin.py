from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from atrium.core.admin import ChineseAwareSearchMixin
from atrium.events.admin import ConferenceTimeZoneAdminMixin
from atrium.registration.models import (
    Answer,
    Delegation,
    DelegationInvitation,
    FapiaoRequest,
    Letterhead,
    Order,
    Payment,
    Question,
    Registration,
    RegistrationPolicy,
    RegistrationType,
    SeatBooking,
    Voucher,
)

# State changes with rules (payment, approval, cancellation, seats) go through the
# organiser pages, which call the services; the admin edits set-up data and shows
# the rest read-only where a direct edit would bypass a rule.


@admin.register(RegistrationPolicy)
class RegistrationPolicyAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    list_display = ("conference", "opens_at", "closes_at", "early_bird_until", "reference_prefix")


@admin.register(Letterhead)
class LetterheadAdmin(admin.ModelAdmin):
    list_display = ("conference", "issuer_name", "letter_prefix", "receipt_prefix")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(RegistrationType)
class RegistrationTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "conference",
        "code",
        "price_usd",
        "price_cny",
        "early_price_usd",
        "early_price_cny",
        "capacity",
        "requires_approval",
        "members_only",
        "is_free",
        "is_active",
    )
    list_filter = ("conference", "is_active", "is_free", "requires_approval")
    list_editable = ("is_active",)
    prepopulated_fields = {"code": ("name",)}


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("label", "conference", "kind", "required", "position")
    list_filter = ("conference", "kind")
    filter_horizontal = ("types",)


@admin.register(Voucher)
class VoucherAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    list_display = ("code", "conference", "kind", "percent", "used", "max_uses", "valid_until")
    list_filter = ("conference", "kind")
    search_fields = ("code",)
    readonly_fields = ("used",)
    filter_horizontal = ("types",)


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    readonly_fields = ("question", "value")
    can_delete = False


class SeatBookingInline(admin.TabularInline):
    model = SeatBooking
    extra = 0
    fields = ("session", "status", "created", "promoted_at", "cancelled_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(ChineseAwareSearchMixin, ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    list_display = ("person", "conference", "type", "status", "approval", "reference", "created")
    list_filter = ("conference", "status", "approval", "type")
    list_select_related = ("person", "conference", "type", "order")
    autocomplete_fields = ("person",)
    raw_id_fields = ("delegation", "voucher")
    readonly_fields = ("status", "approval", "feed_token", "cancelled_at", "created", "updated")
    search_key_field = "person__search_key"
    search_fields = ("person__search_key",)
    inlines = [AnswerInline, SeatBookingInline]

    @admin.display(description=_("reference"))
    def reference(self, obj):
        return obj.reference


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    readonly_fields = (
        "provider",
        "amount",
        "currency",
        "status",
        "provider_reference",
        "received_on",
        "bank_reference",
        "recorded_by",
        "created",
        "confirmed_at",
    )
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    list_display = ("reference", "conference", "registration", "total", "currency", "status")
    list_filter = ("conference", "status", "currency")
    search_fields = ("reference",)
    readonly_fields = (
        "conference",
        "registration",
        "reference",
        "currency",
        "list_price",
        "total",
        "status",
        "paid_at",
        "received_amount",
        "received_currency",
        "refund_amount",
        "refund_reason",
        "receipt_number",
        "receipt_issued_at",
    )
    inlines = [PaymentInline]


class InvitationInline(admin.TabularInline):
    model = DelegationInvitation
    extra = 0
    fields = ("email", "name", "type", "status", "created", "accepted_at")
    readonly_fields = ("status", "created", "accepted_at")

    def has_add_permission(self, request, obj=None):
        return False  # invitations are sent from the delegation page (they mail a token)


@admin.register(Delegation)
class DelegationAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "conference",
        "basis",
        "member_kind",
        "head",
        "invitation_count",
        "invitations_stopped",
    )
    list_editable = ("invitations_stopped",)
    list_filter = ("conference", "basis", "member_kind", "invitations_stopped")
    search_fields = ("name", "name_zh")
    autocomplete_fields = ("head", "organisation")
    inlines = [InvitationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(invitations_sent=Count("invitations"))

    @admin.display(description=_("invitations sent"), ordering="invitations_sent")
    def invitation_count(self, obj) -> int:
        return obj.invitations_sent


@admin.register(SeatBooking)
class SeatBookingAdmin(ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    conference_path = "session__conference"
    list_display = ("registration", "session", "status", "created", "promoted_at")
    list_filter = ("session__conference", "status")
    list_select_related = ("registration__person", "session")
    readonly_fields = (
        "session",
        "registration",
        "status",
        "created",
        "promoted_at",
        "cancelled_at",
    )

    def has_add_permission(self, request):
        return False  # sign-ups go through the quota rules (organiser quota page)


@admin.register(FapiaoRequest)
class FapiaoRequestAdmin(admin.ModelAdmin):
    """Read-only: requests change on /me/, issues on the organisers' fapiao pages (logged)."""

    list_display = ("title", "conference", "kind", "taxpayer_number", "status", "number")
    list_filter = ("conference", "kind", "status")
    search_fields = ("title", "taxpayer_number", "number")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
