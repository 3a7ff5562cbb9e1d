"""Public pages of a conference edition: home, programme, sessions, speakers."""

from __future__ import annotations

import re
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from atrium.core.views import next_url, render_in_conference_time
from atrium.events import revision, selectors, services
from atrium.events.forms import ProgrammeFilterForm
from atrium.events.models import Conference, Session
from atrium.events.timetable import build_grid
from atrium.network.models import Person

OFF_SITE = "off-site"
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def conference_or_404(slug: str, *, with_revision: bool = False) -> Conference:
    try:
        return selectors.get_conference(slug, with_revision=with_revision)
    except Conference.DoesNotExist:
        raise Http404(_("There is no conference “%(slug)s”.") % {"slug": slug}) from None


@require_GET
def home(request):
    conference = selectors.current_conference()
    if conference is None:
        return render(request, "events/empty.html")
    return conference_home(request, conference.slug, is_site_home=True)


@require_GET
def conference_home(request, slug: str, is_site_home: bool = False):
    conference = conference_or_404(slug)
    context = {
        "stats": selectors.conference_stats(conference),
        "highlights": selectors.programme_sessions(conference).filter(
            kind__in=[Session.Kind.OPENING_CEREMONY, Session.Kind.PLENARY, Session.Kind.KEYNOTE]
        )[:6],
        "other_conferences": selectors.conference_list().exclude(pk=conference.pk),
        "is_site_home": is_site_home,
        "has_ended": conference.has_ended(),
        "next_edition": selectors.next_edition(conference),
        "nav": "conference",
    }
    return render_in_conference_time(request, conference, "events/conference.html", context)


@require_GET
def programme(request, slug: str):
    conference = conference_or_404(slug, with_revision=True)
    tracks = list(conference.tracks.all())
    rooms = list(conference.rooms.all())
    form = ProgrammeFilterForm(
        request.GET or None, conference=conference, tracks=tracks, rooms=rooms
    )
    filters, notices = form.filters()
    day = filters.get("day") or default_day(conference)
    has_filters = any(k in filters for k in ("kind", "track", "room"))
    context = {
        "form": form,
        "notices": notices,
        "day": day,
        "days": conference.days,
        "filter_query": form.active_query(exclude=("day",)),
        "has_filters": has_filters,
        "nav": "programme",
    }

    def timetable() -> str:
        sessions = list(
            selectors.programme_sessions(
                conference,
                day=day,
                kind=filters.get("kind"),
                track=filters.get("track"),
                room=filters.get("room"),
            )
        )
        shown = [room for room in rooms if not filters.get("room") or room.pk == filters["room"]]
        used_rooms = {s.room_id for s in sessions}
        columns = [(room.pk, room) for room in shown if room.pk in used_rooms]
        if any(s.room_id is None for s in sessions):
            columns.append((OFF_SITE, None))
        grid = build_grid(sessions, columns, column_of=lambda s: s.room_id or OFF_SITE)
        context["sessions"] = sessions  # for tests, when not from the cache
        return _render_shared(
            conference,
            "events/_timetable.html",
            {"sessions": sessions, "grid": grid, "day": day, "has_filters": has_filters},
        )

    fragment = revision.cached(
        "day",
        conference,
        timetable,
        day,
        filters.get("kind"),
        filters.get("track"),
        filters.get("room"),
    )
    context["timetable"] = _with_stars(request, conference, fragment)
    template = "events/_programme_body.html" if request.htmx else "events/programme.html"
    return render_in_conference_time(request, conference, template, context)


@require_GET
def programme_all(request, slug: str):
    """Every day of the programme on one page, in order of time: no script, one request."""
    conference = conference_or_404(slug, with_revision=True)

    def days() -> str:
        by_day: dict = {day: [] for day in conference.days}
        for session in selectors.programme_sessions(conference):
            by_day.setdefault(conference.local_date(session.start), []).append(session)
        return _render_shared(
            conference,
            "events/_programme_days.html",
            {"days": list(by_day.items())},
        )

    fragment = revision.cached("all", conference, days)
    context = {"programme": _with_stars(request, conference, fragment), "nav": "programme"}
    return render_in_conference_time(request, conference, "events/programme_all.html", context)


def _render_shared(conference: Conference, template: str, context: dict) -> str:
    """A fragment the same for every visitor: rendered without the request (no user, no
    CSRF token, no path), in the edition's time zone and the active language."""
    with timezone.override(conference.tz):
        return render_to_string(template, {"conference": conference, **context})


STAR_MARKER = re.compile(r"<!--star:(\d+):(.*?)-->", re.S)
_STAND_IN_PK = 987654321987654321
_STAND_IN_TITLE = "\ue000"


