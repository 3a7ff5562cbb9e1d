"""Open-data exports of the programme: iCalendar feeds and the frab schedule.

Anyone may read them, as anyone may read the programme pages: only published
editions, only public sessions (the same selectors as the pages). Apps poll them,
so every response carries an ``ETag`` and ``Last-Modified`` computed from one
aggregate query (the latest ``updated`` and the number of public sessions); a
conditional request for an unchanged programme gets ``304 Not Modified`` without
the programme being read. ``?lang=en`` or ``?lang=zh-hans`` picks the language
for calendar apps, which send no ``Accept-Language``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_safe

from atrium.events import calendar, frab, selectors
from atrium.events import revision as programme
from atrium.events.models import Conference, Session
from atrium.events.views import conference_or_404


def export(view):
    """GET/HEAD only, language from ``?lang=``, revalidated caching, open to any origin."""

    @require_safe
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        code = request.GET.get("lang")
        if code is None:
            response = view(request, *args, **kwargs)
        else:
            try:
                language = translation.get_supported_language_variant(code.strip().lower())
            except LookupError:
                message = _("lang: “%(value)s” is not a language of this site; use en or zh-hans.")
                return HttpResponseBadRequest(
                    message % {"value": code[:20]}, content_type="text/plain; charset=utf-8"
                )
            with translation.override(language):
                response = view(request, *args, **kwargs)
            response["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        # Clients may keep a copy but must ask again (cheaply, with the ETag) before using it.
        patch_cache_control(response, no_cache=True)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


@dataclass(frozen=True)
class Revision:
    """What a conditional request is checked against, computed once per request."""

    conference: Conference
    last_modified: datetime | None
    etag: str
    session: Session | None = None


def _etag(request: HttpRequest, conference: Conference, *parts: object) -> str:
    """A fingerprint of everything the export depends on, short of reading it all."""
    edition = (
        conference.pk,
        conference.slug,
        conference.number,
        conference.name,
        conference.name_zh,
        conference.description,
        conference.description_zh,
        conference.time_zone,
        conference.start_date,
        conference.end_date,
        conference.primary_colour,
    )
    raw = repr((request.build_absolute_uri("/"), translation.get_language(), edition, parts))
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def programme_revision(request: HttpRequest, slug: str) -> Revision:
    """The programme's revision (``atrium.events.revision``): one query, with the edition."""
    revision = getattr(request, "_atrium_export_revision", None)
    if revision is None:
        conference = conference_or_404(slug, with_revision=True)
        revision = Revision(
            conference=conference,
            last_modified=programme.last_modified(conference),
            etag=_etag(request, conference, programme.parts(conference)),
        )
        request._atrium_export_revision = revision
    return revision


def _cached(request: HttpRequest, name: str, build):
    """An export rendered once per revision, language and site address (links are absolute)."""
    revision = programme_revision(request, request.resolver_match.kwargs["slug"])
    return programme.cached(
        f"export:{name}", revision.conference, build, request.build_absolute_uri("/")
    )


def session_revision(request: HttpRequest, slug: str, session_id: int) -> Revision:
    revision = getattr(request, "_atrium_export_revision", None)
    if revision is None:
        conference = conference_or_404(slug)
        try:
            session = selectors.session_detail(conference, session_id)
        except Session.DoesNotExist:
            raise Http404(_("There is no such session in this conference.")) from None
        revision = Revision(
            conference=conference,
            last_modified=session.updated,
            etag=_etag(request, conference, session.pk, session.updated, session.sequence),
            session=session,
        )
        request._atrium_export_revision = revision
    return revision


programme_condition = condition(
    etag_func=lambda request, slug: programme_revision(request, slug).etag,
    last_modified_func=lambda request, slug: programme_revision(request, slug).last_modified,
)
session_condition = condition(
    etag_func=lambda request, slug, session_id: session_revision(request, slug, session_id).etag,
    last_modified_func=lambda request, slug, session_id: (
        session_revision(request, slug, session_id).last_modified
    ),
)


def programme_sessions(conference: Conference):
    """The public programme with everything the exports show, in a fixed number of queries."""
    return selectors.programme_sessions(conference).select_related("room__venue")


@export
@programme_condition
def programme_ics(request: HttpRequest, slug: str) -> HttpResponse:
    conference = programme_revision(request, slug).conference
    document = _cached(
        request,
        "ics",
        lambda: calendar.programme_calendar(
            conference=conference, sessions=programme_sessions(conference), request=request
        ).to_ical(),
    )
    return calendar.ics_response(calendar=document, filename=f"{conference.slug}-programme.ics")


@export
@session_condition
def session_ics(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    revision = session_revision(request, slug, session_id)
    document = calendar.session_calendar(
        conference=revision.conference, session=revision.session, request=request
    )
    return calendar.ics_response(
        calendar=document, filename=f"{revision.conference.slug}-session-{session_id}.ics"
    )


def _schedule(request: HttpRequest, slug: str) -> dict:
    conference = programme_revision(request, slug).conference
    return frab.schedule_data(
        conference=conference, sessions=programme_sessions(conference), request=request
    )


@export
@programme_condition
def schedule_xml(request: HttpRequest, slug: str) -> HttpResponse:
    document = _cached(request, "frab-xml", lambda: frab.schedule_xml(_schedule(request, slug)))
    return HttpResponse(document, content_type="application/xml; charset=utf-8")


@export
@programme_condition
def schedule_json(request: HttpRequest, slug: str) -> HttpResponse:
    document = _cached(request, "frab-json", lambda: frab.schedule_json(_schedule(request, slug)))
    return HttpResponse(document, content_type="application/json")
