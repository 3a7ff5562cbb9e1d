"""Badges to download and the check-in desk.

- ``/c/<slug>/me/badge.pdf``: the logged-in delegate's own badge (confirmed only).
- ``/c/<slug>/organiser/badges/…``: organisers print one badge or a batch (large batches
  are background print runs: ``badge_views``).
- ``/c/<slug>/checkin/``: check-in staff (and organisers) scan badges or find people.
- ``/c/<slug>/checkin/sw.js``: the desk's service worker (the page opens offline).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atrium.checkin import certificates
from atrium.checkin import selectors as checkin_selectors
from atrium.checkin import services as checkin
from atrium.checkin.badge_views import runs_context
from atrium.checkin.badges import (
    LAYOUTS,
    badge_pdf,
    badge_print_run_start,
    badge_selection,
    inline_max_badges,
)
from atrium.checkin.forms import (
    BadgeBatchForm,
    BadgeLayoutForm,
    PersonCheckInForm,
    PointForm,
    ScanForm,
)
from atrium.core.forms import add_service_errors
from atrium.core.views import download_ready, pdf_response
from atrium.events.models import Conference
from atrium.events.permissions import (
    checkin_required,
    organiser_required,
    personal_papers_required,
)
from atrium.registration import selectors
from atrium.registration.models import Registration


def _layout(conference: Conference, value: str | None) -> str:
    """The layout asked for, else the edition's (``Conference.badge_layout``)."""
    return value if value in LAYOUTS else conference.badge_layout


def _badge_queryset(conference: Conference):
    return Registration.objects.filter(
        conference=conference, status=Registration.Status.CONFIRMED
    ).select_related("person__organisation", "type", "order", "conference")


# --- certificates of attendance -----------------------------------------------------------


