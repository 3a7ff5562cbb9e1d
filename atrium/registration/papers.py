"""Papers a delegate takes home: the receipt of a paid order and the certificate of attendance.

Both are PDFs on the edition's letterhead (``Letterhead``: the issuer in English and
Chinese, its address, contacts, tax number, signatory and stamp), set in the CJK font of
``atrium.core.pdf`` so that Chinese names print.

- A receipt exists for an order that has a receipt number: numbers are given when the
  order is paid (``services.payment_confirm``), per edition and without gaps. A free order
  has none. A cancelled or refunded order keeps its receipt; the refund is printed on it.
- A certificate of attendance exists for a registration that was checked in at least once
  (entrance or session), once the edition's last day has ended in its own time zone.

The rules live here (``receipt_refusal``, ``certificate_refusal``); the views only ask.
Each download is written to the audit log of the registration.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.i18n import long_date
from atrium.core.pdf import FAMILY, new_document
from atrium.events.models import Conference
from atrium.registration.models import CheckIn, Letterhead, Order, Payment, Registration
from atrium.registration.services import lock_receipt_numbers

CURRENCY_SYMBOLS = {"USD": "$", "CNY": "¥"}
PAID_BEFORE = (Order.Status.PAID, Order.Status.REFUNDED)


# --- formatting ----------------------------------------------------------------------------


def money(amount: Decimal, currency: str) -> str:
    """``$1,050.00 USD``, ``¥7,500.00 CNY``, ``−$200.00 USD``: symbol, separators, code."""
    sign = "−" if amount < 0 else ""
    return f"{sign}{CURRENCY_SYMBOLS.get(currency, '')}{abs(amount):,.2f} {currency}"


def _local_date(moment: dt.datetime, conference: Conference) -> dt.date:
    return timezone.localtime(moment, conference.tz).date()


def conference_ends_at(conference: Conference) -> dt.datetime:
    """Midnight after the edition's last day, in its own time zone."""
    next_day = conference.end_date + dt.timedelta(days=1)
    return dt.datetime.combine(next_day, dt.time.min, tzinfo=conference.tz)


# --- who may have which paper ----------------------------------------------------------------


def receipt_refusal(order: Order | None) -> str | None:
    """Why there is no receipt for ``order``, or None if there is one."""
    if order is None or order.receipt_number is None:
        if order is not None and order.status == Order.Status.FREE:
            return _("A free registration has no receipt.")
        return _("The receipt is issued once the payment is received.")
    return None


def has_checkin(registration: Registration) -> bool:
    """Checked in at least once (a ``has_checkin`` annotation saves the query)."""
    annotated = getattr(registration, "has_checkin", None)
    if annotated is not None:
        return bool(annotated)
    return registration.checkins.exists()


def certificate_refusal(registration: Registration, *, at: dt.datetime | None = None) -> str | None:
    """Why ``registration`` has no certificate of attendance (yet), or None if it has one."""
    conference = registration.conference
    if (at or timezone.now()) < conference_ends_at(conference):
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


# --- numbering (for orders paid outside payment_confirm: the demo, data repairs) -----------


@transaction.atomic
def receipt_numbers_backfill(*, conference: Conference, actor=None) -> int:
    """Number the edition's paid orders that have no receipt number, in the order paid.

    Continues after the highest number of the edition, under the same lock as
    ``payment_confirm``; returns how many orders got a number.
    """
    lock_receipt_numbers(conference.pk)
    orders = list(
        Order.objects.filter(conference=conference, receipt_number__isnull=True, total__gt=0)
        .filter(Q(status__in=PAID_BEFORE) | Q(paid_at__isnull=False))
        .only("pk", "paid_at", "created")
    )
    if not orders:
        return 0
    highest = max(
        Order.objects.filter(conference=conference, receipt_number__isnull=False).values_list(
            "receipt_number", flat=True
        ),
        default=0,
    )
    orders.sort(key=lambda o: (o.paid_at or o.created, o.created, o.pk))
    for number, order in enumerate(orders, start=highest + 1):
        order.receipt_number = number
        order.receipt_issued_at = order.paid_at or order.created
    Order.objects.bulk_update(orders, ["receipt_number", "receipt_issued_at"], batch_size=500)
    log_action(
        actor=actor,
        action="receipt.backfilled",
        obj=conference,
        conference=conference,
        data={"count": len(orders), "first": highest + 1, "last": highest + len(orders)},
    )
    return len(orders)


# --- drawing -------------------------------------------------------------------------------


class _Writer:
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


def _letterhead(conference: Conference) -> Letterhead | None:
    return Letterhead.objects.filter(conference=conference).first()


def _both(latin: str, chinese: str) -> str:
    return f"{latin}  {chinese}" if chinese and chinese != latin else latin


