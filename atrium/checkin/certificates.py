"""Certificates of attendance.

A certificate exists for a registration that was checked in at least once (entrance or
session), once the edition's last day has ended in its own time zone. The PDF is on the
edition's letterhead. The rule lives here (``certificate_refusal``); the views only ask.
Each download is in the registration's audit log.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from atrium.checkin.models import CheckIn
from atrium.core.audit import log_action
from atrium.core.i18n import long_date
from atrium.registration.letterhead import LetterheadPage, both_scripts, letterhead_for
from atrium.registration.models import Registration


def has_checkin(registration: Registration) -> bool:
    """Checked in at least once (a ``has_checkin`` annotation saves the query)."""
    annotated = getattr(registration, "has_checkin", None)
    if annotated is not None:
        return bool(annotated)
    return registration.checkins.exists()


def certificate_refusal(registration: Registration, *, at: dt.datetime | None = None) -> str | None:
    """Why ``registration`` has no certificate of attendance (yet), or None if it has one."""
    conference = registration.conference
    if (at or timezone.now()) < conference.ends_at:
        return _(
            "The certificate of attendance is available once the conference has ended, "
            "from %(date)s."
        ) % {"date": long_date(conference.end_date + dt.timedelta(days=1))}
    if not has_checkin(registration):
        return _(
            "There is no record of your attendance: the certificate is for delegates "
            "who were checked in at the conference."
        )
    return None


def attended_sessions(registration: Registration) -> list:
    """The sessions (visits, forums…) the registration was checked in at, in time order."""
    session_ids = (
        CheckIn.objects.filter(registration=registration, session__isnull=False)
        .values_list("session_id", flat=True)
        .distinct()
    )
    return list(registration.conference.sessions.filter(pk__in=session_ids).order_by("start", "pk"))


def render_certificate(registration: Registration) -> bytes:
    """The certificate of attendance of ``registration`` in the active language."""
    conference = registration.conference
    person = registration.person
    organisation = person.organisation
    letterhead = letterhead_for(conference)
    writer = LetterheadPage(letterhead, orientation="L", title=_("Certificate of attendance"))
    pdf = writer.pdf
    pdf.set_draw_color(11, 79, 138)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    pdf.set_line_width(0.4)
    pdf.rect(11, 11, pdf.w - 22, pdf.h - 22)

    writer.header(conference, align="C")
    pdf.ln(4)
    writer.text(_("Certificate of attendance"), size=26, align="C", gap=3)
    writer.text(_("This is to certify that"), size=11, colour=writer.SOFT, align="C", gap=2)
    writer.text(person.name, size=24, align="C")
    writer.text(person.name_zh, size=22, align="C")
    if organisation is not None:
        pdf.ln(1)
        writer.text(both_scripts(organisation.name, organisation.name_zh), size=11, align="C")
    pdf.ln(3)
    country = conference.country.name if conference.country else ""
    # Chinese writes the country first and without a comma (中国北京).
    if not country:
        place = conference.city_i18n
    elif translation.get_language().startswith("zh"):
        place = f"{country}{conference.city_i18n}"
    else:
        place = f"{conference.city_i18n}, {country}"
    writer.text(
        _("attended the %(conference)s, held in %(place)s from %(start)s to %(end)s.")
        % {
            "conference": conference.name_i18n,
            "place": place,
            "start": long_date(conference.start_date),
            "end": long_date(conference.end_date),
        },
        size=12,
        align="C",
        gap=2,
    )
    sessions = attended_sessions(registration)
    if sessions:
        shown = sessions[:8]
        colon = "：" if translation.get_language().startswith("zh") else ": "
        lines = [f"{long_date(conference.local_date(s.start))}{colon}{s.title_i18n}" for s in shown]
        if len(sessions) > len(shown):
            lines.append(_("and %(count)s more") % {"count": len(sessions) - len(shown)})
        writer.text(_("Sessions and visits attended:"), size=9.5, colour=writer.SOFT, align="C")
        writer.text("\n".join(lines), size=9, colour=writer.SOFT, align="C")
    reference = registration.reference
    if reference:
        writer.text(
            _("Registration %(reference)s") % {"reference": reference},
            size=8,
            colour=writer.SOFT,
            align="C",
        )
    today = conference.local_date(timezone.now())
    writer.signature(on=max(conference.end_date, today), centre=True)
    return writer.output()


@transaction.atomic
def certificate_pdf(
    *,
    registration: Registration,
    actor=None,
    language: str | None = None,
    at: dt.datetime | None = None,
) -> bytes:
    """The certificate PDF; ``ValidationError`` with the reason if not (yet) due. Logs it."""
    registration = Registration.objects.select_related(
        "conference", "person__organisation", "order"
    ).get(pk=registration.pk)
    refusal = certificate_refusal(registration, at=at)
    if refusal:
        raise ValidationError(refusal)
    with translation.override(language or registration.language):
        data = render_certificate(registration)
    log_action(
        actor=actor,
        action="certificate.downloaded",
        obj=registration,
        conference=registration.conference,
    )
    return data
