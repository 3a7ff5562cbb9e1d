"""The run sheet of an official tour: a PDF in both languages (the CJK font of
``atrium.core.pdf``), with the party in protocol order, and for each stop the time, the booth,
the exhibitor and the host to call."""

from __future__ import annotations

from django.utils import translation

from atrium.core.pdf import new_document
from atrium.exhibition import tours as exhibition_tours
from atrium.exhibition.models import Tour
from atrium.network.models import Person


def _both(english: str, chinese: str) -> str:
    return f"{english} / {chinese}" if chinese and chinese != english else english


def _label(message: str) -> str:
    """A heading in English and Simplified Chinese, whatever the page's language."""
    from django.utils.translation import gettext

    with translation.override("en"):
        english = gettext(message)
    with translation.override("zh-hans"):
        chinese = gettext(message)
    return _both(english, chinese)


def run_sheet_pdf(tour: Tour) -> bytes:
    conference = tour.conference
    tz = conference.tz
    pdf = new_document(format="A4", orientation="L", title=tour.name)
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.multi_cell(0, 9, _both(tour.name, tour.name_zh), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.multi_cell(
        0,
        6,
        f"{_both(conference.name, conference.name_zh)} · "
        f"{tour.starts_at.astimezone(tz):%Y-%m-%d %H:%M} ({conference.time_zone})",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 7, _label("Party, in protocol order"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    for number, member in enumerate(tour.party, start=1):
        line = f"{number}. {_both(member['name'], member.get('name_zh', ''))}"
        if member.get("title"):
            line += f" — {member['title']}"
        pdf.multi_cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = [28, 22, 18, 100, 109]
    headers = [
        _label("Time"),
        _label("Booth"),
        _label("Minutes"),
        _label("Exhibitor"),
        _label("Host contact"),
    ]
    pdf.set_font("cjk", size=9)
    pdf.set_fill_color(230, 236, 245)
    for width, header in zip(widths, headers, strict=True):
        pdf.cell(width, 8, header, border=1, fill=True)
    pdf.ln()
    for item in exhibition_tours.tour_schedule(tour):
        exhibitor = exhibition_tours.booth_exhibitor(item.stop.booth)
        host = ""
        name = ""
        if exhibitor is not None:
            name = _both(exhibitor.display_name, exhibitor.display_name_zh)
            person = Person.objects.filter(user=exhibitor.contact).first()
            parts = [
                _both(person.name, person.name_zh) if person else exhibitor.contact.get_full_name(),
                person.phone if person else "",
                exhibitor.contact.email,
            ]
            host = " · ".join(p for p in parts if p)
        cells = [
            f"{item.arrives.astimezone(tz):%H:%M}–{item.leaves.astimezone(tz):%H:%M}",
            item.stop.booth.code,
            str(item.stop.minutes),
            name,
            host,
        ]
        for width, text in zip(widths, cells, strict=True):
            pdf.cell(width, 8, text[:80], border=1)
        pdf.ln()
    clashes = exhibition_tours.tour_clashes(tour)
    if clashes:
        pdf.ln(3)
        pdf.set_font("cjk", size=11)
        pdf.cell(0, 7, _label("Clashes"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=9)
        for clash in clashes:
            pdf.multi_cell(0, 5, f"• {clash}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
