"""The exhibition's pages: the public plan and profiles, the exhibitor portal, the lead page
for booth staff, the visitor's consent, and the organisers' pages. Thin: parse, call a
service, render."""

from __future__ import annotations

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from atrium.core import tabular
from atrium.core.forms import add_service_errors
from atrium.core.views import next_url, pdf_response, render_in_conference_time
from atrium.events.models import Conference
from atrium.events.permissions import organiser_required
from atrium.exhibition import forms, runsheet, selectors, services
from atrium.exhibition import leads as exhibition_leads
from atrium.exhibition import plan as exhibition_plan
from atrium.exhibition import staff as exhibition_staff
from atrium.exhibition import tours as exhibition_tours
from atrium.exhibition.models import (
    Booth,
    BoothBooking,
    Exhibitor,
    Lead,
    Product,
    StaffPass,
    Tour,
)
from atrium.network.models import Person

# --- public -----------------------------------------------------------------------------


def _published(slug: str) -> Conference:
    return get_object_or_404(Conference, slug=slug, is_published=True)


def plan(request, slug):
    """The floor plan: an SVG per hall, booths coloured by status, and the same as a list."""
    conference = _published(slug)
    form = forms.SearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    halls = selectors.plan(conference)
    matches = None
    if q:
        ids = set(selectors.public_exhibitors(conference, q).values_list("pk", flat=True))
        needle = q.upper()
        matches = set()
        for hall in halls:
            for item in hall.booths:
                if (
                    item.exhibitor and item.exhibitor.pk in ids
                ) or needle == item.booth.code.upper():
                    matches.add(item.booth.pk)
    counts = {selectors.FREE: 0, selectors.HELD: 0, selectors.BOOKED: 0}
    for hall in halls:
        for item in hall.booths:
            counts[item.status] += 1
        hall.listed = [i for i in hall.booths if matches is None or i.booth.pk in matches]
    return render_in_conference_time(
        request,
        conference,
        "exhibition/plan.html",
        {
            "nav": "exhibition",
            "halls": halls,
            "form": form,
            "q": q,
            "matches": matches,
            "counts": counts,
            "mine": selectors.exhibitors_of_user(request.user, conference),
        },
    )


def exhibitors(request, slug):
    conference = _published(slug)
    form = forms.SearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = Paginator(selectors.public_exhibitors(conference, q), 50).get_page(
        request.GET.get("page")
    )
    return render_in_conference_time(
        request,
        conference,
        "exhibition/exhibitors.html",
        {"nav": "exhibition", "form": form, "q": q, "page": page},
    )


def exhibitor_profile(request, slug, pk):
    conference = _published(slug)
    exhibitor = get_object_or_404(
        Exhibitor.objects.select_related("organisation").prefetch_related(
            "products",
            Prefetch(
                "bookings",
                queryset=BoothBooking.objects.filter(status="booked").select_related("booth__hall"),
                to_attr="booked",
            ),
        ),
        conference=conference,
        pk=pk,
        status=Exhibitor.Status.ACCEPTED,
    )
    return render_in_conference_time(
        request,
        conference,
        "exhibition/exhibitor.html",
        {"nav": "exhibition", "exhibitor": exhibitor},
    )


# --- the portal -------------------------------------------------------------------------


def exhibitor_required(need: str):
    """Resolve ``slug`` and ``pk`` to an exhibitor the user works for, with the part ``need``:
    ``any``, ``scan``, ``leads`` or ``manage``. Anonymous users log in; users with no part
    at this exhibitor get 404 (another exhibitor learns nothing); a part too small, 403."""
    checks = {
        "any": lambda access: access is not None,
        "scan": selectors.can_scan,
        "leads": selectors.can_see_leads,
        "manage": selectors.can_manage,
    }

    def decorator(view):
        @wraps(view)
        def wrapped(request, slug, pk, *args, **kwargs):
            conference = get_object_or_404(Conference, slug=slug)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            exhibitor = get_object_or_404(
                Exhibitor.objects.select_related("organisation", "conference"),
                conference=conference,
                pk=pk,
            )
            access = selectors.exhibitor_access(request.user, exhibitor)
            if access is None:
                raise Http404
            if not checks[need](access):
                raise PermissionDenied
            return view(request, *args, exhibitor=exhibitor, access=access, **kwargs)

        return wrapped

    return decorator


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, slug):
    conference = _published(slug)
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


