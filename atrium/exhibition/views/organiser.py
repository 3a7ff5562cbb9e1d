"""The organisers' exhibition page: halls, booths, plan upload, decisions, payments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atrium.core import tabular
from atrium.core.forms import add_service_errors
from atrium.core.views import render_in_conference_time
from atrium.events.permissions import organiser_required
from atrium.exhibition import forms, selectors, services
from atrium.exhibition import plan as exhibition_plan
from atrium.exhibition.models import (
    BoothBooking,
    Exhibitor,
)


def _organiser_context(conference) -> dict:
    exhibitors_ = list(
        Exhibitor.objects.filter(conference=conference)
        .select_related("organisation", "contact", "wished_booth")
        .order_by("status", "display_name")
    )
    bookings = list(
        BoothBooking.objects.filter(booth__hall__conference=conference)
        .exclude(status=BoothBooking.Status.RELEASED)
        .select_related("booth", "exhibitor")
        .order_by("booth__code")
    )
    return {
        "nav": "organiser",
        "halls": selectors.plan(conference),
        "applications": [e for e in exhibitors_ if e.status == Exhibitor.Status.APPLIED],
        "exhibitors": exhibitors_,
        "pending": [e for e in exhibitors_ if e.pending_changes],
        "bookings": bookings,
        "tours": list(conference.tours.all()),
        "hall_form": forms.HallForm(),
        "booth_form": forms.BoothForm(conference=conference),
        "feature_form": forms.FeatureForm(conference=conference),
        "upload_form": forms.PlanUploadForm(),
    }


def _render_organiser(request, conference, status=200, **extra):
    context = _organiser_context(conference)
    context.update(extra)
    return render_in_conference_time(
        request, conference, "exhibition/organiser.html", context, status=status, private=True
    )


@organiser_required
def organiser(request, conference):
    return _render_organiser(request, conference)


@require_POST
@organiser_required
def organiser_hall(request, conference):
    form = forms.HallForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            outline = exhibition_plan.parse_outline(data.pop("outline"))
            hall = conference.halls.filter(code=data["code"]).first()
            exhibition_plan.hall_save(
                conference=conference, outline=outline, hall=hall, actor=request.user, **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return _render_organiser(request, conference, status=400, hall_form=form)
    messages.success(request, _("Hall saved."))
    return redirect("exhibition:organiser", slug=conference.slug)


@require_POST
@organiser_required
def organiser_booth(request, conference):
    form = forms.BoothForm(request.POST, conference=conference)
    if form.is_valid():
        data = dict(form.cleaned_data)
        hall = data.pop("hall")
        booth = hall.booths.filter(code=data["code"]).first()
        try:
            exhibition_plan.booth_save(hall=hall, booth=booth, actor=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return _render_organiser(request, conference, status=400, booth_form=form)
    messages.success(request, _("Booth saved."))
    return redirect("exhibition:organiser", slug=conference.slug)


@require_POST
@organiser_required
def organiser_feature(request, conference):
    form = forms.FeatureForm(request.POST, conference=conference)
    if form.is_valid():
        try:
            exhibition_plan.feature_add(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return _render_organiser(request, conference, status=400, feature_form=form)
    messages.success(request, _("Added to the plan."))
    return redirect("exhibition:organiser", slug=conference.slug)


@require_POST
@organiser_required
def organiser_plan_upload(request, conference):
    form = forms.PlanUploadForm(request.POST, request.FILES)
    result = None
    if form.is_valid():
        try:
            table = tabular.read_table(form.cleaned_data["file"])
        except tabular.TableError as error:
            form.add_error("file", str(error))
        else:
            result = exhibition_plan.plan_import(
                conference=conference,
                table=table,
                dry_run=form.cleaned_data["check_only"],
                actor=request.user,
            )
    if result is not None and result.saved:
        messages.success(
            request,
            _("%(created)s booths added, %(updated)s changed.")
            % {"created": result.created, "updated": result.updated},
        )
        return redirect("exhibition:organiser", slug=conference.slug)
    status = 400 if form.errors or (result and not result.ok) else 200
    return _render_organiser(
        request, conference, status=status, upload_form=form, import_result=result
    )


@require_POST
@organiser_required
def organiser_decide(request, conference, pk):
    exhibitor = get_object_or_404(Exhibitor, pk=pk, conference=conference)
    form = forms.ReasonForm(request.POST)
    accept = request.POST.get("decision") == "accept"
    if form.is_valid():
        try:
            services.exhibitor_decide(
                exhibitor=exhibitor,
                accept=accept,
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, f"{exhibitor}: {message}")
            return redirect("exhibition:organiser", slug=conference.slug)
    messages.success(request, _("Accepted.") if accept else _("Rejected."))
    return redirect("exhibition:organiser", slug=conference.slug)


@require_POST
@organiser_required
def organiser_changes(request, conference, pk):
    exhibitor = get_object_or_404(Exhibitor, pk=pk, conference=conference)
    approve = request.POST.get("decision") == "approve"
    try:
        services.exhibitor_changes_decide(exhibitor=exhibitor, approve=approve, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Changes approved.") if approve else _("Changes discarded."))
    return redirect("exhibition:organiser", slug=conference.slug)


@require_POST
@organiser_required
def organiser_mark_paid(request, conference, booking_id):
    booking = get_object_or_404(BoothBooking, pk=booking_id, booth__hall__conference=conference)
    form = forms.PaidForm(request.POST)
    form.is_valid()
    try:
        services.booking_pay(
            booking=booking,
            reference=form.cleaned_data.get("reference", ""),
            actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Marked as paid: the booth is booked."))
    return redirect("exhibition:organiser", slug=conference.slug)
