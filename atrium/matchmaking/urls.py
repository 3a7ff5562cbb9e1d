from django.urls import path

from atrium.matchmaking import views, views_onsite

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
    # on site
    path(B2B + "meetings.pdf", views_onsite.my_sheet, name="my-sheet"),
    path(B2B + "meetings/<int:pk>/feedback/", views_onsite.meeting_feedback, name="feedback"),
    path(ORGANISER + "meetings/", views_onsite.meetings, name="meetings"),
    path(ORGANISER + "meetings/<int:pk>/", views_onsite.meeting, name="meeting"),
    path(ORGANISER + "meetings/<int:pk>/move/", views_onsite.meeting_move, name="meeting-move"),
    path(ORGANISER + "meetings/<int:pk>/lock/", views_onsite.meeting_lock, name="meeting-lock"),
    path(ORGANISER + "runs/<int:run_id>/unpublish/", views_onsite.run_unpublish, name="unpublish"),
    path(ORGANISER + "absences/", views_onsite.absences, name="absences"),
    path(
        ORGANISER + "absences/<int:registration_id>/clear/",
        views_onsite.absence_clear,
        name="absence-clear",
    ),
    path(ORGANISER + "feedback/", views_onsite.feedback, name="feedback-figures"),
    path(ORGANISER + "feedback/export/", views_onsite.feedback_export, name="feedback-export"),
    path(
        ORGANISER + "delegates/<int:registration_id>/meetings.pdf",
        views_onsite.delegate_sheet,
        name="delegate-sheet",
    ),
    path(ORGANISER + "tables.pdf", views_onsite.tables_pdf, name="tables-pdf"),
]