def _portal_post(request, exhibitor, access, *, form_name, form, call, done):
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
    return _portal_post(
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
    return _portal_post(
        request,
        exhibitor,
        access,
        form_name="product_form",
        form=form,
        call=lambda data: services.product_save(exhibitor=exhibitor, actor=request.user, **data),
        done=_("Product saved."),
    )


def product_image(request, slug, pk, product_id):
    """A product's picture (public once the exhibitor is accepted)."""
    from django.http import FileResponse

    product = get_object_or_404(
        Product,
        pk=product_id,
        exhibitor_id=pk,
        exhibitor__conference__slug=slug,
    )
    visible = product.exhibitor.is_accepted or selectors.exhibitor_access(
        request.user, product.exhibitor
    )
    if not product.image or not visible:
        raise Http404
    return FileResponse(product.image.open("rb"), content_type="image/jpeg")


@require_POST
@exhibitor_required("manage")
def booth_hold(request, exhibitor, access):
    form = forms.HoldForm(request.POST)

    def call(data):
        booth = Booth.objects.filter(
            pk=data["booth"], hall__conference=exhibitor.conference
        ).first()
        if booth is None:
            raise ValidationError({"booth": _("There is no such booth in this edition.")})
        services.booth_hold(
            booth=booth, exhibitor=exhibitor, currency=data["currency"], actor=request.user
        )

    return _portal_post(
        request,
        exhibitor,
        access,
        form_name="hold_form",
        form=form,
        call=call,
        done=_("The booth is held for you for 15 minutes: pay to book it."),
    )


@require_POST
@exhibitor_required("manage")
def booking_release(request, exhibitor, access, booking_id):
    booking = get_object_or_404(BoothBooking, pk=booking_id, exhibitor=exhibitor, status="held")
    services.booking_release(booking=booking, actor=request.user)
    messages.success(request, _("The hold is released."))
    return redirect("exhibition:portal", slug=exhibitor.conference.slug, pk=exhibitor.pk)


@require_POST
@exhibitor_required("manage")
def staff_invite(request, exhibitor, access):
    form = forms.StaffInviteForm(request.POST)
    join_url = reverse("exhibition:staff-join", kwargs={"token": "TOKEN"}).replace(
        "TOKEN", "{token}"
    )
    return _portal_post(
        request,
        exhibitor,
        access,
        form_name="staff_form",
        form=form,
        call=lambda data: exhibition_staff.staff_invite(
            exhibitor=exhibitor,
            join_url=join_url,
            language=translation.get_language(),
            actor=request.user,
            **data,
        ),
        done=_("Invitation sent."),
    )


@require_POST
@exhibitor_required("manage")
def staff_revoke(request, exhibitor, access, pass_id):
    staff_pass = get_object_or_404(StaffPass, pk=pass_id, exhibitor=exhibitor)
    exhibition_staff.staff_revoke(staff_pass=staff_pass, actor=request.user)
    messages.success(request, _("The pass is withdrawn."))
    return redirect("exhibition:portal", slug=exhibitor.conference.slug, pk=exhibitor.pk)


@login_required
@require_http_methods(["GET", "POST"])
def staff_join(request, token):
    staff_pass = exhibition_staff.staff_pass_for_token(token)
    if staff_pass is None:
        raise Http404(_("This invitation is not valid any more."))
    conference = staff_pass.exhibitor.conference
    error = ""
    if request.method == "POST":
        try:
            exhibition_staff.staff_accept(token=token, user=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("You are on the booth staff."))
            return redirect("exhibition:leads", slug=conference.slug, pk=staff_pass.exhibitor_id)
    return render_in_conference_time(
        request,
        conference,
        "exhibition/staff_join.html",
        {"staff_pass": staff_pass, "error": error},
        status=400 if error else 200,
        private=True,
    )


# --- leads ------------------------------------------------------------------------------


def _scan_messages() -> dict[str, str]:
    return {
        "queued": _("Saved on this device: it will be sent when the connection returns."),
        "waiting_one": _("1 scan waiting to be sent"),
        "waiting_many": _("%(count)s scans waiting to be sent"),
        "saved": _("Lead saved"),
        "again": _("Already a lead"),
        "refused": _("Not saved"),
        "login": _("Not sent: log in again. The scans stay on this device."),
        "camera_start": _("Scan with camera"),
        "camera_stop": _("Stop camera"),
        "camera_error": _("The camera could not be started: %(reason)s"),
    }


def _scan_answer(
    exhibitor, result: exhibition_leads.ScanResult | None, error: str, client_id
) -> dict:
    if result is None:
        return {"client_id": str(client_id), "ok": False, "error": error}
    choices = selectors.consent_choices(result.lead.registration.person, exhibitor)
    card = selectors.shared_card(result.lead, choices)
    return {
        "client_id": str(client_id),
        "ok": True,
        "created": result.created,
        "lead": result.lead.pk,
        "name": card["name"],
        "organisation": card["organisation"],
    }


def _scan_one(request, exhibitor, data) -> dict:
    client_id = data.get("client_id") or ""
    try:
        result = exhibition_leads.lead_scan(
            exhibitor=exhibitor,
            token=str(data.get("token") or "")[:200],
            client_id=client_id,
            scanned_at=data.get("scanned_at") or None,
            actor=request.user,
        )
    except ValidationError as error:
        return _scan_answer(exhibitor, None, " ".join(error.messages), client_id)
    return _scan_answer(exhibitor, result, "", client_id)


@require_http_methods(["GET", "POST"])
@exhibitor_required("scan")
def leads(request, exhibitor, access):
    """The lead page: scan (camera, handheld scanner or typed), and the leads if allowed."""
    form = forms.ScanForm(request.POST or None)
    last = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                last = exhibition_leads.lead_scan(
                    exhibitor=exhibitor,
                    token=data["token"],
                    client_id=data["client_id"],
                    scanned_at=data["scanned_at"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
        if form.errors:
            status = 400
        else:
            messages.success(
                request, _("Lead saved.") if last.created else _("Already one of your leads.")
            )
            return redirect("exhibition:leads", slug=exhibitor.conference.slug, pk=exhibitor.pk)
    can_see = selectors.can_see_leads(access)
    return render_in_conference_time(
        request,
        exhibitor.conference,
        "exhibition/leads.html",
        {
            "nav": "exhibition",
            "exhibitor": exhibitor,
            "access": access,
            "can_see_leads": can_see,
            "form": form if status == 400 else forms.ScanForm(),
            "leads": selectors.leads_with_cards(exhibitor) if can_see else [],
            "scan_messages": _scan_messages(),
        },
        status=status,
        private=True,
    )


@require_POST
@exhibitor_required("scan")
def leads_submit(request, exhibitor, access):
    """Scans sent by the page's script, one or a queue of many: ``{"scans": [...]}``.

    Each answer carries its ``client_id``; a scan sent twice is saved once."""
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": _("The request is not JSON.")}, status=400)
    scans = payload.get("scans") if isinstance(payload, dict) else None
    if not isinstance(scans, list) or len(scans) > 2000:
        return JsonResponse({"error": _("Send a list of at most 2000 scans.")}, status=400)
    results = [
        _scan_one(request, exhibitor, scan if isinstance(scan, dict) else {}) for scan in scans
    ]
    return JsonResponse({"results": results})


@require_http_methods(["GET", "POST"])
@exhibitor_required("leads")
def lead_edit(request, exhibitor, access, lead_id):
    lead = get_object_or_404(
        Lead.objects.select_related("registration__person__organisation"),
        pk=lead_id,
        exhibitor=exhibitor,
        withdrawn_at__isnull=True,
    )
    form = forms.LeadForm(request.POST or None, instance=lead)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exhibition_leads.lead_update(
                lead=lead,
                rating=data["rating"],
                notes=data["notes"],
                tags=data["tags_text"],
                interests=data["interests_text"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Lead saved."))
            return redirect("exhibition:leads", slug=exhibitor.conference.slug, pk=exhibitor.pk)
    lead.card = selectors.shared_card(
        lead, selectors.consent_choices(lead.registration.person, exhibitor)
    )
    return render_in_conference_time(
        request,
        exhibitor.conference,
        "exhibition/lead.html",
        {"nav": "exhibition", "exhibitor": exhibitor, "lead": lead, "form": form},
        status=400 if form.errors else 200,
        private=True,
    )


@exhibitor_required("leads")
def leads_export(request, exhibitor, access, fmt):
    """The leads as XLSX or CSV, in the exporter's language, with only what each visitor
    consented to share."""
    leads_ = selectors.leads_with_cards(exhibitor)
    with translation.override(translation.get_language()):
        return tabular.tabular_response(
            filename_stem=f"{exhibitor.conference.slug}-leads",
            fmt=fmt,
            headers=selectors.export_headers(),
            rows=list(selectors.export_rows(leads_)),
            sheet_title=_("Leads"),
        )


# --- the visitor ------------------------------------------------------------------------


def _my_registration(request, conference):
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        raise Http404
    registration = person.registrations.filter(conference=conference).first()
    if registration is None:
        raise Http404
    return person, registration


@login_required
@require_POST
def my_consent(request, slug):
    conference = get_object_or_404(Conference, slug=slug)
    person, _registration = _my_registration(request, conference)
    form = forms.ConsentForm(request.POST)
    exhibitor = None
    if request.POST.get("exhibitor"):
        exhibitor = get_object_or_404(
            Exhibitor, pk=request.POST["exhibitor"], conference=conference
        )
    if form.is_valid():
        exhibition_leads.consent_set(
            person=person, exhibitor=exhibitor, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("Your choices for badge scans are saved."))
    return redirect(reverse("registration:me") + "#exhibition")


@login_required
@require_POST
def my_booth_toggle(request, slug, booth_id):
    """Save a booth to my agenda (from an exhibitor's profile), or take it off."""
    conference = get_object_or_404(Conference, slug=slug)
    _person, registration = _my_registration(request, conference)
    booth = get_object_or_404(Booth, pk=booth_id, hall__conference=conference)
    try:
        saved = exhibition_leads.booth_agenda_toggle(
            registration=registration, booth=booth, actor=request.user
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("Booth %(code)s is in your agenda.") % {"code": booth.code}
            if saved
            else _("Booth %(code)s is off your agenda.") % {"code": booth.code},
        )
    return redirect(next_url(request, reverse("registration:me") + "#exhibition"))


@login_required
@require_POST
def my_lead_withdraw(request, slug, lead_id):
    conference = get_object_or_404(Conference, slug=slug)
    person, registration = _my_registration(request, conference)
    lead = get_object_or_404(Lead, pk=lead_id, registration=registration)
    exhibition_leads.lead_withdraw(lead=lead, person=person, actor=request.user)
    messages.success(request, _("Withdrawn: the exhibitor no longer sees you among its leads."))
    return redirect(reverse("registration:me") + "#exhibition")


# --- organisers -------------------------------------------------------------------------


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
