"""Receipts of paid orders, numbered per edition without gaps.

A receipt exists for an order that has a receipt number: numbers are given when the
order is paid (``services.payment_confirm``), per edition and without gaps. A free order
has none. A cancelled or refunded order keeps its receipt; the refund is printed on it.
The PDF is on the edition's letterhead (``letterhead.LetterheadPage``). The rule lives here
(``receipt_refusal``); the views only ask. Each download is in the registration's audit log.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.i18n import long_date
from atrium.core.money import money
from atrium.core.pdf import FAMILY
from atrium.events.models import Conference
from atrium.registration.letterhead import LetterheadPage, both_scripts, letterhead_for
from atrium.registration.models import Order, Payment
from atrium.registration.services import lock_receipt_numbers

PAID_BEFORE = (Order.Status.PAID, Order.Status.REFUNDED)


def receipt_refusal(order: Order | None) -> str | None:
    """Why there is no receipt for ``order``, or None if there is one."""
    if order is None or order.receipt_number is None:
        if order is not None and order.status == Order.Status.FREE:
            return _("A free registration has no receipt.")
        return _("The receipt is issued once the payment is received.")
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


# --- the receipt ---------------------------------------------------------------------------


def _payment(order: Order) -> Payment | None:
    return order.payments.filter(status=Payment.Status.CONFIRMED).order_by("-confirmed_at").first()


def _provider_name(code: str) -> str:
    from atrium.registration.payments import PROVIDERS

    provider = PROVIDERS.get(code)
    return str(provider.name) if provider else code


def receipt_page(conference, label: str) -> LetterheadPage:
    """A receipt's first page up to its rows: the edition's letterhead, "Receipt" with its
    number and the red "paid" mark. Registration orders and booth payments both start so."""
    writer = LetterheadPage(
        letterhead_for(conference),
        orientation="P",
        title=_("Receipt %(number)s") % {"number": label},
    )
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
    return writer


def render_receipt(order: Order) -> bytes:
    """The receipt of ``order`` in the active language (the order must have a number)."""
    registration = order.registration
    conference = order.conference
    person = registration.person
    organisation = person.organisation
    label = order.receipt_label
    writer = receipt_page(conference, label)

    paid_on = conference.local_date(order.paid_at or order.receipt_issued_at or order.created)
    writer.row(_("Receipt number"), label)
    writer.row(_("Date of payment"), long_date(paid_on))
    writer.row(_("Order reference"), order.reference)
    writer.row(_("Received from"), both_scripts(person.name, person.name_zh))
    if organisation is not None:
        writer.row(_("Organisation"), both_scripts(organisation.name, organisation.name_zh))
    writer.row(_("Conference"), both_scripts(conference.name, conference.name_zh))
    writer.rule(3)

    rtype = registration.type
    type_name = both_scripts(rtype.name, rtype.name_zh) if rtype else _("Registration")
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
    writer.signature(on=conference.local_date(order.receipt_issued_at or timezone.now()))
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
