from django.contrib import admin

from atrium.accounts.models import SignUp


@admin.register(SignUp)
class SignUpAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "name_zh", "language", "created", "verified"]
    list_filter = [("verified", admin.EmptyFieldListFilter), "language"]
    search_fields = ["user__email", "name", "name_zh"]
    readonly_fields = ["user", "name", "name_zh", "language", "created", "verified"]

    def has_add_permission(self, request):
        return False
