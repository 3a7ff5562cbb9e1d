"""Badges and check-in: /c/<slug>/me/badge.pdf, /c/<slug>/organiser/badges/…, /c/<slug>/checkin/."""

from django.urls import path

from atrium.checkin import badge_views, views

app_name = "checkin"

urlpatterns = [
    path("c/<slug:slug>/me/badge.pdf", views.my_badge, name="my-badge"),
    path("c/<slug:slug>/me/certificate.pdf", views.my_certificate, name="my-certificate"),
    path(
        "c/<slug:slug>/organiser/registrations/<str:reference>/certificate.pdf",
        views.organiser_certificate,
        name="certificate",
    ),
    path("c/<slug:slug>/organiser/badges/", views.organiser_badges, name="badges"),
    path("c/<slug:slug>/organiser/badges/layout/", badge_views.badge_layout, name="badge-layout"),
    path("c/<slug:slug>/organiser/badges/runs/", badge_views.badge_runs, name="badge-runs"),
    path(
        "c/<slug:slug>/organiser/badges/runs/<int:run_id>.pdf",
        badge_views.badge_run_pdf,
        name="badge-run-pdf",
    ),
    path(
        "c/<slug:slug>/organiser/badges/<str:reference>.pdf",
        views.organiser_badge,
        name="badge",
    ),
    path("c/<slug:slug>/checkin/", views.checkin_desk, name="desk"),
    path("c/<slug:slug>/checkin/submit/", views.checkin_submit, name="submit"),
    path("c/<slug:slug>/checkin/roster/", views.checkin_roster, name="roster"),
    path("c/<slug:slug>/checkin/today/", views.checkin_today, name="today"),
    path("c/<slug:slug>/checkin/sw.js", views.checkin_service_worker, name="service-worker"),
]