def _with_stars(request, conference: Conference, fragment: str) -> str:
    """The shared fragment with the visitor's stars where its markers are.

    The markers carry the session's id and escaped title; a visitor who cannot star gets
    nothing there. For the others, ``_star.html`` is rendered twice (starred, not
    starred) for a stand-in session, and copied for each session: the same markup as one
    rendering per session, at the cost of two.
    """
    starred_ids = _starred_ids(request, conference)
    if starred_ids is None:
        return mark_safe(STAR_MARKER.sub("", fragment))  # noqa: S308 (rendered, escaped)
    stand_in = SimpleNamespace(pk=_STAND_IN_PK, title_i18n=_STAND_IN_TITLE)
    forms = {
        state: render_to_string(
            "events/_star.html",
            {
                "session": stand_in,
                "conference": conference,
                "starred_ids": {_STAND_IN_PK} if state else set(),
                "can_star": True,
            },
            request=request,
        )
        for state in (True, False)
    }
    stand_in_url = f"/sessions/{_STAND_IN_PK}/star/"

    def star(match: re.Match) -> str:
        pk = int(match[1])
        form = forms[pk in starred_ids].replace(stand_in_url, f"/sessions/{pk}/star/")
        return form.replace(_STAND_IN_TITLE, match[2])  # already escaped in the fragment

    return mark_safe(STAR_MARKER.sub(star, fragment))  # noqa: S308 (rendered, escaped)


def default_day(conference: Conference):
    """Today when the conference is on, else its first day."""
    today = timezone.now().astimezone(conference.tz).date()
    return today if today in conference.days else conference.start_date


@require_GET
def session_detail(request, slug: str, session_id: int):
    conference = conference_or_404(slug)
    try:
        session = selectors.session_detail(conference, session_id)
    except Session.DoesNotExist:
        raise Http404(_("There is no such session in this conference.")) from None
    context = {
        "session": session,
        "starred_ids": _starred_ids(request, conference),
        "can_star": request.user.is_authenticated,
        "nav": "programme",
    }
    return render_in_conference_time(request, conference, "events/session.html", context)


def _person(request) -> Person | None:
    if not request.user.is_authenticated:
        return None
    return Person.objects.filter(user=request.user).first()


def _starred_ids(request, conference: Conference) -> set[int] | None:
    """The sessions the visitor has starred; None for a visitor who cannot star (no login)."""
    if not request.user.is_authenticated:
        return None
    return selectors.starred_session_ids(_person(request), conference)


@require_POST
@login_required
def session_star(request, slug: str, session_id: int):
    """Star or unstar a session for the visitor's own agenda (htmx: the button again)."""
    conference = conference_or_404(slug)
    session = get_object_or_404(selectors.public_sessions(conference), pk=session_id)
    person = _person(request)
    back = next_url(request, session.get_absolute_url())
    if person is None:
        messages.error(request, _("Register for the conference to keep a personal agenda."))
        return redirect(back)
    starred = services.agenda_star_set(
        person=person, session=session, starred=request.POST.get("starred") == "1"
    )
    if request.htmx:
        return render(
            request,
            "events/_star.html",
            {
                "session": session,
                "conference": conference,
                "starred_ids": {session.pk} if starred else set(),
                "can_star": True,
                "next_path": back,
            },
        )
    return redirect(back)


@require_GET
def speaker_list(request, slug: str):
    conference = conference_or_404(slug)
    people = list(selectors.speakers(conference))
    return render_in_conference_time(
        request, conference, "events/speakers.html", {"speakers": people, "nav": "speakers"}
    )


@require_GET
def speaker_detail(request, slug: str, person_slug: str):
    conference = conference_or_404(slug)
    person = get_object_or_404(
        selectors.speakers(conference).select_related("organisation"), slug=person_slug
    )
    sessions = list(selectors.speaker_sessions(conference, person))
    return render_in_conference_time(
        request,
        conference,
        "events/speaker.html",
        {"person": person, "sessions": sessions, "nav": "speakers"},
    )


@require_GET
def theme_css(request, slug: str):
    """The edition's brand colours as CSS custom properties (no inline styles needed)."""
    conference = conference_or_404(slug)
    colours = {}
    for name, field in (("brand", "primary_colour"), ("accent", "accent_colour")):
        value = getattr(conference, field)
        # Only a validated #rrggbb ever reaches the style sheet.
        colours[name] = (
            value if COLOUR.fullmatch(value) else Conference._meta.get_field(field).default
        )
    css = f":root{{--brand:{colours['brand']};--accent:{colours['accent']};}}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
