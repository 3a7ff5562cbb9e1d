from django.urls import path

from atrium.network import views

app_name = "network"

urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("directory/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("people/<slug:slug>/photo.jpg", views.person_photo, name="person-photo"),
    path("me/photo/", views.my_photo, name="my-photo"),
]
