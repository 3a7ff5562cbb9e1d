from django.urls import path

from atrium.matchmaking import views

app_name = "matchmaking"

B2B = "c/<slug:slug>/b2b/"
ORGANISER = "c/<slug:slug>/organiser/b2b/"

urlpatterns = [
    path(B2B, views.home, name="home"),
    path(B2B + "profile/", views.profile_edit, name="profile"),
    path(B2B + "people/", views.people, name="people"),
    path(B2B + "people/<int:person_id>/", views.person, name="person"),
    path(B2B + "requests/<int:pk>/accept/", views.request_accept, name="accept"),
    path(B2B + "requests/<int:pk>/decline/", views.request_decline, name="decline"),
    path(B2B + "requests/<int:pk>/cancel/", views.request_cancel, name="cancel"),
    path(B2B + "meetings/<int:pk>/colleagues/", views.colleague_add, name="colleague-add"),
    path(
        B2B + "meetings/<int:pk>/colleagues/<int:participant_id>/remove/",
        views.colleague_remove,
        name="colleague-remove",
    ),
    path(ORGANISER, views.organiser, name="organiser"),
    path(ORGANISER + "blocks/<int:session_id>/", views.block_edit, name="block"),
    path(ORGANISER + "runs/", views.run_start, name="run-start"),
    path(ORGANISER + "runs/<int:run_id>/", views.run_status, name="run"),
    path(ORGANISER + "runs/<int:run_id>/publish/", views.run_publish, name="publish"),
    path(ORGANISER + "tables/", views.tables, name="tables"),
]
