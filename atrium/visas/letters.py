"""The visa invitation letter PDF: an A4 page on the edition's letterhead, in English (the
language consulates read), with the delegate's passport details and travel dates."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import formats, timezone, translation
from django_countries import countries

from atrium.core.i18n import long_date
from atrium.core.pdf import FAMILY, new_document
from atrium.registration.models import Letterhead
from atrium.visas.models import PassportDetails, VisaLetterRequest

Status = VisaLetterRequest.Status

#: The passport must stay valid this many months after the intended exit.


def format_date_en(day: dt.date) -> str:
    """``16 September 2025``, in English whatever the page's language (the letter is English)."""
    with translation.override("en"):
        return long_date(day)


def _date_range_en(first: dt.date, last: dt.date) -> str:
    if first == last:
        return format_date_en(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day} to {format_date_en(last)}"
    if first.year == last.year:
        with translation.override("en"):
            return f"{formats.date_format(first, 'j F')} to {format_date_en(last)}"
    return f"{format_date_en(first)} to {format_date_en(last)}"


def _country_en(code) -> str:
    with translation.override("en"):
        return str(dict(countries).get(str(code), str(code)))


#: How a letter to a consulate names the host country, where it differs from the short name.
OFFICIAL_COUNTRY_NAMES = {"CN": "the People's Republic of China"}


def _official_name(code) -> str:
    return OFFICIAL_COUNTRY_NAMES.get(str(code), _country_en(code))


def render_visa_letter(
    *, visa_request: VisaLetterRequest, passport: PassportDetails, letterhead: Letterhead
) -> bytes:
    """The letter (A4, English; the issuer's name also in Chinese). Pure: no log, no checks."""
    conference = visa_request.conference
    person = visa_request.registration.person
    issued = timezone.localtime(visa_request.decided_at or timezone.now(), conference.tz).date()
    country = _country_en(conference.country)
    pdf = new_document(format="A4", title=f"Visa invitation letter {visa_request.letter_number}")
    pdf.set_margins(22, 18, 22)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def para(text: str, size: float = 10.5, height: float = 5.4, gap: float = 2.5, align="L"):
        if not text:
            return
        pdf.set_font(FAMILY, size=size)
        pdf.multi_cell(width, height, text, align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    # Letterhead: the issuer in Chinese and English, address, contacts, a rule.
    pdf.set_text_color(20, 40, 80)
    para(letterhead.issuer_name_zh, size=17, height=8, gap=0.5)
    para(letterhead.issuer_name, size=12.5, height=6, gap=1)
    pdf.set_text_color(60, 60, 60)
    para(letterhead.address, size=8.5, height=4, gap=0)
    para(letterhead.address_zh, size=8.5, height=4, gap=0)
    para(letterhead.contacts, size=8.5, height=4, gap=0)
    pdf.set_draw_color(20, 40, 80)
    pdf.set_line_width(0.5)
    y = pdf.get_y() + 2
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.set_y(y + 5)
    pdf.set_text_color(0, 0, 0)

    para(f"Letter No.: {visa_request.letter_number}", size=10, height=5, gap=0, align="R")
    para(f"Date: {format_date_en(issued)}", size=10, height=5, gap=4, align="R")
    para(
        f"To: The Embassy or Consulate General of {_official_name(conference.country)} in "
        f"{visa_request.consulate_city}",
        gap=4,
    )
    para(f"Invitation letter: {conference.name}", size=13, height=6.5, gap=1)
    para(conference.name_zh, size=10.5, gap=4)
    para("Dear Sir or Madam,", gap=3)
    para(
        f"{letterhead.issuer_name}, host of the {conference.name}, held in {conference.city}, "
        f"{country}, from {_date_range_en(conference.start_date, conference.end_date)}, has "
        "the pleasure of inviting the following person to attend the conference as a "
        "registered delegate:",
        gap=3,
    )

    rows = [
        ("Full name (as in passport)", passport.passport_name),
        ("Nationality", passport.nationality_name_en),
        ("Date of birth", format_date_en(passport.date_of_birth)),
        ("Passport number", passport.passport_number),
        ("Passport valid until", format_date_en(passport.passport_expiry)),
    ]
    if person.organisation_id:
        rows.append(("Organisation", person.organisation.name))
    if person.position:
        rows.append(("Position", person.position))
    rows.append(
        (
            f"Intended stay in {country}",
            f"{format_date_en(visa_request.entry_date)} to "
            f"{format_date_en(visa_request.exit_date)}",
        )
    )
    label_width = 58
    for label, value in rows:
        pdf.set_font(FAMILY, size=9.5)
        pdf.set_text_color(80, 80, 80)
        top = pdf.get_y()
        pdf.multi_cell(label_width, 5.6, label, new_x="RIGHT", new_y="TOP")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(FAMILY, size=10.5)
        pdf.set_xy(pdf.l_margin + label_width, top)
        pdf.multi_cell(width - label_width, 5.6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    para(
        "The invitee will take part in the conference programme: plenary sessions, parallel "
        "forums, technical visits and business meetings. Travel and accommodation costs are "
        "borne by the invitee or the invitee's organisation.",
    )
    para(
        "We kindly ask you to grant the invitee a visa for the stay given above. For any "
        "question about this letter, please contact us"
        + (f" at {letterhead.email}" if letterhead.email else "")
        + (f" or {letterhead.phone}" if letterhead.phone else "")
        + f", quoting the letter number {visa_request.letter_number}.",
        gap=5,
    )
    para("Yours faithfully,", gap=2)

    # Signature block, with the stamp beside it when there is one.
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    top = pdf.get_y()
    stamp = letterhead.stamp_bytes()
    if stamp is not None:
        pdf.image(io.BytesIO(stamp), x=pdf.w - pdf.r_margin - 40, y=top - 4, w=38)
    pdf.ln(12)
    para(letterhead.signatory_name, size=10.5, height=5, gap=0)
    para(letterhead.signatory_title, size=9.5, height=5, gap=0)
    para(letterhead.issuer_name, size=9.5, height=5, gap=0)
    para(letterhead.issuer_name_zh, size=9.5, height=5, gap=0)
    return bytes(pdf.output())
