"""The exhibitor portal: apply, profile, products, hold and pay for a booth."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atrium.core.forms import add_service_errors
from atrium.core.views import pdf_response, render_in_conference_time
from atrium.exhibition import forms, selectors, services
from atrium.exhibition import payments as exhibition_payments
from atrium.exhibition import staff as exhibition_staff
from atrium.exhibition.models import (
    Booth,
    BoothBooking,
    Exhibitor,
    StaffPass,
)
from atrium.exhibition.views.access import exhibitor_required, published_conference
from atrium.network.models import Person
from atrium.registration.payments import provider as payment_provider


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, slug):
    conference = published_conference(slug)
    person = Person.objects.filter(user=request.user).select_related("organisation").first()
    organisation = person.organisation if person else None
    existing = (
        Exhibitor.objects.filter(conference=conference, organisation=organisation).first()
        if organisation
        else None
    )
    if existing is not None and selectors.exhibitor_access(request.user, existing):
        return redirect("exhibition:portal", slug=conference.slug, pk=existing.pk)
    form = forms.ApplyForm(request.POST or None, conference=conference)
    if request.method == "POST" and organisation is not None and form.is_valid():
        try:
            exhibitor = services.exhibitor_apply(
                conference=conference,
                organisation=organisation,
                contact=request.user,
                actor=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your application is sent: the organisers will answer."))
            return redirect("exhibition:portal", slug=conference.slug, pk=exhibitor.pk)
    return render_in_conference_time(
        request,
        conference,
        "exhibition/apply.html",
        {"nav": "exhibition", "form": form, "organisation": organisation, "existing": existing},
        status=400 if form.errors else 200,
        private=True,
    )


def _portal_context(exhibitor: Exhibitor, access: str) -> dict:
    bookings = list(
        exhibitor.bookings.exclude(status=BoothBooking.Status.RELEASED).select_related(
            "booth__hall"
        )
    )
    free = []
    if exhibitor.is_accepted and not bookings:
        free = [
            item.booth
            for hall in selectors.plan(exhibitor.conference)
            for item in hall.booths
            if item.status == selectors.FREE and not item.booth.is_closed
        ]
    return {
        "nav": "exhibition",
        "exhibitor": exhibitor,
        "access": access,
        "can_manage": selectors.can_manage(access),
        "can_see_leads": selectors.can_see_leads(access),
        "bookings": bookings,
        "free_booths": free,
        "products": list(exhibitor.products.all()),
        "passes": list(exhibitor.passes.exclude(status=StaffPass.Status.REVOKED)),
        "quota": exhibition_staff.pass_quota(exhibitor),
        "extra_pass_price": exhibition_staff.extra_pass_price(exhibitor),
    }


def _render_portal(request, exhibitor, access, status=200, **forms_):
    context = _portal_context(exhibitor, access)
    context.update(
        {
            "profile_form": forms.ProfileForm(
                initial={f: getattr(exhibitor, f) for f in Exhibitor.PROFILE_FIELDS}
            ),
            "product_form": forms.ProductForm(),
            "staff_form": forms.StaffInviteForm(),
            "hold_form": forms.HoldForm(),
        }
    )
    context.update(forms_)
    return render_in_conference_time(
        request,
        exhibitor.conference,
        "exhibition/portal.html",
        context,
        status=status,
        private=True,
    )


@exhibitor_required("any")
def portal(request, exhibitor, access):
    return _render_portal(request, exhibitor, access)


def portal_post(request, exhibitor, access, *, form_name, form, call, done):
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return _render_portal(request, exhibitor, access, status=400, **{form_name: form})
    messages.success(request, done)
    return redirect("exhibition:portal", slug=exhibitor.conference.slug, pk=exhibitor.pk)


@require_POST
@exhibitor_required("manage")
def profile_edit(request, exhibitor, access):
    form = forms.ProfileForm(request.POST)
    accepted = exhibitor.is_accepted and access != selectors.ORGANISER
    return portal_post(
        request,
        exhibitor,
        access,
        form_name="profile_form",
        form=form,
        call=lambda data: services.exhibitor_profile_edit(
            exhibitor=exhibitor, changes=data, actor=request.user
        ),
        done=_("Your changes are waiting for the organisers' approval.")
        if accepted
        else _("Profile saved."),
    )


@require_POST
@exhibitor_required("manage")
def product_add(request, exhibitor, access):
    form = forms.ProductForm(request.POST, request.FILES)
    return portal_post(
        request,
        exhibitor,
        access,
        form_name="product_form",
        form=form,
        call=lambda data: services.product_save(exhibitor=exhibitor, actor=request.user, **data),
        done=_("Product saved."),
    )


@require_POST
@exhibitor_required("manage")
def booth_hold(request, exhibitor, access):
    form = forms.HoldForm(request.POST)
    held: list[BoothBooking] = []

    def call(data):
        booth = Booth.objects.filter(
            pk=data["booth"], hall__conference=exhibitor.conference
        ).first()
        if booth is None:
            raise ValidationError({"booth": _("There is no such booth in this edition.")})
        held.append(
            services.booth_hold(
                booth=booth, exhibitor=exhibitor, currency=data["currency"], actor=request.user
            )
        )

    response = portal_post(
        request,
        exhibitor,
        access,
        form_name="hold_form",
        form=form,
        call=call,
        done=_("The booth is held for you for 15 minutes: pay to book it."),
    )
    if held:
        return redirect(
            "exhibition:pay", slug=exhibitor.conference.slug, pk=exhibitor.pk, booking_id=held[0].pk
        )
    return response


@require_POST
@exhibitor_required("manage")
def booking_release(request, exhibitor, access, booking_id):
    booking = get_object_or_404(BoothBooking, pk=booking_id, exhibitor=exhibitor, status="held")
    services.booking_release(booking=booking, actor=request.user)
    messages.success(request, _("The hold is released."))
    return redirect("exhibition:portal", slug=exhibitor.conference.slug, pk=exhibitor.pk)


# --- paying for the booth ---------------------------------------------------------------


def _booking(exhibitor: Exhibitor, booking_id: int) -> BoothBooking:
    return get_object_or_404(
        BoothBooking.objects.select_related("booth__hall", "exhibitor__conference"),
        pk=booking_id,
        exhibitor=exhibitor,
    )


def _pay_page(exhibitor: Exhibitor, booking: BoothBooking):
    return redirect(
        "exhibition:pay", slug=exhibitor.conference.slug, pk=exhibitor.pk, booking_id=booking.pk
    )


@require_GET
@exhibitor_required("manage")
def booking_pay(request, exhibitor, access, booking_id):
    """The payment page of a booking: the providers while the hold lasts, then the receipt."""
    booking = _booking(exhibitor, booking_id)
    refusal = exhibition_payments.payment_refusal(booking)
    return render_in_conference_time(
        request,
        exhibitor.conference,
        "exhibition/pay.html",
        {
            "nav": "exhibition",
            "exhibitor": exhibitor,
            "booking": booking,
            "refusal": refusal,
            "providers": [] if refusal else exhibition_payments.providers_for(booking),
            "receipt": exhibition_payments.receipt_payment(booking),
        },
        private=True,
    )


@require_POST
@exhibitor_required("manage")
def booking_pay_online(request, exhibitor, access, booking_id, provider_code):
    booking = _booking(exhibitor, booking_id)
    chosen = payment_provider(provider_code)
    if chosen is None or not chosen.pays_online:
        raise Http404
    try:
        exhibition_payments.booking_pay_online(
            booking=booking,
            provider_code=chosen.code,
            provider_reference=f"{chosen.code}-{uuid.uuid4().hex}",
            actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Thank you: your payment is received and booth %(code)s is booked.")
            % {"code": booking.booth.code},
        )
    return _pay_page(exhibitor, booking)


@require_GET
@exhibitor_required("manage")
def booking_receipt(request, exhibitor, access, booking_id):
    booking = _booking(exhibitor, booking_id)
    try:
        data = exhibition_payments.receipt_pdf(
            booking=booking, actor=request.user, language=get_language()
        )
    except ValidationError:
        raise Http404(_("There is no receipt for this booking.")) from None
    return pdf_response(
        data, f"receipt-{exhibition_payments.receipt_payment(booking).receipt_label}"
    )
