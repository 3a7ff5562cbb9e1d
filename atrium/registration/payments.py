"""Payment providers: a small interface, bank transfer, and a test provider.

A provider tells the delegate how to pay an order. Providers that take the
payment on our side (the test provider; a card or Alipay/WeChat Pay gateway
later) end by calling ``services.payment_confirm`` with their own reference,
which is idempotent, so a gateway may call back more than once.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from atrium.registration.models import Order
from atrium.registration.services import policy_for


class PaymentProvider:
    code = ""
    name = ""
    #: True if the delegate pays on our pages (a button), False if outside (a transfer).
    pays_online = False

    def instructions(self, order: Order) -> str:
        """What the delegate must do, shown on the payment page (may be empty)."""
        return ""


class BankTransfer(PaymentProvider):
    code = "bank_transfer"
    name = _("Bank transfer")

    def instructions(self, order: Order) -> str:
        return policy_for(order.conference).bank_details_i18n


class TestProvider(PaymentProvider):
    """Pays at once when the delegate presses the button. For the demo and the tests only."""

    code = "test"
    name = _("Test payment (demo only: no money moves)")
    pays_online = True


PROVIDERS: dict[str, type[PaymentProvider]] = {p.code: p for p in (BankTransfer, TestProvider)}


def enabled_providers() -> list[PaymentProvider]:
    return [PROVIDERS[code]() for code in settings.ATRIUM_PAYMENT_PROVIDERS if code in PROVIDERS]


def provider(code: str) -> PaymentProvider | None:
    return next((p for p in enabled_providers() if p.code == code), None)
