"""The public programme of an edition as a spreadsheet (CSV/XLSX)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from atrium.core.tabular import tabular_export
from atrium.events import selectors
from atrium.events.models import Session, SessionRole
from atrium.events.views import conference_or_404

Role = SessionRole.Role


def _people(session: Session) -> tuple[list[str], list[str], list[str]]:
    """Speakers (by role or of a talk), chairs, and everyone else with their role."""
    speakers: list[str] = []
    chairs: list[str] = []
    others: list[str] = []
    for role in session.role_list:
        name = str(role.person)
        if role.role == Role.SPEAKER:
            speakers.append(name)
        elif role.role == Role.CHAIR:
            chairs.append(name)
        else:
            others.append(f"{name} ({role.get_role_display()})")
    for talk in session.talk_list:
        speakers.extend(str(person) for person in talk.speaker_list)
    return list(dict.fromkeys(speakers)), chairs, others


@require_GET
def sessions_export(request, slug: str):
    """Every public session of a published edition, in the edition's local time."""
    conference = conference_or_404(slug)
    zone = conference.tz
    base_url = request.build_absolute_uri("/")[:-1]
    sessions = selectors.programme_sessions(conference)

    def rows():
        for session in sessions.iterator(chunk_size=200):
            start = session.start.astimezone(zone).replace(tzinfo=None)
            end = session.end.astimezone(zone).replace(tzinfo=None)
            speakers, chairs, others = _people(session)
            place = session.room.name if session.room else session.place
            place_zh = session.room.name_zh if session.room else session.place_zh
            yield [
                start.date(),
                start.time(),
                end.time() if end.date() == start.date() else end,
                session.title,
                session.title_zh,
                session.get_kind_display(),
                session.track.name_i18n if session.track else "",
                " / ".join(p for p in (place, place_zh) if p),
                speakers,
                chairs,
                others,
                [talk.title for talk in session.talk_list],
                base_url + session.get_absolute_url(),
            ]

    headers = [
        _("Date"),
        _("Start (%(zone)s)") % {"zone": conference.time_zone},
        _("End (%(zone)s)") % {"zone": conference.time_zone},
        _("Title"),
        _("Title in Chinese"),
        _("Kind"),
        _("Track"),
        _("Room or place"),
        _("Speakers"),
        _("Chairs"),
        _("Other roles"),
        _("Talks"),
        _("Link"),
    ]
    return tabular_export(
        request,
        filename_stem=f"{conference.slug}-programme",
        headers=headers,
        rows=rows(),
        sheet_title=_("Programme"),
    )
