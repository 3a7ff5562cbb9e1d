"""Badges to download and the check-in desk.

- ``/c/<slug>/me/badge.pdf``: the logged-in delegate's own badge (confirmed only).
- ``/c/<slug>/organiser/badges/…``: organisers print one badge or a batch (large batches
  are background print runs: ``badge_views``).
- ``/c/<slug>/checkin/``: check-in staff (and organisers) scan badges or find people.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from atrium.core.forms import add_service_errors
from atrium.events.models import Conference
from atrium.events.permissions import Role, conference_role_required
from atrium.registration import checkin, selectors
from atrium.registration.badge_views import runs_context
from atrium.registration.badges import (
    LAYOUTS,
    badge_pdf,
    badge_print_run_start,
    badge_selection,
    inline_max_badges,
)
from atrium.registration.checkin_forms import (
    BadgeBatchForm,
    BadgeLayoutForm,
    PersonCheckInForm,
    PointForm,
    ScanForm,
)
from atrium.registration.models import Registration

organiser_required = conference_role_required(Role.ORGANISER)
checkin_required = conference_role_required(Role.CHECKIN)


def _layout(conference: Conference, value: str | None) -> str:
    """The layout asked for, else the edition's (``Conference.badge_layout``)."""
    return value if value in LAYOUTS else conference.badge_layout


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _badge_queryset(conference: Conference):
    return Registration.objects.filter(
        conference=conference, status=Registration.Status.CONFIRMED
    ).select_related("person__organisation", "type", "order", "conference")


# --- badges ------------------------------------------------------------------------------


@login_required
def my_badge(request, slug: str):
    conference = get_object_or_404(Conference, slug=slug, is_published=True)
    registration = _badge_queryset(conference).filter(person__user=request.user).first()
    if registration is None:
        raise Http404(_("You have no confirmed registration for this edition."))
    data = badge_pdf(
        registrations=[registration], layout=_layout(conference, None), actor=request.user
    )
    return _pdf(data, f"badge-{conference.slug}.pdf")


@organiser_required
def organiser_badge(request, conference: Conference, reference: str):
    found = selectors.registration_for_key(conference, reference)
    if found is None or found.status != Registration.Status.CONFIRMED:
        raise Http404(_("There is no confirmed registration with this reference."))
    registration = _badge_queryset(conference).get(pk=found.pk)
    data = badge_pdf(
        registrations=[registration],
        layout=_layout(conference, request.GET.get("layout")),
        actor=request.user,
        printing=True,
    )
    return _pdf(data, f"badge-{reference[:40]}.pdf")


@organiser_required
@require_http_methods(["GET", "POST"])
def organiser_badges(request, conference: Conference):
    """GET: the filter, how many badges it selects, the print runs. POST: print them.

    Up to ``inline_max_badges()`` badges the PDF comes back at once; more start a
    background print run, shown on this page with its progress.
    """
    form = BadgeBatchForm(request.POST or request.GET or None, conference=conference)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    filters = {key: data.get(key) or "" for key in ("type", "delegation", "printed")}
    registrations = badge_selection(conference, filters)
    count = registrations.count() if valid else 0
    status = 200 if valid else 400
    if request.method == "POST" and valid and count and count <= inline_max_badges():
        pdf = badge_pdf(
            registrations=list(registrations),
            layout=_layout(conference, data.get("layout")),
            actor=request.user,
            printing=True,
        )
        stamp = timezone.localtime(timezone.now(), conference.tz).strftime("%Y%m%d-%H%M")
        return _pdf(pdf, f"badges-{conference.slug}-{stamp}.pdf")
    if request.method == "POST" and valid and count:
        try:
            badge_print_run_start(
                conference=conference,
                filters=filters,
                layout=_layout(conference, data.get("layout")),
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            status = 400
        else:
            messages.success(
                request,
                _("The print run has started: the PDF appears below when it is ready."),
            )
            return redirect(request.path + "#badge-runs")
    with timezone.override(conference.tz):
        return TemplateResponse(
            request,
            "registration/checkin/badges.html",
            {
                "conference": conference,
                "nav": "organiser",
                "tab": "badges",
                "form": form,
                "count": count,
                "inline_max": inline_max_badges(),
                "empty_post": request.method == "POST" and valid and not count,
                "layout_form": BadgeLayoutForm(initial={"layout": conference.badge_layout}),
                **runs_context(conference),
            },
            status=status,
        ).render()


# --- check-in ----------------------------------------------------------------------------


@checkin_required
@require_http_methods(["GET", "POST"])
def checkin_desk(request, conference: Conference):
    result = None
    status = 200
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "person":
        form = PersonCheckInForm(request.POST, conference=conference)
    elif request.method == "POST":
        form = ScanForm(request.POST, conference=conference)
    else:
        form = None
    if form is not None:
        if form.is_valid():
            try:
                if action == "person":
                    registration = get_object_or_404(
                        Registration, pk=form.cleaned_data["registration"], conference=conference
                    )
                    result = checkin.checkin_person(
                        conference=conference,
                        registration=registration,
                        client_id=form.cleaned_data["client_id"],
                        point=form.cleaned_data["point"],
                        actor=request.user,
                    )
                else:
                    result = checkin.checkin_scan(
                        conference=conference,
                        token=form.cleaned_data["token"],
                        client_id=form.cleaned_data["client_id"],
                        point=form.cleaned_data["point"],
                        actor=request.user,
                    )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    target = field if field in form.fields else None
                    for message in messages:
                        form.add_error(target, message)
                status = 400
        else:
            status = 400
    point_data = {"point": request.POST.get("point") or request.GET.get("point") or ""}
    point_form = PointForm(point_data, conference=conference)
    point = point_form.cleaned_data["point"] if point_form.is_valid() else None
    q = request.GET.get("q", "").strip()[:100]
    context = {
        "conference": conference,
        "nav": "checkin",
        "point_form": point_form,
        "point_value": point_data["point"] if point_form.is_valid() else "",
        "point": point,
        "scan_form": form
        if isinstance(form, ScanForm) and status == 400
        else ScanForm(initial={"point": point_data["point"]}, conference=conference),
        "errors": form.errors if form is not None and status == 400 else None,
        "result": result,
        "q": q,
        "found": checkin.checkin_find(conference=conference, q=q) if q else [],
        "counts": checkin.checkin_counts(conference),
    }
    with timezone.override(conference.tz):
        return TemplateResponse(
            request, "registration/checkin/desk.html", context, status=status
        ).render()
