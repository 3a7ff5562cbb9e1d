"""Visa invitation letters: /c/<slug>/me/visa/… (the delegate) and /c/<slug>/organiser/visa/…."""

from django.urls import path

from atrium.visas import views

app_name = "visa"

MINE = "c/<slug:slug>/me/visa/"
QUEUE = "c/<slug:slug>/organiser/visa/"

urlpatterns = [
    path(MINE, views.my_visa, name="mine"),
    path(MINE + "<int:pk>/correct/", views.my_visa_correct, name="correct"),
    path(MINE + "<int:pk>/withdraw/", views.my_visa_withdraw, name="withdraw"),
    path(MINE + "<int:pk>/letter.pdf", views.my_visa_letter, name="letter"),
    path(QUEUE, views.organiser_visa_list, name="organiser-list"),
    path(QUEUE + "<int:pk>/", views.organiser_visa_detail, name="organiser-detail"),
    path(QUEUE + "<int:pk>/approve/", views.organiser_visa_approve, name="organiser-approve"),
    path(
        QUEUE + "<int:pk>/correction/", views.organiser_visa_correction, name="organiser-correction"
    ),
    path(QUEUE + "<int:pk>/refuse/", views.organiser_visa_refuse, name="organiser-refuse"),
    path(QUEUE + "<int:pk>/letter.pdf", views.organiser_visa_letter, name="organiser-letter"),
]
