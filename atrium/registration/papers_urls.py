"""Receipts and certificates: /c/<slug>/me/{receipt,certificate}.pdf and the organisers' copies."""

from django.urls import path

from atrium.registration import papers_views as views

app_name = "papers"

ORGANISER = "c/<slug:slug>/organiser/registrations/<str:reference>/"

urlpatterns = [
    path("c/<slug:slug>/me/receipt.pdf", views.my_receipt, name="my-receipt"),
    path("c/<slug:slug>/me/certificate.pdf", views.my_certificate, name="my-certificate"),
    path(ORGANISER + "receipt.pdf", views.organiser_receipt, name="receipt"),
    path(ORGANISER + "certificate.pdf", views.organiser_certificate, name="certificate"),
]
