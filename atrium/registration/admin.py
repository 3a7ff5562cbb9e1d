from django.contrib import admin

from atrium.core.admin import ChineseAwareSearchMixin
from atrium.registration.models import Registration


@admin.register(Registration)
class RegistrationAdmin(ChineseAwareSearchMixin, admin.ModelAdmin):
    list_display = ("person", "conference", "status", "created")
    list_filter = ("conference", "status")
    list_select_related = ("person", "conference")
    autocomplete_fields = ("person",)
    search_key_field = "person__search_key"
    search_fields = ("person__search_key",)
