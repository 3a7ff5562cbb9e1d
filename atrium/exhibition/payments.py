"""Paying for a booth online, and its receipt.

A booth is paid through the payment providers of ``atrium.registration.payments`` (the same
list, switched on by ``ATRIUM_PAYMENT_PROVIDERS``), but not through registration's ``Order``:
an order belongs to one registration (a one-to-one field), and a booth is bought by an
exhibitor, not by a registration. Carrying a booth on an order would need a migration in
registration, so the booking is its own order here (``BoothBooking``: amount, currency,
reference) and ``BoothPayment`` its payment. A provider that pays on our pages (the test
provider; a gateway later) ends with ``booking_pay_online`` with its own reference, which
is idempotent; bank transfer shows the edition's bank details and an organiser records
the transfer (``services.booking_pay``).

Receipts of booths are numbered per edition without gaps, in their own series beside the
registration receipts (``BJ25-R-B-0001``), under the same edition lock
(``registration.services.lock_receipt_numbers``); the PDF is on the edition's letterhead
(``registration.letterhead``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.i18n import long_date
from atrium.core.money import money
from atrium.events.models import Conference
from atrium.exhibition.models import BoothBooking, BoothPayment, Exhibitor
from atrium.exhibition.services import booking_lock, booking_payment_record
from atrium.registration.letterhead import both_scripts
from atrium.registration.payments import PROVIDERS, PaymentProvider, enabled_providers, provider
from atrium.registration.receipts import receipt_page


@dataclass(frozen=True)
class BoothOrder:
    """What a provider's ``instructions`` reads of an order, for a booth booking."""

    conference: Conference
    reference: str
    total: Decimal
    currency: str


def booth_order(booking: BoothBooking) -> BoothOrder:
    return BoothOrder(
        conference=booking.exhibitor.conference,
        reference=booking.reference,
        total=booking.amount,
        currency=booking.currency,
    )


def providers_for(booking: BoothBooking) -> list[tuple[PaymentProvider, str]]:
    """The enabled providers, each with what the exhibitor must do (may be empty)."""
    order = booth_order(booking)
    return [(p, p.instructions(order)) for p in enabled_providers()]


def _expired_message(booking: BoothBooking) -> str:
    conference = booking.exhibitor.conference
    if booking.held_until is None:
        return _(
            "The hold on booth %(code)s has ended: hold the booth again if it is still free."
        ) % {"code": booking.booth.code}
    until = timezone.localtime(booking.held_until, conference.tz)
    return _(
        "The hold on booth %(code)s ran out at %(time)s: hold the booth again if it is still free."
    ) % {"code": booking.booth.code, "time": time_format(until, "H:i")}


def payment_refusal(booking: BoothBooking, *, now: dt.datetime | None = None) -> str | None:
    """Why ``booking`` cannot be paid online now, or None."""
    if booking.status == BoothBooking.Status.BOOKED:
        return _("This booking is paid already.")
    if booking.hold_expired(now):
        return _expired_message(booking)
    if booking.exhibitor.status != Exhibitor.Status.ACCEPTED:
        return _("Only accepted exhibitors can book a booth.")
    return None


@transaction.atomic
def booking_pay_online(
    *,
    booking: BoothBooking,
    provider_code: str,
    provider_reference: str,
    now: dt.datetime | None = None,
    actor=None,
) -> BoothPayment:
    """A provider took the payment of a held booth: the booth is booked, with a receipt.

    Idempotent per provider reference (a gateway may call back twice). Refused, with nothing
    changed, if the provider does not pay online, the hold has run out (even if nobody took
    the booth since: the exhibitor holds it again) or the booking is paid already.
    """
    now = now or timezone.now()
    chosen = provider(provider_code)
    if chosen is None or not chosen.pays_online:
        raise ValidationError({"provider": _("This way of paying is not available.")})
    reference = provider_reference.strip()[:100]
    if not reference:
        raise ValidationError({"provider": _("The payment has no reference.")})
    booking = booking_lock(booking)
    done = booking.payments.filter(provider=chosen.code, reference=reference).first()
    if done is not None:
        return done
    refusal = payment_refusal(booking, now=now)
    if refusal:
        raise ValidationError(refusal)
    return booking_payment_record(
        booking=booking, provider=chosen.code, reference=reference, now=now, actor=actor
    )


# --- the receipt ---------------------------------------------------------------------------


def receipt_payment(booking: BoothBooking) -> BoothPayment | None:
    """The booking's payment with a receipt number, if any."""
    return (
        booking.payments.filter(receipt_number__isnull=False)
        .select_related("conference__letterhead")
        .order_by("-paid_at")
        .first()
    )


def _provider_name(code: str) -> str:
    found = PROVIDERS.get(code)
    return str(found.name) if found else code


def render_receipt(payment: BoothPayment) -> bytes:
    """The receipt of a booth payment in the active language."""
    booking = payment.booking
    exhibitor = booking.exhibitor
    booth = booking.booth
    conference = payment.conference
    organisation = exhibitor.organisation
    label = payment.receipt_label
    writer = receipt_page(conference, label)
    writer.row(_("Receipt number"), label)
    writer.row(_("Date of payment"), long_date(conference.local_date(payment.paid_at)))
    writer.row(_("Booking reference"), booking.reference)
    writer.row(_("Received from"), both_scripts(organisation.name, organisation.name_zh))
    writer.row(_("Conference"), both_scripts(conference.name, conference.name_zh))
    writer.rule(3)
    writer.text(_("Items"), size=11, gap=1.5)
    hall = booth.hall
    writer.money_row(
        _("Exhibition booth %(code)s, %(hall)s (%(width)s × %(depth)s m)")
        % {
            "code": booth.code,
            "hall": both_scripts(hall.name, hall.name_zh),
            "width": f"{booth.width:g}",
            "depth": f"{booth.height:g}",
        },
        money(payment.amount, payment.currency),
    )
    writer.money_row(
        _("Total paid"), money(payment.amount, payment.currency), size=12, bold_line=True
    )
    method = _provider_name(payment.provider)
    if payment.reference:
        method = f"{method} ({payment.reference})"
    writer.row(_("Payment method"), method)
    writer.row(_("Currency"), payment.currency)
    if booking.status == BoothBooking.Status.RELEASED:
        writer.row(_("Cancelled"), _("The booking was released."))
    writer.signature(on=conference.local_date(payment.paid_at))
    return writer.output()


@transaction.atomic
def receipt_pdf(*, booking: BoothBooking, actor=None, language: str | None = None) -> bytes:
    """The receipt PDF of a paid booking; ``ValidationError`` if it has none. Logs it."""
    payment = receipt_payment(booking)
    if payment is None:
        raise ValidationError(_("The receipt is issued once the payment is received."))
    payment = BoothPayment.objects.select_related(
        "conference", "booking__booth__hall", "booking__exhibitor__organisation"
    ).get(pk=payment.pk)
    with translation.override(language or translation.get_language()):
        data = render_receipt(payment)
    log_action(
        actor=actor,
        action="exhibition.receipt.downloaded",
        obj=payment.booking,
        conference=payment.conference,
        data={"receipt": payment.receipt_label},
    )
    return data
