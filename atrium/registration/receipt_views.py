"""Receipts to download.

- ``/c/<slug>/me/receipt.pdf``: the logged-in delegate's own (another person's receipt is
  never reachable: there is no id in the address).
- ``/c/<slug>/organiser/registrations/<reference>/receipt.pdf``: organisers of that
  edition; anyone else gets a 404.

The rules (who has a receipt, and when) are in ``atrium.registration.receipts``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from atrium.core.views import pdf_response
from atrium.events.models import Conference
from atrium.events.permissions import personal_papers_required
from atrium.registration import receipts, selectors
from atrium.registration.models import Registration


def _my_registration(request, slug: str) -> Registration:
    conference = get_object_or_404(Conference, slug=slug, is_published=True)
    registration = selectors.registration_of_user(conference, request.user)
    if registration is None:
        raise Http404(_("You have no registration for this edition."))
    return registration


def _receipt_response(request, registration: Registration) -> HttpResponse:
    order = getattr(registration, "order", None)
    if receipts.receipt_refusal(order):
        raise Http404(_("There is no receipt for this registration."))
    try:
        data = receipts.receipt_pdf(order=order, actor=request.user, language=get_language())
    except ValidationError as error:  # paid state changed meanwhile
        raise Http404(" ".join(error.messages)) from None
    return pdf_response(data, f"receipt-{order.receipt_label}")


@require_GET
@login_required
def my_receipt(request, slug: str):
    return _receipt_response(request, _my_registration(request, slug))


def _edition_registration(conference: Conference, reference: str) -> Registration:
    registration = selectors.registration_for_key(conference, reference)
    if registration is None:
        raise Http404(_("There is no registration with this reference in this edition."))
    return registration


@require_GET
@personal_papers_required
def organiser_receipt(request, conference: Conference, reference: str):
    return _receipt_response(request, _edition_registration(conference, reference))
