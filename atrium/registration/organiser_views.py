"""Organiser pages of an edition: dashboard, registrations (list, detail, actions, export)
and seat quotas. Every view requires the organiser role *of that edition*.

Views stay thin: parse with a form, call a service of ``atrium.registration.services``
(which holds every rule and raises ``ValidationError`` keyed by field), then either
redirect with a message or show the page again with the error and nothing changed.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from atrium.core import tabular
from atrium.core.audit import log_action
from atrium.core.forms import add_service_errors
from atrium.core.views import (
    download_ready,
    object_action,
    render_in_conference_time,
)
from atrium.events.models import Conference
from atrium.events.permissions import organiser_required
from atrium.registration import hooks, seats, selectors, services
from atrium.registration.display import answer_display, history_fields
from atrium.registration.models import Registration
from atrium.registration.organiser_forms import (
    ActionForm,
    BookingForm,
    CancelForm,
    MarkPaidForm,
    RegistrationFilterForm,
    RejectForm,
    SeatsForm,
)

# The audit trail's action codes, as the history panel shows them.
HISTORY_LABELS = {
    "registration.submitted": gettext_lazy("Registered"),
    "registration.approved": gettext_lazy("Approved"),
    "registration.confirmed": gettext_lazy("Confirmed"),
    "registration.rejected": gettext_lazy("Rejected"),
    "registration.cancelled": gettext_lazy("Cancelled"),
    "registration.feed_token_reset": gettext_lazy("New calendar link"),
    "order.paid": gettext_lazy("Payment received"),
    "receipt.downloaded": gettext_lazy("Receipt downloaded"),
    "fapiao.requested": gettext_lazy("Fapiao requested"),
    "fapiao.changed": gettext_lazy("Fapiao request changed"),
    "fapiao.issued": gettext_lazy("Fapiao issued"),
    "fapiao.corrected": gettext_lazy("Issued fapiao corrected"),
    "fapiao.downloaded": gettext_lazy("Fapiao PDF downloaded"),
    "certificate.downloaded": gettext_lazy("Certificate of attendance downloaded"),
    "seat.confirmed": gettext_lazy("Seat taken"),
    "seat.waitlisted": gettext_lazy("Put on a waiting list"),
    "seat.promoted": gettext_lazy("Moved up from a waiting list"),
    "seat.cancelled": gettext_lazy("Seat or waiting place given up"),
}


def _render(request, conference: Conference, template: str, context: dict, *, tab, status=200):
    """An organiser page with the tab ``tab`` marked."""
    return render_in_conference_time(
        request, conference, template, {"nav": "organiser", "tab": tab, **context}, status=status
    )


# --- dashboard -------------------------------------------------------------------------


@require_GET
@organiser_required
def dashboard(request, conference: Conference):
    counts = selectors.dashboard_counts(conference)
    return _render(
        request,
        conference,
        "registration/organiser/dashboard.html",
        {
            "counts": counts,
            "quota_count": selectors.quota_sessions(conference).count(),
            "sections": hooks.dashboard_sections.collect(request=request, conference=conference),
        },
        tab="dashboard",
    )


# --- registrations ---------------------------------------------------------------------


def _filter_form(request, conference: Conference) -> RegistrationFilterForm:
    return RegistrationFilterForm(
        request.GET or None,
        types=selectors.registration_types(conference),
        delegations=selectors.registration_delegations(conference),
        country_codes=selectors.registration_countries(conference),
    )


@require_GET
@organiser_required
def registration_list(request, conference: Conference):
    form = _filter_form(request, conference)
    filters, notices = form.filters()
    page_number = filters.pop("page", 1)
    registrations = selectors.registration_list(conference=conference, **filters)
    paginator = Paginator(registrations, settings.ATRIUM_PAGE_SIZE)
    if page_number > paginator.num_pages:
        notices.append(
            _("There is no page %(page)s; showing the last page.") % {"page": page_number}
        )
        page_number = paginator.num_pages
    page = paginator.page(page_number)
    for registration in page.object_list:
        registration.key = selectors.registration_key(registration)
    filter_query = form.active_query(exclude=("page",))
    context = {
        "form": form,
        "notices": notices,
        "page": page,
        "query": filters.get("q", ""),
        "filter_query": filter_query,
    }
    template = (
        "registration/organiser/_registration_results.html"
        if request.htmx
        else "registration/organiser/registrations.html"
    )
    return _render(request, conference, template, context, tab="registrations")


def _export_headers(questions) -> list[str]:
    return [
        _("Reference"),
        _("Name"),
        _("Name in Chinese"),
        _("E-mail"),
        _("Organisation"),
        _("Country"),
        _("Type"),
        _("Status"),
        _("Approval"),
        _("Order status"),
        _("Currency"),
        _("Total"),
        _("Paid at"),
        _("Delegation"),
        _("Created"),
        *(question.label_i18n for question in questions),
    ]


def _export_rows(registrations, questions):
    """One row per registration, in the list's order; answers in the questions' columns."""
    for registration in registrations.iterator(chunk_size=1000):
        person = registration.person
        order = getattr(registration, "order", None)
        answers = {answer.question_id: answer.value for answer in registration.answers.all()}
        yield [
            selectors.registration_key(registration),
            person.name,
            person.name_zh,
            person.email,
            person.organisation.name_i18n if person.organisation else "",
            person.country.name if person.country else "",
            registration.type.name_i18n if registration.type else "",
            registration.get_status_display(),
            registration.get_approval_display(),
            order.get_status_display() if order else "",
            order.currency if order else "",
            order.total if order else None,
            order.paid_at if order else None,
            registration.delegation.name_i18n if registration.delegation else "",
            registration.created,
            *(answers.get(question.pk, "") for question in questions),
        ]


@require_GET
@organiser_required
def registration_export(request, conference: Conference):
    """The list as CSV or XLSX (``?format=``), with the same filters; a bad one is ignored."""
    form = _filter_form(request, conference)
    filters, _notices = form.filters()
    filters.pop("page", None)
    registrations = selectors.export_registrations(
        selectors.registration_list(conference=conference, **filters)
    )
    questions = selectors.export_questions(conference)
    with timezone.override(conference.tz):  # times in the edition's local time
        response = tabular.tabular_export(
            request,
            filename_stem=f"{conference.slug}-registrations",
            headers=_export_headers(questions),
            rows=_export_rows(registrations, questions),
            sheet_title=_("Registrations"),
        )
    return download_ready(request, response)


def _registration_or_404(conference: Conference, reference: str) -> Registration:
    registration = selectors.registration_for_key(conference, reference)
    if registration is None:
        raise Http404(
            _("There is no registration “%(reference)s” in this edition.")
            % {"reference": reference[:40]}
        )
    registration.key = selectors.registration_key(registration)
    return registration


def _detail(request, conference, registration, *, extra=None, status=200):
    """The registration page; ``extra`` replaces a form (bound, with its errors) or adds notices."""
    bookings = selectors.registration_bookings(registration)
    entries = selectors.registration_history(registration, bookings)
    for entry in entries:
        entry.label = HISTORY_LABELS.get(entry.action, entry.action)
        entry.fields = history_fields(entry.data, conference=conference)
    answers = selectors.registration_answers(registration)
    for answer in answers:
        answer.display = answer_display(answer)
    context = {
        "registration": registration,
        "sections": hooks.registration_detail_sections.collect(
            request=request, registration=registration
        ),
        "order": getattr(registration, "order", None),
        "answers": answers,
        "payments": selectors.registration_payments(registration),
        "bookings": bookings,
        "entries": entries,
        "approve_form": ActionForm(),
        "reject_form": RejectForm(),
        "paid_form": _mark_paid_form(registration),
        "cancel_form": CancelForm(),
        **(extra or {}),
    }
    return _render(
        request,
        conference,
        "registration/organiser/registration.html",
        context,
        tab="registrations",
        status=status,
    )


@require_GET
@organiser_required
def registration_detail(request, conference: Conference, reference: str):
    return _detail(request, conference, _registration_or_404(conference, reference))


def _action(request, conference, reference, *, form_name, form, call, success):
    """Run one service call for the registration; a message and redirect, or the page again."""
    registration = _registration_or_404(conference, reference)
    return object_action(
        request,
        load=lambda: _registration_or_404(conference, reference),
        show=lambda fresh, **kwargs: _detail(request, conference, fresh, **kwargs),
        form=form,
        form_name=form_name,
        call=call,
        done=success % {"name": registration.person.name_i18n},
        next_url=reverse(
            "organiser:registration",
            kwargs={"slug": conference.slug, "reference": registration.key},
        ),
        notice=_("Nothing was changed: see the message under “Actions”."),
    )


@require_POST
@organiser_required
def registration_approve(request, conference: Conference, reference: str):
    return _action(
        request,
        conference,
        reference,
        form_name="approve_form",
        form=ActionForm(request.POST),
        call=lambda r, data: services.registration_approve(registration=r, actor=request.user),
        success=_("The registration of %(name)s is approved; they have been told by e-mail."),
    )


@require_POST
@organiser_required
def registration_reject(request, conference: Conference, reference: str):
    return _action(
        request,
        conference,
        reference,
        form_name="reject_form",
        form=RejectForm(request.POST),
        call=lambda r, data: services.registration_reject(
            registration=r, actor=request.user, reason=data["reason"]
        ),
        success=_("The registration of %(name)s is rejected; the reason was sent by e-mail."),
    )


def _mark_paid_form(registration: Registration) -> MarkPaidForm:
    """The form filled with what is due, received today."""
    order = getattr(registration, "order", None)
    initial = {"received_on": timezone.localdate()}
    if order is not None:
        initial.update(amount=order.total, currency=order.currency)
    return MarkPaidForm(initial=initial)


@require_POST
@organiser_required
def registration_mark_paid(request, conference: Conference, reference: str):
    def call(registration, data):
        order = getattr(registration, "order", None)
        if order is None:
            raise ValidationError(_("This registration has no order to pay."))
        services.order_mark_paid(
            order=order,
            actor=request.user,
            amount=data["amount"],
            currency=data["currency"],
            received_on=data["received_on"],
            reference=data["reference"],
        )

    return _action(
        request,
        conference,
        reference,
        form_name="paid_form",
        form=MarkPaidForm(request.POST),
        call=call,
        success=_("The bank transfer of %(name)s is recorded as paid."),
    )


@require_POST
@organiser_required
def registration_cancel(request, conference: Conference, reference: str):
    return _action(
        request,
        conference,
        reference,
        form_name="cancel_form",
        form=CancelForm(request.POST, request.FILES),
        call=lambda r, data: services.registration_cancel(
            registration=r,
            actor=request.user,
            visa_refused=data["visa_refused"],
            proof=data["proof"],
        ),
        success=_("The registration of %(name)s is cancelled; they have been told by e-mail."),
    )


@require_GET
@organiser_required
def registration_refusal_proof(request, conference: Conference, reference: str):
    """The visa-refusal letter a delegate attached: organisers of the edition only, logged."""
    registration = _registration_or_404(conference, reference)
    if not registration.visa_refusal_proof:
        raise Http404(_("No letter was attached to this cancellation."))
    try:
        handle = registration.visa_refusal_proof.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    log_action(
        actor=request.user,
        action="registration.refusal_proof_opened",
        obj=registration,
        conference=conference,
    )
    head = handle.read(8)
    handle.seek(0)
    kind = next((k for sig, k in services.PROOF_SIGNATURES.items() if head.startswith(sig)), "")
    content_type = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}.get(
        kind, "application/octet-stream"
    )
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- seat quotas -----------------------------------------------------------------------


@require_GET
@organiser_required
def quota_list(request, conference: Conference):
    sessions = list(selectors.quota_sessions(conference))
    for session in sessions:
        session.free = max(0, session.seats - session.taken)
    return _render(
        request,
        conference,
        "registration/organiser/quotas.html",
        {"sessions": sessions},
        tab="quotas",
    )


def _session_or_404(conference: Conference, session_id: int):
    session = selectors.quota_session(conference, session_id)
    if session is None:
        raise Http404(_("This session of the edition has no limited seats."))
    session.free = max(0, session.seats - session.taken)
    return session


def _quota(request, conference, session, *, form=None, seats_form=None, status=200):
    seated, waiting = selectors.quota_bookings(session)
    context = {
        "session": session,
        "seated": seated,
        "waiting": waiting,
        "form": form,
        "seats_form": seats_form or SeatsForm(initial={"seats": session.seats}),
    }
    return _render(
        request,
        conference,
        "registration/organiser/quota.html",
        context,
        tab="quotas",
        status=status,
    )


@require_GET
@organiser_required
def quota_detail(request, conference: Conference, session_id: int):
    return _quota(request, conference, _session_or_404(conference, session_id))


def _names(bookings) -> str:
    return ", ".join(b.registration.person.name_i18n for b in bookings)


def _quota_action(request, conference, session_id, call, *, needs_booking: bool):
    """Run one seat service for the session; a message and redirect, or the page again."""
    session = _session_or_404(conference, session_id)
    form = BookingForm(request.POST, session=session) if needs_booking else ActionForm(request.POST)
    message = ""
    if form.is_valid():
        try:
            message = call(session, form.cleaned_data.get("booking"))
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        session = _session_or_404(conference, session_id)
        return _quota(request, conference, session, form=form, status=400)
    messages.success(request, message)
    return redirect("organiser:quota", slug=conference.slug, session_id=session.pk)


@require_POST
@organiser_required
def quota_promote(request, conference: Conference, session_id: int):
    def call(session, booking):
        seats.seat_promote(booking=booking, actor=request.user)
        return _("%(name)s has a seat now and has been told by e-mail.") % {
            "name": booking.registration.person.name_i18n
        }

    return _quota_action(request, conference, session_id, call, needs_booking=True)


@require_POST
@organiser_required
def quota_remove(request, conference: Conference, session_id: int):
    def call(session, booking):
        promoted = seats.seat_cancel(booking=booking, actor=request.user)
        message = _("%(name)s is off the lists.") % {"name": booking.registration.person.name_i18n}
        if promoted:
            message += " " + _("Moved up from the waiting list: %(names)s.") % {
                "names": _names(promoted)
            }
        return message

    return _quota_action(request, conference, session_id, call, needs_booking=True)


@require_POST
@organiser_required
def quota_fill(request, conference: Conference, session_id: int):
    def call(session, _booking):
        promoted = seats.quota_fill(session=session, actor=request.user)
        if not promoted:
            return _("No one moved up: there is no free seat, or no one is waiting.")
        return _("Moved up from the waiting list: %(names)s.") % {"names": _names(promoted)}

    return _quota_action(request, conference, session_id, call, needs_booking=False)


@require_POST
@organiser_required
def quota_seats(request, conference: Conference, session_id: int):
    """Change the number of seats; the waiting list moves up into new seats at once."""
    session = _session_or_404(conference, session_id)
    form = SeatsForm(request.POST)
    promoted = []
    if form.is_valid():
        try:
            promoted = seats.session_seats_set(
                session=session, seats=form.cleaned_data["seats"], actor=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        session = _session_or_404(conference, session_id)
        return _quota(request, conference, session, seats_form=form, status=400)
    message = _("The session has %(seats)s seats now.") % {"seats": form.cleaned_data["seats"]}
    if promoted:
        message += " " + _("Moved up from the waiting list: %(names)s.") % {
            "names": _names(promoted)
        }
    messages.success(request, message)
    return redirect("organiser:quota", slug=conference.slug, session_id=session.pk)
