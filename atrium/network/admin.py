from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from atrium.core.admin import ChineseAwareSearchMixin
from atrium.network import photos, services
from atrium.network.models import Organisation, Person, Sector


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("name", "name_zh", "slug")
    search_fields = ("name", "name_zh", "slug")
    prepopulated_fields = {"slug": ("name",)}


class PersonInline(admin.TabularInline):
    model = Person
    fields = ("name", "name_zh", "position", "email", "directory_opt_in")
    extra = 0
    show_change_link = True


class ChildInline(admin.TabularInline):
    model = Organisation
    fk_name = "parent"
    fields = ("name", "name_zh", "kind", "country")
    extra = 0
    show_change_link = True
    verbose_name = _("sub-organisation")
    verbose_name_plural = _("sub-organisations")


class MemberFilter(admin.SimpleListFilter):
    title = _("membership")
    parameter_name = "member"

    def lookups(self, request, model_admin):
        return [("yes", _("Members")), ("no", _("Not members"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(member_since__isnull=False)
        if self.value() == "no":
            return queryset.filter(member_since__isnull=True)
        return queryset


@admin.register(Organisation)
class OrganisationAdmin(ChineseAwareSearchMixin, admin.ModelAdmin):
    list_display = ("name", "name_zh", "kind", "country", "city", "member_since", "parent")
    list_filter = ("kind", MemberFilter, "added_by_delegate", "sectors", "is_synthetic", "country")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    filter_horizontal = ("sectors",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [ChildInline, PersonInline]
    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("name", "name_zh", "short_name", "slug", "kind", "parent")}),
        (_("Where"), {"fields": ("country", "city", "city_zh", "website")}),
        (_("About"), {"fields": ("description", "description_zh", "sectors")}),
        (_("Membership"), {"fields": ("member_since", "is_synthetic")}),
    )


class PersonAdminForm(forms.ModelForm):
    """The photo goes through ``atrium.network.photos``: checked, normalised, logged."""

    upload_photo = forms.FileField(
        label=_("New photo for check-in"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at least 200 × 200 pixels, up to 5 MB."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)

    class Meta:
        model = Person
        # The admin's fieldsets decide the fields; ``photo`` itself is never one of them.
        fields = ("name",)

    def clean_upload_photo(self):
        upload = self.cleaned_data.get("upload_photo")
        if upload:
            try:
                photos.photo_validate(upload)
            except ValidationError as error:
                raise ValidationError(error.message_dict["photo"]) from error
        return upload


@admin.register(Person)
class PersonAdmin(ChineseAwareSearchMixin, admin.ModelAdmin):
    form = PersonAdminForm
    readonly_fields = ("photo_preview",)
    list_display = ("name", "name_zh", "organisation", "position", "country", "directory_opt_in")
    list_filter = ("directory_opt_in", "is_synthetic", "country")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)
    prepopulated_fields = {"slug": ("name",)}
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("name", "name_zh", "sort_name", "slug")}),
        (_("Work"), {"fields": ("organisation", "position", "position_zh", "country")}),
        (_("Contact (private)"), {"fields": ("email", "phone")}),
        (_("Profile"), {"fields": ("bio", "bio_zh", "directory_opt_in", "is_synthetic")}),
        (
            _("Photo for check-in (private)"),
            {"fields": ("photo_preview", "upload_photo", "remove_photo")},
        ),
    )

    @admin.display(description=_("Photo"))
    def photo_preview(self, obj):
        if not obj or not obj.photo:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" width="120" height="120">', obj.photo_url, obj.name
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "email" in form.changed_data:
            services.person_email_changed(
                person=obj, old_email=form.initial.get("email", ""), actor=request.user, via="admin"
            )
        if form.cleaned_data.get("upload_photo"):
            photos.person_photo_set(
                person=obj, upload=form.cleaned_data["upload_photo"], actor=request.user
            )
        elif form.cleaned_data.get("remove_photo"):
            photos.person_photo_remove(person=obj, actor=request.user)
