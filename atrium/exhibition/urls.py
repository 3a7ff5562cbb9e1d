from django.urls import path

from atrium.exhibition.views import leads, organiser, plan, portal, staff, tours, visitor

app_name = "exhibition"

PUBLIC = "c/<slug:slug>/exhibition/"
PORTAL = PUBLIC + "portal/<int:pk>/"
ORGANISER = "c/<slug:slug>/organiser/exhibition/"

urlpatterns = [
    path(PUBLIC, plan.plan, name="plan"),
    path(PUBLIC + "exhibitors/", plan.exhibitors, name="exhibitors"),
    path(PUBLIC + "exhibitors/<int:pk>/", plan.exhibitor_profile, name="exhibitor"),
    path(
        PUBLIC + "exhibitors/<int:pk>/products/<int:product_id>.jpg",
        plan.product_image,
        name="product-image",
    ),
    path(PUBLIC + "apply/", portal.apply, name="apply"),
    path(PUBLIC + "me/consent/", visitor.my_consent, name="my-consent"),
    path(PUBLIC + "me/leads/<int:lead_id>/withdraw/", visitor.my_lead_withdraw, name="my-withdraw"),
    path(PUBLIC + "me/booths/<int:booth_id>/", visitor.my_booth_toggle, name="my-booth"),
    path("exhibition/staff/<str:token>/", staff.staff_join, name="staff-join"),
    path(PORTAL, portal.portal, name="portal"),
    path(PORTAL + "profile/", portal.profile_edit, name="profile"),
    path(PORTAL + "products/", portal.product_add, name="product-add"),
    path(PORTAL + "hold/", portal.booth_hold, name="hold"),
    path(PORTAL + "bookings/<int:booking_id>/pay/", portal.booking_pay, name="pay"),
    path(
        PORTAL + "bookings/<int:booking_id>/pay/<slug:provider_code>/",
        portal.booking_pay_online,
        name="pay-online",
    ),
    path(PORTAL + "bookings/<int:booking_id>/receipt.pdf", portal.booking_receipt, name="receipt"),
    path(PORTAL + "bookings/<int:booking_id>/release/", portal.booking_release, name="release"),
    path(PORTAL + "staff/", staff.staff_invite, name="staff-invite"),
    path(PORTAL + "staff/<int:pass_id>/revoke/", staff.staff_revoke, name="staff-revoke"),
    path(PORTAL + "leads/", leads.leads, name="leads"),
    path(PORTAL + "leads/submit/", leads.leads_submit, name="leads-submit"),
    path(PORTAL + "leads/<int:lead_id>/", leads.lead_edit, name="lead"),
    path(PORTAL + "leads/export.<str:fmt>", leads.leads_export, name="leads-export"),
    path(ORGANISER, organiser.organiser, name="organiser"),
    path(ORGANISER + "halls/", organiser.organiser_hall, name="organiser-hall"),
    path(ORGANISER + "booths/", organiser.organiser_booth, name="organiser-booth"),
    path(ORGANISER + "plan/", organiser.organiser_plan_upload, name="organiser-plan"),
    path(ORGANISER + "features/", organiser.organiser_feature, name="organiser-feature"),
    path(ORGANISER + "exhibitors/<int:pk>/decide/", organiser.organiser_decide, name="decide"),
    path(ORGANISER + "exhibitors/<int:pk>/changes/", organiser.organiser_changes, name="changes"),
    path(
        ORGANISER + "bookings/<int:booking_id>/paid/",
        organiser.organiser_mark_paid,
        name="mark-paid",
    ),
    path(ORGANISER + "tours/new/", tours.organiser_tour_new, name="tour-new"),
    path(ORGANISER + "tours/<int:tour_id>/", tours.organiser_tour, name="tour"),
    path(
        ORGANISER + "tours/<int:tour_id>/run-sheet.pdf", tours.organiser_tour_pdf, name="tour-pdf"
    ),
]
