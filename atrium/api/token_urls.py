"""The token pages; atrium/urls.py includes them: ``path("", include("atrium.api.token_urls"))``."""

from django.urls import path

from atrium.api import views

app_name = "api_tokens"

urlpatterns = [
    path("me/tokens/", views.token_list, name="list"),
    path("me/tokens/<int:token_id>/revoke/", views.token_revoke, name="revoke"),
]
