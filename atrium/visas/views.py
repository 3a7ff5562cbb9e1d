"""Visa invitation letters: the delegate's pages and the organisers' queue.

- ``/c/<slug>/me/visa/``: ask for a letter, see its status and the organisers' note,
  correct it when asked, download the letter once issued, withdraw. Only one's own
  requests: anyone else's is a 404.
- ``/c/<slug>/organiser/visa/``: the edition's organisers review the queue; opening a
  request shows the decrypted passport data (logged), approve / ask for a correction /
  refuse, download the letter (logged).

Thin: parse with a form, call ``atrium.visas.services``, render or redirect.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from atrium.core.audit import history
from atrium.core.forms import add_service_errors
from atrium.core.views import object_action, pdf_response, render_in_conference_time
from atrium.events.models import Conference
from atrium.events.permissions import (
    organiser_required,
    personal_papers_required,
)
from atrium.registration.models import Registration
from atrium.visas import selectors as visa_selectors
from atrium.visas import services as visas
from atrium.visas.forms import (
    VisaActionForm,
    VisaFilterForm,
    VisaNoteForm,
    VisaRefuseForm,
    VisaRequestForm,
)
from atrium.visas.models import VisaLetterRequest

HISTORY_LABELS = {
    "visa.requested": gettext_lazy("Requested"),
    "visa.corrected": gettext_lazy("Changed by the delegate"),
    "visa.withdrawn": gettext_lazy("Withdrawn"),
    "visa.approved": gettext_lazy("Letter issued"),
    "visa.correction_asked": gettext_lazy("Correction asked"),
    "visa.refused": gettext_lazy("Refused"),
    "visa.passport_viewed": gettext_lazy("Passport data viewed"),
    "visa.letter_downloaded": gettext_lazy("Letter downloaded"),
    "visa.purged": gettext_lazy("Passport data removed"),
}


def _render(request, conference: Conference, template: str, context: dict, *, status=200):
    return render_in_conference_time(request, conference, template, context, status=status)


# --- the delegate ------------------------------------------------------------------------


def _conference(slug: str) -> Conference:
    return get_object_or_404(Conference, slug=slug, is_published=True)


def _my_registration(request, conference: Conference) -> Registration:
    registration = (
        Registration.objects.select_related("person", "conference")
        .filter(conference=conference, person__user=request.user)
        .first()
    )
    if registration is None:
        raise Http404(_("You are not registered for this edition."))
    return registration


def _my_request(request, conference: Conference, pk: int) -> VisaLetterRequest:
    """The user's own request, or 404 (never someone else's)."""
    return get_object_or_404(
        VisaLetterRequest.objects.select_related("conference", "registration__person"),
        pk=pk,
        conference=conference,
        registration__person__user=request.user,
    )


def _mine(request, conference, registration, *, form=None, status=200):
    requests = visa_selectors.visa_requests_of(registration)
    current = next((r for r in requests if r.is_open), None)
    passport = None
    if current is not None:
        passport = visas.visa_passport_reveal(visa_request=current, actor=request.user)
    can_ask = current is None and registration.is_active
    if can_ask and form is None:
        person = registration.person
        form = VisaRequestForm(
            initial={"passport_name": person.name, "nationality": person.country or ""}
        )
    return _render(
        request,
        conference,
        "visas/mine.html",
        {
            "registration": registration,
            "current": current,
            "passport": passport,
            "earlier": [r for r in requests if r is not current],
            "form": form if can_ask else None,
            "nav": "me",
            "valid_months": visas.PASSPORT_VALID_MONTHS,
        },
        status=status,
    )


@login_required
def my_visa(request, slug: str):
    conference = _conference(slug)
    registration = _my_registration(request, conference)
    if request.method != "POST":
        return _mine(request, conference, registration)
    form = VisaRequestForm(request.POST)
    if form.is_valid():
        try:
            visas.visa_request_submit(
                registration=registration, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # not about a field: asked already, inactive
                messages.error(request, " ".join(error.messages))
                return redirect("visa:mine", slug=conference.slug)
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your request is sent; the organisers will review it and write to you."),
            )
            return redirect("visa:mine", slug=conference.slug)
    return _mine(request, conference, registration, form=form, status=400)


@login_required
def my_visa_correct(request, slug: str, pk: int):
    conference = _conference(slug)
    visa_request = _my_request(request, conference, pk)
    if not visa_request.can_correct:
        messages.info(request, _("This request can no longer be changed."))
        return redirect("visa:mine", slug=conference.slug)
    status = 200
    if request.method == "POST":
        form = VisaRequestForm(request.POST)
        if form.is_valid():
            try:
                visas.visa_request_correct(
                    visa_request=visa_request, actor=request.user, **form.service_kwargs()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your corrected request is sent for review."))
                return redirect("visa:mine", slug=conference.slug)
        status = 400
    else:
        passport = visas.visa_passport_reveal(visa_request=visa_request, actor=request.user)
        form = VisaRequestForm(initial=VisaRequestForm.initial_for(visa_request, passport))
    return _render(
        request,
        conference,
        "visas/correct.html",
        {"visa_request": visa_request, "form": form, "nav": "me"},
        status=status,
    )


@require_POST
@login_required
def my_visa_withdraw(request, slug: str, pk: int):
    conference = _conference(slug)
    visa_request = _my_request(request, conference, pk)
    try:
        visas.visa_request_withdraw(visa_request=visa_request, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your visa letter request is withdrawn."))
    return redirect("visa:mine", slug=conference.slug)


@require_GET
@login_required
def my_visa_letter(request, slug: str, pk: int):
    conference = _conference(slug)
    visa_request = _my_request(request, conference, pk)
    try:
        data = visas.visa_letter_pdf(visa_request=visa_request, actor=request.user)
    except ValidationError as error:
        raise Http404(" ".join(error.messages)) from error
    return pdf_response(data, f"visa-letter-{visa_request.letter_number}.pdf")


# --- the organisers ----------------------------------------------------------------------


def _organiser_request(conference: Conference, pk: int) -> VisaLetterRequest:
    return get_object_or_404(
        VisaLetterRequest.objects.select_related(
            "conference", "registration__person__organisation", "registration__order", "decided_by"
        ),
        pk=pk,
        conference=conference,
    )


@require_GET
@organiser_required
def organiser_visa_list(request, conference: Conference):
    form = VisaFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    paginator = Paginator(
        visa_selectors.visa_requests_for(conference, status=status), settings.ATRIUM_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    counts = visa_selectors.visa_status_counts(conference)
    statuses = [
        (value, label, counts.get(value, 0)) for value, label in VisaLetterRequest.Status.choices
    ]
    return _render(
        request,
        conference,
        "visas/organiser_list.html",
        {
            "form": form,
            "page": page,
            "status": status,
            "statuses": statuses,
            "total": sum(counts.values()),
            "nav": "organiser",
            "tab": "visa",
        },
    )


def _detail(request, conference, visa_request, *, extra=None, status=200):
    passport = visas.visa_passport_reveal(visa_request=visa_request, actor=request.user)
    entries = list(history(visa_request))
    for entry in entries:
        entry.label = HISTORY_LABELS.get(entry.action, entry.action)
    context = {
        "visa_request": visa_request,
        "registration": visa_request.registration,
        "passport": passport,
        "entries": entries,
        "approve_form": VisaActionForm(),
        "correction_form": VisaNoteForm(),
        "refuse_form": VisaRefuseForm(),
        "nav": "organiser",
        "tab": "visa",
        **(extra or {}),
    }
    return _render(request, conference, "visas/organiser_detail.html", context, status=status)


@require_GET
@personal_papers_required
def organiser_visa_detail(request, conference: Conference, pk: int):
    return _detail(request, conference, _organiser_request(conference, pk))


def _action(request, conference, pk, *, form_name, form, call, success):
    """Run one review service on the request; a message and redirect, or the page again."""
    visa_request = _organiser_request(conference, pk)
    return object_action(
        request,
        load=lambda: _organiser_request(conference, pk),
        show=lambda fresh, **kwargs: _detail(request, conference, fresh, **kwargs),
        form=form,
        form_name=form_name,
        call=call,
        done=success % {"name": visa_request.registration.person.name_i18n},
        next_url=reverse(
            "visa:organiser-detail", kwargs={"slug": conference.slug, "pk": visa_request.pk}
        ),
        notice=_("Nothing was changed: see the message under “Decision”."),
    )


@require_POST
@personal_papers_required
def organiser_visa_approve(request, conference: Conference, pk: int):
    return _action(
        request,
        conference,
        pk,
        form_name="approve_form",
        form=VisaActionForm(request.POST),
        call=lambda r, data: visas.visa_request_approve(visa_request=r, actor=request.user),
        success=_("The visa letter for %(name)s is issued; they have been told by e-mail."),
    )


@require_POST
@personal_papers_required
def organiser_visa_correction(request, conference: Conference, pk: int):
    return _action(
        request,
        conference,
        pk,
        form_name="correction_form",
        form=VisaNoteForm(request.POST),
        call=lambda r, data: visas.visa_request_ask_correction(
            visa_request=r, actor=request.user, note=data["note"]
        ),
        success=_("%(name)s has been asked by e-mail to correct the request."),
    )


@require_POST
@personal_papers_required
def organiser_visa_refuse(request, conference: Conference, pk: int):
    return _action(
        request,
        conference,
        pk,
        form_name="refuse_form",
        form=VisaRefuseForm(request.POST),
        call=lambda r, data: visas.visa_request_refuse(
            visa_request=r, actor=request.user, reason=data["reason"]
        ),
        success=_("The request of %(name)s is refused; the reason was sent by e-mail."),
    )


@require_GET
@personal_papers_required
def organiser_visa_letter(request, conference: Conference, pk: int):
    visa_request = _organiser_request(conference, pk)
    try:
        data = visas.visa_letter_pdf(visa_request=visa_request, actor=request.user)
    except ValidationError as error:
        raise Http404(" ".join(error.messages)) from error
    return pdf_response(data, f"visa-letter-{visa_request.letter_number}.pdf")
