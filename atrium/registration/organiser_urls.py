"""Organiser pages of an edition, under /c/<slug>/organiser/ (organiser role of that edition)."""

from django.urls import path

from atrium.registration import fapiao_views, receipt_views
from atrium.registration import organiser_views as views

app_name = "organiser"

BASE = "c/<slug:slug>/organiser/"
REGISTRATION = BASE + "registrations/<str:reference>/"
QUOTA = BASE + "quotas/<int:session_id>/"

urlpatterns = [
    path(BASE, views.dashboard, name="dashboard"),
    path(BASE + "registrations/", views.registration_list, name="registrations"),
    path(BASE + "registrations/export/", views.registration_export, name="export"),
    path(REGISTRATION, views.registration_detail, name="registration"),
    path(REGISTRATION + "approve/", views.registration_approve, name="approve"),
    path(REGISTRATION + "reject/", views.registration_reject, name="reject"),
    path(REGISTRATION + "mark-paid/", views.registration_mark_paid, name="mark_paid"),
    path(REGISTRATION + "cancel/", views.registration_cancel, name="cancel"),
    path(REGISTRATION + "receipt.pdf", receipt_views.organiser_receipt, name="receipt"),
    path(REGISTRATION + "visa-refusal/", views.registration_refusal_proof, name="refusal-proof"),
    path(BASE + "fapiao/", fapiao_views.fapiao_list, name="fapiao-list"),
    path(BASE + "fapiao/export/", fapiao_views.fapiao_export, name="fapiao-export"),
    path(BASE + "fapiao/<int:pk>/", fapiao_views.fapiao_detail, name="fapiao"),
    path(BASE + "fapiao/<int:pk>/fapiao.pdf", fapiao_views.fapiao_file, name="fapiao-file"),
    path(BASE + "quotas/", views.quota_list, name="quotas"),
    path(QUOTA, views.quota_detail, name="quota"),
    path(QUOTA + "promote/", views.quota_promote, name="promote"),
    path(QUOTA + "remove/", views.quota_remove, name="remove"),
    path(QUOTA + "fill/", views.quota_fill, name="fill"),
    path(QUOTA + "seats/", views.quota_seats, name="seats"),
]
