"""Receipts and certificates of attendance to download.

- ``/c/<slug>/me/receipt.pdf``, ``/c/<slug>/me/certificate.pdf``: the logged-in delegate's
  own (another person's papers are never reachable: there is no id in the address).
- ``/c/<slug>/organiser/registrations/<reference>/receipt.pdf`` (and ``certificate.pdf``):
  organisers of that edition; check-in staff and organisers of other editions are refused.

The rules (who has which paper, and when) are in ``atrium.registration.papers``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from atrium.core.views import pdf_response
from atrium.events.models import Conference
from atrium.events.permissions import Role, conference_role_required, personal_papers_required
from atrium.registration import papers, selectors
from atrium.registration.models import Registration

organiser_required = conference_role_required(Role.ORGANISER)


def _my_registration(request, slug: str) -> Registration:
    conference = get_object_or_404(Conference, slug=slug, is_published=True)
    registration = (
        Registration.objects.filter(conference=conference, person__user=request.user)
        .select_related("conference", "order")
        .first()
    )
    if registration is None:
        raise Http404(_("You have no registration for this edition."))
    return registration


def _receipt_response(request, registration: Registration) -> HttpResponse:
    order = getattr(registration, "order", None)
    if papers.receipt_refusal(order):
        raise Http404(_("There is no receipt for this registration."))
    try:
        data = papers.receipt_pdf(order=order, actor=request.user, language=get_language())
    except ValidationError as error:  # paid state changed meanwhile
        raise Http404(" ".join(error.messages)) from None
    return pdf_response(data, f"receipt-{order.receipt_label}")


@require_GET
@login_required
def my_receipt(request, slug: str):
    return _receipt_response(request, _my_registration(request, slug))


@require_GET
@login_required
def my_certificate(request, slug: str):
    registration = _my_registration(request, slug)
    try:
        data = papers.certificate_pdf(
            registration=registration, actor=request.user, language=get_language()
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("registration:me")
    return pdf_response(data, f"certificate-{registration.conference.slug}")


def _edition_registration(conference: Conference, reference: str) -> Registration:
    registration = selectors.registration_for_key(conference, reference)
    if registration is None:
        raise Http404(_("There is no registration with this reference in this edition."))
    return registration


@require_GET
@personal_papers_required
def organiser_receipt(request, conference: Conference, reference: str):
    return _receipt_response(request, _edition_registration(conference, reference))


@require_GET
@personal_papers_required
def organiser_certificate(request, conference: Conference, reference: str):
    registration = _edition_registration(conference, reference)
    try:
        data = papers.certificate_pdf(
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
