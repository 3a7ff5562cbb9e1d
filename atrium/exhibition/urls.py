from django.urls import path

from atrium.exhibition import views

app_name = "exhibition"

PUBLIC = "c/<slug:slug>/exhibition/"
PORTAL = PUBLIC + "portal/<int:pk>/"
ORGANISER = "c/<slug:slug>/organiser/exhibition/"

urlpatterns = [
    path(PUBLIC, views.plan, name="plan"),
    path(PUBLIC + "exhibitors/", views.exhibitors, name="exhibitors"),
    path(PUBLIC + "exhibitors/<int:pk>/", views.exhibitor_profile, name="exhibitor"),
    path(
        PUBLIC + "exhibitors/<int:pk>/products/<int:product_id>.jpg",
        views.product_image,
        name="product-image",
    ),
    path(PUBLIC + "apply/", views.apply, name="apply"),
    path(PUBLIC + "me/consent/", views.my_consent, name="my-consent"),
    path(PUBLIC + "me/leads/<int:lead_id>/withdraw/", views.my_lead_withdraw, name="my-withdraw"),
    path(PUBLIC + "me/booths/<int:booth_id>/", views.my_booth_toggle, name="my-booth"),
    path("exhibition/staff/<str:token>/", views.staff_join, name="staff-join"),
    path(PORTAL, views.portal, name="portal"),
    path(PORTAL + "profile/", views.profile_edit, name="profile"),
    path(PORTAL + "products/", views.product_add, name="product-add"),
    path(PORTAL + "hold/", views.booth_hold, name="hold"),
    path(PORTAL + "bookings/<int:booking_id>/release/", views.booking_release, name="release"),
    path(PORTAL + "staff/", views.staff_invite, name="staff-invite"),
    path(PORTAL + "staff/<int:pass_id>/revoke/", views.staff_revoke, name="staff-revoke"),
    path(PORTAL + "leads/", views.leads, name="leads"),
    path(PORTAL + "leads/submit/", views.leads_submit, name="leads-submit"),
    path(PORTAL + "leads/<int:lead_id>/", views.lead_edit, name="lead"),
    path(PORTAL + "leads/export.<str:fmt>", views.leads_export, name="leads-export"),
    path(ORGANISER, views.organiser, name="organiser"),
    path(ORGANISER + "halls/", views.organiser_hall, name="organiser-hall"),
    path(ORGANISER + "booths/", views.organiser_booth, name="organiser-booth"),
    path(ORGANISER + "plan/", views.organiser_plan_upload, name="organiser-plan"),
    path(ORGANISER + "features/", views.organiser_feature, name="organiser-feature"),
    path(ORGANISER + "exhibitors/<int:pk>/decide/", views.organiser_decide, name="decide"),
    path(ORGANISER + "exhibitors/<int:pk>/changes/", views.organiser_changes, name="changes"),
    path(
        ORGANISER + "bookings/<int:booking_id>/paid/", views.organiser_mark_paid, name="mark-paid"
    ),
    path(ORGANISER + "tours/new/", views.organiser_tour_new, name="tour-new"),
    path(ORGANISER + "tours/<int:tour_id>/", views.organiser_tour, name="tour"),
    path(
        ORGANISER + "tours/<int:tour_id>/run-sheet.pdf", views.organiser_tour_pdf, name="tour-pdf"
    ),
]
