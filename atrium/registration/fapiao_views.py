"""Fapiao pages: the delegate's request (linked from ``/me/``) and the organisers' list,
export, issue and the issued PDF. The rules are in ``atrium.registration.fapiao``."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from atrium.core import tabular
from atrium.core.audit import log_action
from atrium.core.views import form_action, render_in_conference_time
from atrium.events.models import Conference
from atrium.events.permissions import organiser_required, personal_papers_required
from atrium.registration import fapiao as rules
from atrium.registration.fapiao_forms import FapiaoFilterForm, FapiaoIssueForm, FapiaoRequestForm
from atrium.registration.models import FapiaoRequest, Registration

# --- the delegate ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_fapiao(request, slug: str):
    conference = get_object_or_404(Conference, slug=slug)
    registration = (
        Registration.objects.filter(conference=conference, person__user=request.user)
        .select_related("order", "conference", "person__organisation")
        .first()
    )
    if registration is None:
        raise Http404(_("You have no registration for this edition."))
    existing = FapiaoRequest.objects.filter(registration=registration).first()
    refusal = rules.fapiao_refusal(registration)
    issued = existing is not None and existing.status == FapiaoRequest.Status.ISSUED

    def page(form, status=200):
        context = {
            "registration": registration,
            "order": registration.order,
            "fapiao": existing,
            "refusal": refusal,
            "issued": issued,
            "form": form,
        }
        return render_in_conference_time(
            request,
            conference,
            "registration/fapiao_request.html",
            context,
            status=status,
            private=True,
        )

    if request.method == "POST" and not refusal and not issued:
        return form_action(
            request,
            form=FapiaoRequestForm(request.POST),
            call=lambda data: rules.fapiao_request_save(
                registration=registration, actor=request.user, **data
            ),
            done=_("Your fapiao request is saved; the organisers' finance office issues it."),
            next_url=reverse("registration:me"),
            on_error=lambda form: page(form, status=400),
        )
    if existing is not None:
        initial = {
            field: getattr(existing, field)
            for field in ("kind", "title", "taxpayer_number", *rules.SPECIAL_FIELDS)
        }
    else:
        organisation = registration.person.organisation
        initial = {"title": organisation.name_zh or organisation.name} if organisation else {}
    return page(FapiaoRequestForm(initial=initial), status=400 if request.method == "POST" else 200)


# --- the organisers ----------------------------------------------------------------------


def _render(request, conference, template, context, *, status=200):
    return render_in_conference_time(
        request,
        conference,
        template,
        {"nav": "organiser", "tab": "fapiao", **context},
        status=status,
        private=True,
    )


@require_GET
@organiser_required
def fapiao_list(request, conference: Conference):
    form = FapiaoFilterForm(request.GET or None)
    filters, notices = form.filters()
    requests = rules.fapiao_requests(conference=conference, **filters)
    paginator = Paginator(requests, settings.ATRIUM_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return _render(
        request,
        conference,
        "registration/organiser/fapiao_list.html",
        {
            "form": form,
            "notices": notices,
            "page": page,
            "filter_query": form.active_query(),
        },
    )


def _export_rows(requests):
    for fapiao in requests:
        registration = fapiao.registration
        order = getattr(registration, "order", None)
        yield [
            registration.reference,
            registration.person.name,
            registration.person.name_zh,
            fapiao.get_kind_display(),
            fapiao.title,
            fapiao.taxpayer_number,
            fapiao.address,
            fapiao.telephone,
            fapiao.bank,
            fapiao.account,
            order.total if order else None,
            order.currency if order else "",
            order.get_status_display() if order else "",
            fapiao.created,
            fapiao.get_status_display(),
            fapiao.number,
            fapiao.issued_on,
        ]


@require_GET
@organiser_required
def fapiao_export(request, conference: Conference):
    """The requests for the finance office, XLSX by default (``?format=csv`` too), filtered."""
    form = FapiaoFilterForm(request.GET or None)
    filters, _notices = form.filters()
    requests = rules.fapiao_requests(conference=conference, **filters)
    headers = [
        _("Order reference"),
        _("Name"),
        _("Name in Chinese"),
        _("Kind of fapiao"),
        _("Invoice title (抬头)"),
        _("Taxpayer number (统一社会信用代码)"),
        _("Registered address"),
        _("Telephone"),
        _("Bank"),
        _("Bank account"),
        _("Amount"),
        _("Currency"),
        _("Payment"),
        _("Requested"),
        _("Status"),
        _("Fapiao number"),
        _("Issued on"),
    ]
    with timezone.override(conference.tz):
        return tabular.tabular_export(
            request,
            filename_stem=f"{conference.slug}-fapiao",
            headers=headers,
            rows=_export_rows(requests),
            default_format="xlsx",
            sheet_title=_("Fapiao requests"),
        )


def _fapiao_or_404(conference: Conference, pk: int) -> FapiaoRequest:
    return get_object_or_404(
        FapiaoRequest.objects.select_related(
            "registration__person", "registration__order", "issued_by"
        ),
        conference=conference,
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
@personal_papers_required
def fapiao_detail(request, conference: Conference, pk: int):
    fapiao = _fapiao_or_404(conference, pk)

    def page(form, status=200):
        return _render(
            request,
            conference,
            "registration/organiser/fapiao.html",
            {"fapiao": fapiao, "order": fapiao.registration.order, "form": form},
            status=status,
        )

    if request.method == "POST":
        return form_action(
            request,
            form=FapiaoIssueForm(request.POST, request.FILES),
            call=lambda data: rules.fapiao_mark_issued(
                fapiao=fapiao,
                actor=request.user,
                number=data["number"],
                issued_on=data["issued_on"],
                pdf=data["pdf"] or None,
            ),
            done=_("The fapiao %(title)s is recorded as issued.") % {"title": fapiao.title},
            next_url=reverse("organiser:fapiao-list", kwargs={"slug": conference.slug}),
            on_error=lambda form: page(form, status=400),
        )
    initial = {"number": fapiao.number, "issued_on": fapiao.issued_on or timezone.localdate()}
    return page(FapiaoIssueForm(initial=initial))


@require_GET
@personal_papers_required
def fapiao_file(request, conference: Conference, pk: int):
    """The issued fapiao's PDF: organisers of the edition only, every download logged."""
    fapiao = _fapiao_or_404(conference, pk)
    if not fapiao.pdf:
        raise Http404(_("No PDF was attached to this fapiao."))
    try:
        handle = fapiao.pdf.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    log_action(
        actor=request.user,
        action="fapiao.downloaded",
        obj=fapiao.registration,
        conference=conference,
        data={"number": fapiao.number},
    )
    response = FileResponse(
        handle,
        content_type="application/pdf",
        filename=f"fapiao-{fapiao.number or fapiao.pk}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
