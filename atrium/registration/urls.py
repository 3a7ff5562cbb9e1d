from django.urls import path

from atrium.registration import fapiao_views, receipt_views, views

app_name = "registration"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("c/<slug:slug>/me/receipt.pdf", receipt_views.my_receipt, name="my-receipt"),
    path("c/<slug:slug>/me/fapiao/", fapiao_views.my_fapiao, name="my-fapiao"),
    path("c/<slug:slug>/register/", views.register, name="register"),
    path(
        "c/<slug:slug>/register/organisations/",
        views.organisation_options,
        name="organisation-options",
    ),
    path("c/<slug:slug>/register/cancel/", views.cancel, name="cancel"),
    path("c/<slug:slug>/orders/<str:reference>/pay/", views.pay, name="pay"),
    path(
        "c/<slug:slug>/orders/<str:reference>/pay/<slug:provider_code>/",
        views.pay_online,
        name="pay-online",
    ),
    path("c/<slug:slug>/sign-ups/", views.signups, name="signups"),
    path("c/<slug:slug>/sign-ups/<int:session_id>/", views.seat_signup, name="seat-signup"),
    path(
        "c/<slug:slug>/sign-ups/bookings/<int:booking_id>/cancel/",
        views.seat_cancel,
        name="seat-cancel",
    ),
    path("c/<slug:slug>/delegations/new/", views.delegation_new, name="delegation-new"),
    path("c/<slug:slug>/delegations/<int:pk>/", views.delegation_detail, name="delegation"),
    path(
        "c/<slug:slug>/delegations/<int:pk>/invitations/<int:invitation_id>/withdraw/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("c/<slug:slug>/join/<str:token>/", views.join, name="join"),
    path(
        "c/<slug:slug>/organiser/delegations/import/",
        views.delegation_import,
        name="delegation-import",
    ),
    path("c/<slug:slug>/agenda/<str:token>.ics", views.agenda_feed, name="agenda-feed"),
    path("c/<slug:slug>/agenda/renew/", views.agenda_feed_reset, name="agenda-feed-reset"),
]
