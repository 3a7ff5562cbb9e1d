"""The organisers' tour pages: plan a tour, its schedule and clashes, the run sheet."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from atrium.core.forms import add_service_errors
from atrium.core.views import pdf_response, render_in_conference_time
from atrium.events.permissions import organiser_required
from atrium.exhibition import forms, runsheet
from atrium.exhibition import tours as exhibition_tours
from atrium.exhibition.models import (
    Tour,
)


@require_http_methods(["GET", "POST"])
@organiser_required
def organiser_tour_new(request, conference):
    form = forms.TourForm(request.POST or None, conference=conference)
    with timezone.override(conference.tz):  # the time typed is the conference's local time
        valid = request.method == "POST" and form.is_valid()
    if valid:
        data = form.cleaned_data
        try:
            tour = exhibition_tours.tour_save(
                conference=conference,
                name=data["name"],
                name_zh=data["name_zh"],
                starts_at=data["starts_at"],
                party=data["party"],
                stops=data["stops"],
                reorder=data["reorder"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Tour saved."))
            return redirect("exhibition:tour", slug=conference.slug, tour_id=tour.pk)
    return render_in_conference_time(
        request,
        conference,
        "exhibition/tour_form.html",
        {"nav": "organiser", "form": form},
        status=400 if form.errors else 200,
        private=True,
    )


@require_http_methods(["GET", "POST"])
@organiser_required
def organiser_tour(request, conference, tour_id):
    tour = get_object_or_404(Tour, pk=tour_id, conference=conference)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "reorder":
            exhibition_tours.tour_reorder(tour=tour, actor=request.user)
            messages.success(request, _("Stops put in the order of the shortest walk."))
        elif action == "notify":
            count = exhibition_tours.tour_notify_hosts(tour=tour, actor=request.user)
            messages.success(request, _("%(count)s hosts told by e-mail.") % {"count": count})
        return redirect("exhibition:tour", slug=conference.slug, tour_id=tour.pk)
    schedule = exhibition_tours.tour_schedule(tour)
    for item in schedule:
        item.exhibitor = exhibition_tours.booth_exhibitor(item.stop.booth)
    return render_in_conference_time(
        request,
        conference,
        "exhibition/tour.html",
        {
            "nav": "organiser",
            "tour": tour,
            "schedule": schedule,
            "clashes": exhibition_tours.tour_clashes(tour),
        },
        private=True,
    )


@organiser_required
def organiser_tour_pdf(request, conference, tour_id):
    tour = get_object_or_404(Tour, pk=tour_id, conference=conference)
    return pdf_response(runsheet.run_sheet_pdf(tour), f"{conference.slug}-tour-{tour.pk}")
