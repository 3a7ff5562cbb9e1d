"""The lead page for booth staff: scan (also offline), edit, export."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from atrium.core import tabular
from atrium.core.forms import add_service_errors
from atrium.core.views import render_in_conference_time
from atrium.exhibition import forms, selectors
from atrium.exhibition import leads as exhibition_leads
from atrium.exhibition.models import (
    Lead,
)
from atrium.exhibition.views.access import exhibitor_required


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
