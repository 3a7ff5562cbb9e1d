"""Printable B2B sheets (PDF, CJK font from ``core.pdf``): a delegate's meetings for a day
(or for the whole edition), and one page per table with every slot and who sits there.

Both are drawn from the published schedule as it is at the moment of the request, so a
sheet printed after a move, an absence or an incremental run shows the change. Texts are
in the active language; people's and organisations' names are shown in both scripts
when they have a Chinese name, so a sheet serves both sides of the table.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from atrium.core.pdf import FAMILY, new_document
from atrium.events.models import Conference
from atrium.matchmaking import selectors
from atrium.registration.models import Registration

GREY = (90, 90, 90)
LINE = (200, 200, 200)


def _both(name: str, name_zh: str) -> str:
    return f"{name} · {name_zh}" if name_zh and name_zh != name else name


def _person_line(person) -> str:
    line = _both(person.name, person.name_zh)
    organisation = person.organisation
    if organisation is not None:
        line += f" — {_both(organisation.name, organisation.name_zh)}"
    return line


def _heading(pdf, title: str, subtitle: str) -> None:
    pdf.set_font(FAMILY, size=16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(0, 5, subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)


def _rule(pdf) -> None:
    pdf.set_draw_color(*LINE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)


def delegate_sheet(*, registration: Registration, day: date | None = None) -> bytes:
    """The published meetings of ``registration`` (on ``day`` only, if given), by time."""
    conference = registration.conference
    person = registration.person
    tz = conference.tz
    entries = selectors.meetings_for_person(conference=conference, person=person)
    if day is not None:
        entries = [e for e in entries if e.start.astimezone(tz).date() == day]
    pdf = new_document(title=_("B2B meetings"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    with timezone.override(tz):
        subtitle = conference.name_i18n
        if day is not None:
            subtitle += " · " + date_format(day, "l j F Y")
        _heading(pdf, _("B2B meetings") + " — " + _both(person.name, person.name_zh), subtitle)
        if not entries:
            pdf.multi_cell(0, 6, _("No meeting with a time and a table."))
        current_day = None
        for entry in entries:
            start = timezone.localtime(entry.start)
            end = timezone.localtime(entry.end)
            if day is None and start.date() != current_day:
                current_day = start.date()
                pdf.set_font(FAMILY, size=12)
                pdf.cell(0, 7, date_format(current_day, "l j F Y"), new_x="LMARGIN", new_y="NEXT")
            _rule(pdf)
            pdf.set_font(FAMILY, size=12)
            pdf.cell(32, 6, f"{date_format(start, 'H:i')}–{date_format(end, 'H:i')}", new_x="RIGHT")
            pdf.cell(0, 6, entry.table, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FAMILY, size=10)
            if entry.place:
                pdf.set_x(pdf.l_margin + 32)
                pdf.set_text_color(*GREY)
                pdf.multi_cell(0, 5, entry.place, new_x="LMARGIN", new_y="NEXT")
                pdf.set_text_color(0, 0, 0)
            for other in entry.others:
                pdf.set_x(pdf.l_margin + 32)
                pdf.multi_cell(0, 5, _person_line(other), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    return bytes(pdf.output())


def table_sheets_pdf(conference: Conference) -> bytes:
    """One page per table: every slot of its block with who sits there (published)."""
    sheets = selectors.table_sheets(conference)
    pdf = new_document(title=_("Table sheets"))
    pdf.set_auto_page_break(auto=True, margin=15)
    with timezone.override(conference.tz):
        for sheet in sheets:
            pdf.add_page()
            _heading(
                pdf,
                sheet.name,
                f"{conference.name_i18n} · {sheet.block.session.title_i18n}",
            )
            for start, end, people in sheet.rows:
                _rule(pdf)
                start, end = timezone.localtime(start), timezone.localtime(end)
                pdf.set_font(FAMILY, size=11)
                pdf.cell(32, 6, f"{date_format(start, 'H:i')}–{date_format(end, 'H:i')}")
                pdf.set_font(FAMILY, size=10)
                if not people:
                    pdf.set_text_color(*GREY)
                    pdf.cell(
                        0, 6, pgettext("table not taken", "free"), new_x="LMARGIN", new_y="NEXT"
                    )
                    pdf.set_text_color(0, 0, 0)
                    continue
                for i, person in enumerate(people):
                    pdf.set_x(pdf.l_margin + 32)
                    pdf.multi_cell(
                        0, 6 if i == 0 else 5, _person_line(person), new_x="LMARGIN", new_y="NEXT"
                    )
        if not sheets:
            pdf.add_page()
            pdf.multi_cell(0, 6, _("No B2B block is set up."))
    return bytes(pdf.output())
