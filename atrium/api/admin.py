from django.contrib import admin

from atrium.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Organisers see who holds which token; the secret is never stored, so never shown."""

    list_display = ("name", "user", "scope", "prefix", "created", "last_used", "expires", "revoked")
    list_filter = ("scope",)
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("user", "prefix", "created", "last_used", "revoked")
    fields = ("user", "name", "scope", "prefix", "created", "last_used", "expires", "revoked")

    def has_add_permission(self, request):
        return False  # tokens are made by their owners on /me/tokens/
