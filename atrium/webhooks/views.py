"""Organiser pages: an edition's webhook endpoints and their delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from atrium.core.views import render_in_conference_time
from atrium.events.permissions import organiser_required
from atrium.webhooks import selectors, services
from atrium.webhooks.forms import EndpointForm
from atrium.webhooks.models import Delivery, Endpoint


def _render(request, conference, template: str, context: dict, status: int = 200):
    """A webhooks page, never cached (organiser data)."""
    extra = {
        "nav": "webhooks",
        "webhook_timeout": int(services.request_timeout()),
        "webhook_max_attempts": services.max_attempts(),
    }
    return render_in_conference_time(
        request, conference, template, {**extra, **context}, status=status, private=True
    )


def _endpoint(conference, endpoint_id: int) -> Endpoint:
    return get_object_or_404(Endpoint, pk=endpoint_id, conference=conference)


def _secret_page(request, conference, endpoint: Endpoint, *, secret: str, created: bool):
    """The one page that ever shows a secret: the answer to the POST that made it."""
    return _render(
        request,
        conference,
        "webhooks/secret.html",
        {"endpoint": endpoint, "secret": secret, "created": created},
    )


@require_http_methods(["GET", "POST"])
@organiser_required
def endpoint_list(request, conference):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_create(
                conference=conference, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            return _secret_page(request, conference, endpoint, secret=endpoint.secret, created=True)
    return _render(
        request,
        conference,
        "webhooks/list.html",
        {"endpoints": selectors.endpoint_list(conference), "form": form},
        status=400 if form.errors else 200,
    )


def _detail(request, conference, endpoint: Endpoint, *, form=None, status: int = 200):
    if form is None:
        form = EndpointForm(
            initial={
                "url": endpoint.url,
                "description": endpoint.description,
                "events": endpoint.events,
            }
        )
    return _render(
        request,
        conference,
        "webhooks/endpoint.html",
        {
            "endpoint": endpoint,
            "form": form,
            "deliveries": selectors.recent_deliveries(endpoint),
            "Status": Delivery.Status,
        },
        status=status,
    )


@require_http_methods(["GET"])
@organiser_required
def endpoint_detail(request, conference, endpoint_id: int):
    return _detail(request, conference, _endpoint(conference, endpoint_id))


@require_POST
@organiser_required
def endpoint_edit(request, conference, endpoint_id: int):
    endpoint = _endpoint(conference, endpoint_id)
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            services.endpoint_update(endpoint=endpoint, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            endpoint.refresh_from_db()
            form.add_service_error(exc)
        else:
            messages.success(request, _("The endpoint was saved."))
            return redirect(endpoint)
    return _detail(request, conference, endpoint, form=form, status=400)


@require_POST
@organiser_required
def endpoint_rotate(request, conference, endpoint_id: int):
    endpoint = _endpoint(conference, endpoint_id)
    secret = services.endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
    return _secret_page(request, conference, endpoint, secret=secret, created=False)


@require_POST
@organiser_required
def endpoint_set_active(request, conference, endpoint_id: int):
    endpoint = _endpoint(conference, endpoint_id)
    is_active = request.POST.get("active") == "1"
    services.endpoint_set_active(endpoint=endpoint, actor=request.user, is_active=is_active)
    if is_active:
        messages.success(request, _("The endpoint is enabled: it receives its events again."))
    else:
        messages.success(request, _("The endpoint is disabled: nothing is sent to it."))
    return redirect(endpoint)


@require_http_methods(["GET", "POST"])
@organiser_required
def endpoint_delete(request, conference, endpoint_id: int):
    endpoint = _endpoint(conference, endpoint_id)
    if request.method == "POST":
        services.endpoint_delete(endpoint=endpoint, actor=request.user)
        messages.success(request, _("The endpoint and its delivery log were deleted."))
        return redirect("webhooks:list", slug=conference.slug)
    return _render(request, conference, "webhooks/delete.html", {"endpoint": endpoint})


@require_POST
@organiser_required
def endpoint_ping(request, conference, endpoint_id: int):
    endpoint = _endpoint(conference, endpoint_id)
    services.endpoint_send_ping(endpoint=endpoint, actor=request.user)
    messages.success(
        request,
        _("A test event was queued; its result appears under “Recent deliveries”."),
    )
    return redirect(endpoint)


@require_POST
@organiser_required
def delivery_retry(request, conference, endpoint_id: int, delivery_id: int):
    endpoint = _endpoint(conference, endpoint_id)
    delivery = get_object_or_404(Delivery, pk=delivery_id, endpoint=endpoint)
    try:
        services.delivery_retry(delivery=delivery, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The delivery was queued again."))
    return redirect(endpoint)
