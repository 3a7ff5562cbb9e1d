from django.urls import path

from atrium.webhooks import views

app_name = "webhooks"

BASE = "c/<slug:slug>/organiser/webhooks/"
ENDPOINT = BASE + "<int:endpoint_id>/"

urlpatterns = [
    path(BASE, views.endpoint_list, name="list"),
    path(ENDPOINT, views.endpoint_detail, name="endpoint"),
    path(ENDPOINT + "edit/", views.endpoint_edit, name="edit"),
    path(ENDPOINT + "rotate-secret/", views.endpoint_rotate, name="rotate"),
    path(ENDPOINT + "active/", views.endpoint_set_active, name="set_active"),
    path(ENDPOINT + "delete/", views.endpoint_delete, name="delete"),
    path(ENDPOINT + "ping/", views.endpoint_ping, name="ping"),
    path(
        ENDPOINT + "deliveries/<int:delivery_id>/retry/",
        views.delivery_retry,
        name="retry",
    ),
]
