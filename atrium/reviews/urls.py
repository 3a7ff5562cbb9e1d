from django.urls import path

from atrium.reviews import organiser_views, views

app_name = "reviews"

CALLS = "c/<slug:slug>/calls/"
CALL = CALLS + "<slug:call_slug>/"
ORG = "c/<slug:slug>/organiser/calls/"
ORG_CALL = ORG + "<slug:call_slug>/"

urlpatterns = [
    path(CALLS, views.calls, name="calls"),
    path(CALLS + "co-author/<str:token>/", views.coauthor_confirm, name="coauthor-confirm"),
    path(
        CALLS + "reviewer-invitation/<str:token>/",
        views.reviewer_invitation,
        name="reviewer-invitation",
    ),
    path("c/<slug:slug>/awards/", views.awards, name="awards"),
    path(CALL, views.call, name="call"),
    path(CALL + "submit/", views.submission_new, name="submission-new"),
    path(CALL + "submissions/<int:pk>/", views.submission, name="submission"),
    path(CALL + "submissions/<int:pk>/edit/", views.submission_edit, name="submission-edit"),
    path(CALL + "submissions/<int:pk>/submit/", views.submission_submit, name="submission-submit"),
    path(
        CALL + "submissions/<int:pk>/withdraw/",
        views.submission_withdraw,
        name="submission-withdraw",
    ),
    path(CALL + "submissions/<int:pk>/co-authors/", views.coauthor_invite, name="coauthor-invite"),
    path(CALL + "submissions/<int:pk>/discussion/", views.discussion_post, name="discussion"),
    path(CALL + "review/", views.review_home, name="review-home"),
    path(CALL + "review/bids/", views.review_bids, name="review-bids"),
    path(CALL + "review/<int:pk>/", views.review, name="review"),
    path(ORG, organiser_views.organiser_calls, name="organiser-calls"),
    path(ORG_CALL, organiser_views.organiser_call, name="organiser-call"),
    path(
        ORG_CALL + "submissions/",
        organiser_views.organiser_submissions,
        name="organiser-submissions",
    ),
    path(
        ORG_CALL + "submissions/<int:pk>/",
        organiser_views.organiser_submission_action,
        name="organiser-submission-action",
    ),
    path(
        ORG_CALL + "assignment/", organiser_views.organiser_assignment, name="organiser-assignment"
    ),
    path(
        ORG_CALL + "decisions/bulk/",
        organiser_views.organiser_decisions_bulk,
        name="organiser-decisions-bulk",
    ),
    path(
        ORG_CALL + "decisions/send/",
        organiser_views.organiser_decisions_send,
        name="organiser-decisions-send",
    ),
    path(ORG_CALL + "results/", organiser_views.organiser_results, name="organiser-results"),
]
