"""The organiser insight page of an edition, under /c/<slug>/organiser/insight/."""

from django.urls import path

from atrium.insight import views

app_name = "insight"

BASE = "c/<slug:slug>/organiser/insight/"

urlpatterns = [
    path(BASE, views.insight, name="page"),
    path(BASE + "over-time/", views.over_time, name="over-time"),
    path(BASE + "panel/", views.panel, name="panel"),
    path(BASE + "checkins/", views.checkins, name="checkins"),
    path(BASE + "checkins/export/", views.export_checkins, name="export-checkins"),
    path(BASE + "rate/", views.rate_set, name="rate"),
    path(BASE + "export/<slug:table>/", views.export, name="export"),
]
