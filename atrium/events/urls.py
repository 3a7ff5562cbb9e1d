from django.urls import path

from atrium.events import views

app_name = "events"

urlpatterns = [
    path("c/<slug:slug>/", views.conference_home, name="conference"),
    path("c/<slug:slug>/programme/", views.programme, name="programme"),
    path("c/<slug:slug>/programme/all/", views.programme_all, name="programme-all"),
    path("c/<slug:slug>/sessions/<int:session_id>/", views.session_detail, name="session"),
    path("c/<slug:slug>/sessions/<int:session_id>/star/", views.session_star, name="session-star"),
    path("c/<slug:slug>/speakers/", views.speaker_list, name="speakers"),
    path("c/<slug:slug>/speakers/<slug:person_slug>/", views.speaker_detail, name="speaker"),
    path("c/<slug:slug>/theme.css", views.theme_css, name="theme"),
]