# --- the receipt ---------------------------------------------------------------------------


def _payment(order: Order) -> Payment | None:
    return order.payments.filter(status=Payment.Status.CONFIRMED).order_by("-confirmed_at").first()


def _provider_name(code: str) -> str:
    from atrium.registration.payments import PROVIDERS

    provider = PROVIDERS.get(code)
    return str(provider.name) if provider else code


def render_receipt(order: Order) -> bytes:
    """The receipt of ``order`` in the active language (the order must have a number)."""
    registration = order.registration
    conference = order.conference
    person = registration.person
    organisation = person.organisation
    letterhead = _letterhead(conference)
    label = order.receipt_label
    writer = _Writer(letterhead, orientation="P", title=_("Receipt %(number)s") % {"number": label})
    pdf = writer.pdf

    writer.header(conference)
    writer.rule(4)
    top = pdf.get_y()
    writer.text(_("Receipt"), size=22)
    writer.text(label, size=13, gap=3)
    # The "paid" mark, top right of the title.
    pdf.set_draw_color(*writer.RED)
    pdf.set_text_color(*writer.RED)
    pdf.set_line_width(0.8)
    mark_w, mark_h = 42, 14
    mark_x = pdf.w - pdf.r_margin - mark_w
    with pdf.rotation(8, x=mark_x + mark_w / 2, y=top + mark_h / 2 + 2):
        pdf.rect(mark_x, top + 2, mark_w, mark_h)
        pdf.set_font(FAMILY, size=18)
        pdf.set_xy(mark_x, top + 2)
        pdf.cell(mark_w, mark_h, _("PAID"), align="C")
    pdf.set_y(max(pdf.get_y(), top + 22))

    paid_on = _local_date(order.paid_at or order.receipt_issued_at or order.created, conference)
    writer.row(_("Receipt number"), label)
    writer.row(_("Date of payment"), long_date(paid_on))
    writer.row(_("Order reference"), order.reference)
    writer.row(_("Received from"), _both(person.name, person.name_zh))
    if organisation is not None:
        writer.row(_("Organisation"), _both(organisation.name, organisation.name_zh))
    writer.row(_("Conference"), _both(conference.name, conference.name_zh))
    writer.rule(3)

    rtype = registration.type
    type_name = _both(rtype.name, rtype.name_zh) if rtype else _("Registration")
    writer.text(_("Items"), size=11, gap=1.5)
    writer.money_row(
        _("Registration: %(type)s") % {"type": type_name}, money(order.list_price, order.currency)
    )
    if order.discount:
        voucher = registration.voucher
        discount_label = (
            _("Voucher %(code)s") % {"code": voucher.code} if voucher else _("Discount")
        )
        writer.money_row(discount_label, money(-order.discount, order.currency))
    writer.money_row(_("Total paid"), money(order.total, order.currency), size=12, bold_line=True)

    payment = _payment(order)
    if payment is not None:
        method = _provider_name(payment.provider)
        if payment.provider_reference:
            method = f"{method} ({payment.provider_reference})"
        writer.row(_("Payment method"), method)
    writer.row(_("Currency"), order.get_currency_display())
    if order.refund_amount:
        refund = money(order.refund_amount, order.currency)
        if order.refund_reason:
            refund = f"{refund} ({order.refund_reason})"
        writer.row(_("Refunded"), refund)
    elif order.status == Order.Status.CANCELLED:
        writer.row(_("Cancelled"), order.refund_reason or _("The registration was cancelled."))
    writer.signature(on=_local_date(order.receipt_issued_at or timezone.now(), conference))
    return writer.output()


@transaction.atomic
def receipt_pdf(*, order: Order, actor=None, language: str | None = None) -> bytes:
    """The receipt PDF of a paid order; ``ValidationError`` if it has none. Logs the download."""
    order = Order.objects.select_related(
        "conference",
        "registration__person__organisation",
        "registration__type",
        "registration__voucher",
    ).get(pk=order.pk)
    refusal = receipt_refusal(order)
    if refusal:
        raise ValidationError(refusal)
    registration = order.registration
    with translation.override(language or registration.language):
        data = render_receipt(order)
    log_action(
        actor=actor,
        action="receipt.downloaded",
        obj=registration,
        conference=order.conference,
        data={"receipt": order.receipt_label},
    )
    return data


# --- the certificate of attendance ---------------------------------------------------------


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
    letterhead = _letterhead(conference)
    writer = _Writer(letterhead, orientation="L", title=_("Certificate of attendance"))
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
        writer.text(_both(organisation.name, organisation.name_zh), size=11, align="C")
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
        lines = [
            f"{long_date(_local_date(s.start, conference))}{colon}{s.title_i18n}" for s in shown
        ]
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
    today = _local_date(timezone.now(), conference)
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
