"""A page on an edition's letterhead: receipts, certificates of attendance.

``LetterheadPage`` draws an A4 page with the issuer (``Letterhead``: names in English and
Chinese, address, contacts, tax number), rows of labelled text, money rows and the
signature with the stamp, in the CJK font of ``atrium.core.pdf`` so that Chinese prints.
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext as _

from atrium.core.i18n import long_date
from atrium.core.pdf import FAMILY, new_document
from atrium.events.models import Conference
from atrium.registration.models import Letterhead


class LetterheadPage:
    """An A4 page on the letterhead, with a few helpers for lines of text."""

    RED = (180, 35, 24)
    INK = (20, 20, 20)
    SOFT = (90, 90, 90)

    def __init__(self, letterhead: Letterhead | None, *, orientation: str, title: str):
        self.letterhead = letterhead
        self.pdf = new_document(orientation=orientation, title=title)
        self.pdf.set_margins(20, 18, 20)
        self.pdf.set_auto_page_break(True, margin=18)
        self.pdf.add_page()

    @property
    def width(self) -> float:
        return self.pdf.w - self.pdf.l_margin - self.pdf.r_margin

    def text(self, text: str, *, size: float = 10, colour=INK, align: str = "L", gap=0.0):
        if not text:
            return
        from fpdf.enums import XPos, YPos

        pdf = self.pdf
        pdf.set_font(FAMILY, size=size)
        pdf.set_text_color(*colour)
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(
            self.width, size * 0.5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        if gap:
            pdf.ln(gap)

    def rule(self, gap: float = 3):
        pdf = self.pdf
        pdf.ln(gap)
        pdf.set_draw_color(*self.SOFT)
        pdf.set_line_width(0.3)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(gap)

    def row(self, label: str, value: str, *, size: float = 10, label_width: float = 48):
        """A label on the left and its value (one or more lines) beside it."""
        if not value:
            return
        from fpdf.enums import XPos, YPos

        pdf = self.pdf
        pdf.set_font(FAMILY, size=size)
        pdf.set_text_color(*self.SOFT)
        y = pdf.get_y()
        pdf.set_xy(pdf.l_margin, y)
        pdf.multi_cell(label_width, size * 0.5, label, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        label_bottom = pdf.get_y()
        pdf.set_text_color(*self.INK)
        pdf.set_xy(pdf.l_margin + label_width, y)
        pdf.multi_cell(
            self.width - label_width,
            size * 0.5,
            value,
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_y(max(pdf.get_y(), label_bottom) + 1.2)

    def money_row(self, label: str, amount: str, *, size: float = 10, bold_line=False):
        from fpdf.enums import XPos, YPos

        pdf = self.pdf
        amount_width = 50
        if bold_line:
            pdf.set_draw_color(*self.INK)
            pdf.set_line_width(0.4)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
            pdf.ln(1.5)
        pdf.set_font(FAMILY, size=size)
        pdf.set_text_color(*self.INK)
        y = pdf.get_y()
        pdf.set_xy(pdf.l_margin, y)
        pdf.multi_cell(
            self.width - amount_width,
            size * 0.5,
            label,
            align="L",
            new_x=XPos.RIGHT,
            new_y=YPos.TOP,
        )
        bottom = pdf.get_y()
        pdf.set_xy(pdf.w - pdf.r_margin - amount_width, y)
        pdf.multi_cell(amount_width, size * 0.5, amount, align="R", new_x=XPos.LMARGIN)
        pdf.set_y(max(pdf.get_y(), bottom, y + size * 0.5) + 1.5)

    def header(self, conference: Conference, *, align: str = "L"):
        """The issuer, its address, contacts and tax number (or the host, without a letterhead)."""
        letterhead = self.letterhead
        if letterhead is None:
            host = conference.host
            self.text(host.name if host else conference.name, size=14, align=align)
            if host and host.name_zh:
                self.text(host.name_zh, size=12, align=align)
            return
        self.text(letterhead.issuer_name, size=14, align=align)
        self.text(letterhead.issuer_name_zh, size=12, align=align, gap=1)
        self.text(letterhead.address, size=8.5, colour=self.SOFT, align=align)
        self.text(letterhead.address_zh, size=8.5, colour=self.SOFT, align=align)
        self.text(letterhead.contacts, size=8.5, colour=self.SOFT, align=align)
        if letterhead.tax_number:
            self.text(
                _("Tax number: %(number)s") % {"number": letterhead.tax_number},
                size=8.5,
                colour=self.SOFT,
                align=align,
            )

    def signature(self, *, on: dt.date, centre: bool = False):
        """The signatory, their title, the stamp beside them, and the date of issue."""
        pdf = self.pdf
        letterhead = self.letterhead
        pdf.ln(6)
        if pdf.get_y() > pdf.h - 60:
            pdf.add_page()
        top = pdf.get_y()
        block_width, text_width = 120, 80
        x = (pdf.w - block_width) / 2 if centre else pdf.l_margin
        stamp = letterhead.stamp_bytes() if letterhead else None
        if stamp is not None:
            pdf.image(io.BytesIO(stamp), x=x + text_width + 4, y=top, w=34, h=34)
        pdf.set_draw_color(*self.INK)
        pdf.set_line_width(0.3)
        pdf.line(x, top + 22, x + text_width, top + 22)
        pdf.set_y(top + 24)
        lines = [
            letterhead.signatory_name if letterhead else "",
            letterhead.signatory_title if letterhead else "",
            _("Issued on %(date)s") % {"date": long_date(on)},
        ]
        from fpdf.enums import XPos, YPos

        for line in lines:
            if not line:
                continue
            pdf.set_font(FAMILY, size=9)
            pdf.set_text_color(*self.SOFT)
            pdf.set_x(x)
            pdf.multi_cell(text_width, 4.5, line, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(max(pdf.get_y(), top + 36))

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def letterhead_for(conference: Conference) -> Letterhead | None:
    return Letterhead.objects.filter(conference=conference).first()


def both_scripts(latin: str, chinese: str) -> str:
    return f"{latin}  {chinese}" if chinese and chinese != latin else latin
