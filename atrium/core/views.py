"""Helpers every app's views share."""

from __future__ import annotations

import posixpath
import re

from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults

from atrium.core.forms import add_service_errors
from atrium.core.uploads import upload_limit


def render_in_conference_time(
    request, conference, template: str, context: dict, *, status: int = 200, private=False
):
    """Render with the conference's time zone active, so every time shows in local time.

    Every page of an edition goes through here (the organiser pages, the desk, B2B, visas,
    webhooks), so none forgets the zone. ``private``: never cached (personal or organiser
    data).
    """
    with timezone.override(conference.tz):
        response = TemplateResponse(
            request, template, {"conference": conference, **context}, status=status
        )
        response.render()
    if private:
        add_never_cache_headers(response)
    return response


def pdf_response(data: bytes, stem: str) -> HttpResponse:
    """A private PDF shown in the browser as ``<stem>.pdf`` (the name in safe characters)."""
    response = HttpResponse(data, content_type="application/pdf")
    filename = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem.removesuffix(".pdf")).strip("-") or "document"
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def form_action(request, *, form, call, done: str, next_url: str, on_error):
    """Run a service through a posted form: a message and a redirect, or ``on_error(form)``.

    ``call(cleaned_data)`` is one atomic service call, so on a ``ValidationError`` nothing was
    written; its messages land on the form's fields (or on top) for the page shown again.
    """
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return on_error(form)
    messages.success(request, done)
    return redirect(next_url)


def object_action(
    request, *, load, show, form, form_name: str, call, done: str, next_url: str, notice: str
):
    """One button of an organiser page that acts on one object (approve, refuse, mark paid…).

    ``load()`` fetches the object (404 if it is not there); ``call(obj, cleaned_data)`` is
    one atomic service call; on success a message and a redirect to ``next_url``; on a
    refusal the page again (``show(fresh_obj, extra=..., status=400)``) with the form and its
    errors in place and ``notice`` at the top. ``done`` may name the object's person as
    ``%(name)s`` (pass it formatted). The organiser pages of registrations and visa letters
    dispatch every button through here.
    """
    obj = load()

    def on_error(bound):
        return show(load(), extra={form_name: bound, "notices": [notice]}, status=400)

    return form_action(
        request,
        form=form,
        call=lambda data: call(obj, data),
        done=done,
        next_url=next_url,
        on_error=on_error,
    )


def serve_public_media(request, path: str):
    """Debug only: an upload from ``MEDIA_ROOT``, never one under ``private/``.

    Private files (visa-refusal letters, photos, stamps, badge PDFs) are streamed only by
    the views that check who asks. The path is normalised first, so ``./private/…`` or
    ``a/../private/…`` do not slip past.
    """
    from django.conf import settings
    from django.http import Http404
    from django.views.static import serve

    clean = posixpath.normpath(path.replace("\\", "/")).lstrip("/")
    if clean == "private" or clean.startswith(("private/", "../")) or clean == "..":
        raise Http404
    return serve(request, clean, document_root=settings.MEDIA_ROOT)


def favicon(request):
    """The site icon where browsers look for it on their own (also beside PDFs and static files)."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("atrium/favicon.svg"))


def safe_next_url(next_url: str, *, allowed_hosts: set[str] | None = None) -> str:
    """``next_url`` if it stays on this site (a path, or this host), else an empty string."""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts=allowed_hosts or set(), require_https=False
    ):
        return next_url
    return ""


def next_url(request, default: str = "") -> str:
    """The ``next`` of a request (POST, then GET) if it stays on this site, else ``default``.

    Every view that follows a ``next`` asks here: no open redirect to another site.
    """
    raw = request.POST.get("next") or request.GET.get("next") or ""
    return safe_next_url(raw, allowed_hosts={request.get_host()}) or default


def bad_request(request, exception=None):
    """``handler400`` for the whole site: a request too large is a 413 that says so.

    Other bad requests (a forged host name, a broken body) keep Django's plain page,
    which renders nothing that could trip over the same fault.
    """
    if not isinstance(exception, RequestDataTooBig):
        return defaults.bad_request(request, exception)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "code": "too_large",
                "message": _("The request body is too large."),
            },
            status=413,
        )
    return render(request, "413.html", {"upload_limit": filesizeformat(upload_limit())}, status=413)


DOWNLOAD_COOKIE = "atrium_download"
_DOWNLOAD_TOKEN = re.compile(r"^[A-Za-z0-9]{8,32}$")


def download_ready(request, response):
    """Tell the page that asked for a slow download that it has started.

    A link or form marked ``data-download`` (``static/atrium/forms.js``) sends a random
    ``download_token`` and shows "Preparing the file…" until the response sets this
    cookie to that token: the headers arrive when the file starts to come.
    """
    token = request.POST.get("download_token") or request.GET.get("download_token") or ""
    if _DOWNLOAD_TOKEN.match(token):
        response.set_cookie(DOWNLOAD_COOKIE, token, max_age=120, samesite="Lax")
    return response