@require_GET
@login_required
def my_certificate(request, slug: str):
    conference = get_object_or_404(Conference, slug=slug, is_published=True)
    registration = selectors.registration_of_user(conference, request.user)
    if registration is None:
        raise Http404(_("You have no registration for this edition."))
    try:
        data = certificates.certificate_pdf(
            registration=registration, actor=request.user, language=get_language()
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("registration:me")
    return pdf_response(data, f"certificate-{registration.conference.slug}")


@require_GET
@personal_papers_required
def organiser_certificate(request, conference: Conference, reference: str):
    registration = selectors.registration_for_key(conference, reference)
    if registration is None:
        raise Http404(_("There is no registration with this reference in this edition."))
    try:
        data = certificates.certificate_pdf(
            registration=registration, actor=request.user, language=get_language()
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(
            "organiser:registration",
            slug=conference.slug,
            reference=selectors.registration_key(registration),
        )
    return pdf_response(data, f"certificate-{reference}")


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
    return pdf_response(data, f"badge-{conference.slug}.pdf")


@personal_papers_required
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
    return pdf_response(data, f"badge-{reference[:40]}.pdf")


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
        return download_ready(request, pdf_response(pdf, f"badges-{conference.slug}-{stamp}.pdf"))
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
            "checkin/badges.html",
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


def _bound_form(request, conference: Conference):
    if request.POST.get("action", "") == "person":
        return PersonCheckInForm(request.POST, conference=conference)
    return ScanForm(request.POST, conference=conference)


def _perform(request, conference: Conference, form) -> checkin.CheckInResult | None:
    """Run the check-in the bound ``form`` asks for; None (with errors on the form) if not."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        if isinstance(form, PersonCheckInForm):
            registration = Registration.objects.filter(
                pk=data["registration"], conference=conference
            ).first()
            if registration is None:
                raise Http404(_("There is no such registration in this edition."))
            return checkin.checkin_person(
                conference=conference,
                registration=registration,
                client_id=data["client_id"],
                point=data["point"],
                actor=request.user,
            )
        return checkin.checkin_scan(
            conference=conference,
            token=data["token"],
            client_id=data["client_id"],
            point=data["point"],
            actor=request.user,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def _desk_messages() -> dict[str, str]:
    """The desk script's texts, translated here (the page passes them as JSON data)."""
    return {
        "queued": _("Saved on this device: it will be sent when the connection returns."),
        "sending": _("Sending…"),
        "offline_one": _("Offline — 1 scan waiting"),
        "offline_many": _("Offline — %(count)s scans waiting"),
        "waiting_one": _("1 scan waiting to be sent"),
        "waiting_many": _("%(count)s scans waiting to be sent"),
        "login": _("Not sent: log in again. The scans stay on this device."),
        "server": _("The server did not answer; trying again shortly."),
        "camera_start": _("Scan with camera"),
        "camera_stop": _("Stop camera"),
        "camera_aim": _("Hold the badge's QR code in front of the camera."),
        "camera_error": _("The camera could not be started: %(reason)s"),
        "camera_none": _("This browser cannot use a camera here."),
        "waiting": _("Waiting"),
        "state_ok": _("OK: checked in"),
        "state_warning": _("Checked in, with warnings"),
        "state_refused": _("Not checked in"),
    }


@checkin_required
@require_http_methods(["GET", "POST"])
def checkin_desk(request, conference: Conference):
    """The desk page. Without JavaScript its forms post here; with it, to ``checkin_submit``."""
    result = None
    status = 200
    form = _bound_form(request, conference) if request.method == "POST" else None
    if form is not None:
        result = _perform(request, conference, form)
        status = 200 if result is not None else 400
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
        "found": checkin_selectors.checkin_find(conference=conference, q=q, point=point)
        if q
        else [],
        "counts": checkin_selectors.checkin_counts(conference),
        "roster": checkin_selectors.checkin_session_roster(conference=conference, session=point)
        if point is not None
        else None,
        "camera_scan": getattr(settings, "ATRIUM_CAMERA_SCAN", False),
        "desk_messages": _desk_messages(),
    }
    with timezone.override(conference.tz):
        return TemplateResponse(request, "checkin/desk.html", context, status=status).render()


def _person_json(registration: Registration | None) -> dict | None:
    if registration is None:
        return None
    person = registration.person
    return {
        "name": person.name,
        "name_zh": person.name_zh,
        "type": registration.type.name_i18n if registration.type_id else "",
        "organisation": person.organisation.name_i18n if person.organisation_id else "",
    }


@checkin_required
@require_POST
def checkin_submit(request, conference: Conference):
    """One check-in from the desk's script, as JSON: the answer the queue waits for.

    A definitive answer (200, or 400 for input that will never be valid) takes the scan
    off the device's queue; anything else (no answer, 403, 5xx) leaves it there to retry.
    The client id makes a resent scan count once.
    """
    form = _bound_form(request, conference)
    if not request.POST.get("client_id"):
        # The script always sends its id; without one a retry could count twice.
        form.is_valid()
        form.add_error("client_id", _("A client id is required."))
    try:
        result = _perform(request, conference, form) if not form.errors else None
    except Http404 as error:
        form.add_error(None, str(error))
        result = None
    with timezone.override(conference.tz):
        if result is None:
            errors = [str(m) for messages in form.errors.values() for m in messages]
            html = render_to_string("checkin/_result.html", {"errors": errors}, request=request)
            return JsonResponse(
                {
                    "client_id": request.POST.get("client_id", ""),
                    "state": "invalid",
                    "created": False,
                    "errors": errors,
                    "html": html,
                },
                status=400,
            )
        html = render_to_string("checkin/_result.html", {"result": result}, request=request)
    return JsonResponse(
        {
            "client_id": str(form.cleaned_data["client_id"]),
            "state": result.state,
            "created": result.created,
            "error": str(result.error),
            "warnings": [str(w) for w in result.warnings],
            "person": _person_json(result.registration),
            "html": html,
        }
    )


@checkin_required
@require_GET
def checkin_roster(request, conference: Conference):
    """The "who is missing" panel of a session point (polled by the desk)."""
    point_form = PointForm(request.GET, conference=conference)
    point = point_form.cleaned_data["point"] if point_form.is_valid() else None
    if point is None:
        raise Http404(_("Choose a session with seats."))
    roster = checkin_selectors.checkin_session_roster(conference=conference, session=point)
    with timezone.override(conference.tz):
        return TemplateResponse(
            request,
            "checkin/_roster.html",
            {"conference": conference, "roster": roster},
        ).render()


@checkin_required
@require_GET
def checkin_today(request, conference: Conference):
    """Checked in today, by type and by country (polled by the desk and the dashboard)."""
    with timezone.override(conference.tz):
        return TemplateResponse(
            request,
            "checkin/_today.html",
            {"conference": conference, "counts": checkin_selectors.checkin_counts(conference)},
        ).render()


SERVICE_WORKER = Path(__file__).resolve().parents[1] / "static" / "atrium" / "checkin-sw.js"


@require_GET
def checkin_service_worker(request, slug: str):
    """The desk's service worker, served under the desk so that its scope covers the desk.

    Public and the same for every edition: the script holds nothing personal, and a
    login redirect would make the browser drop the worker. ``no-cache``: the browser
    checks for a new version each time the desk opens.
    """
    response = HttpResponse(
        SERVICE_WORKER.read_bytes(), content_type="application/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    return response
