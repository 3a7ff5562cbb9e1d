"""The admin of calls with review: read-mostly.

Every state change of a call, a submission, an assignment, a review or a decision has rules
(deadlines, conflicts of interest, scales, mails) kept in the services and reached through
the organiser pages; here everything is shown, times in the edition's zone
(``ConferenceTimeZoneAdminMixin``), and nothing is added, changed or deleted.
"""

from __future__ import annotations

from django.contrib import admin

from atrium.events.admin import ConferenceTimeZoneAdminMixin
from atrium.reviews.models import (
    AssignmentRun,
    Bid,
    Call,
    CoAuthor,
    Comment,
    Criterion,
    Decision,
    DeclaredConflict,
    FormField,
    Review,
    Reviewer,
    ReviewerInvitation,
    Submission,
    Track,
)


class ReadOnlyAdminMixin:
    """Shown, never added, changed or deleted here: the organiser pages call the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class TrackInline(ReadOnlyInline):
    model = Track
    fields = ("slug", "name", "name_zh", "position")


class FormFieldInline(ReadOnlyInline):
    model = FormField
    fields = ("key", "kind", "label", "label_zh", "required", "max_length", "position")


class CriterionInline(ReadOnlyInline):
    model = Criterion
    fields = ("key", "name", "name_zh", "weight", "scale_min", "scale_max", "counts")


class ReviewerInvitationInline(ReadOnlyInline):
    model = ReviewerInvitation
    fields = ("email", "track", "max_load", "status", "invited_at", "accepted_at")


@admin.register(Call)
class CallAdmin(ReadOnlyAdminMixin, ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    list_display = ("title", "conference", "kind", "opens_at", "closes_at", "review_until")
    list_filter = ("conference", "kind")
    search_fields = ("title", "title_zh", "slug")
    inlines = [TrackInline, FormFieldInline, CriterionInline, ReviewerInvitationInline]


class CoAuthorInline(ReadOnlyInline):
    model = CoAuthor
    fields = ("email", "name", "person", "status", "invited_at", "confirmed_at")


class DecisionInline(ReadOnlyInline):
    model = Decision
    fields = (
        "outcome",
        "track",
        "status",
        "language",
        "rank",
        "mailed_at",
        "talk",
        "edition",
        "host_chosen_at",
    )


class CommentInline(ReadOnlyInline):
    """The reviewers' discussion, for superusers only: never shown to the authors."""

    model = Comment
    fields = ("created", "author", "role", "body")


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdminMixin, ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    conference_path = "call__conference"
    list_display = ("title", "call", "submitter", "track", "status", "submitted_at")
    list_filter = ("call__conference", "call", "status")
    list_select_related = ("call", "submitter", "track")
    search_fields = ("title", "submitter__search_key", "organisation__name")
    inlines = [CoAuthorInline, DecisionInline, CommentInline]


class BidInline(ReadOnlyInline):
    model = Bid
    fields = ("submission", "level")


class DeclaredConflictInline(ReadOnlyInline):
    model = DeclaredConflict
    fields = ("submission", "reason", "created")


@admin.register(Reviewer)
class ReviewerAdmin(ReadOnlyAdminMixin, ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    conference_path = "call__conference"
    list_display = ("__str__", "call", "track", "max_load", "created")
    list_filter = ("call__conference", "call")
    list_select_related = ("call", "track", "person", "user")
    search_fields = ("person__search_key", "user__email", "topics")
    inlines = [BidInline, DeclaredConflictInline]


@admin.register(AssignmentRun)
class AssignmentRunAdmin(ReadOnlyAdminMixin, ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    conference_path = "call__conference"
    list_display = ("call", "created", "placed", "objective", "upper_bound", "status", "seconds")
    list_filter = ("call__conference", "status")
    list_select_related = ("call",)


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    conference_path = "submission__call__conference"
    list_display = ("submission", "reviewer", "status", "total", "submitted_at")
    list_filter = ("submission__call__conference", "status")
    list_select_related = ("submission", "reviewer__person", "reviewer__user")
    search_fields = ("submission__title",)


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdminMixin, ConferenceTimeZoneAdminMixin, admin.ModelAdmin):
    conference_path = "submission__call__conference"
    list_display = ("submission", "outcome", "status", "language", "mailed_at", "rank")
    list_filter = ("submission__call__conference", "outcome", "status")
    list_select_related = ("submission",)
    search_fields = ("submission__title",)
