"""One way to write an amount of money, in every language and every place.

``money(Decimal("7500"), "CNY")`` is ``¥7,500.00 CNY``: the currency's symbol, digits grouped
by thousands, two decimals, the ISO code after (so that ¥ is never read as yen and $ never
as another dollar). Two currencies are never added together: callers keep a sum per currency.
"""

from __future__ import annotations

from decimal import Decimal

CURRENCY_SYMBOLS = {"USD": "$", "CNY": "¥"}


def money(amount: Decimal | int | float | None, currency: str) -> str:
    """``$1,050.00 USD``, ``¥7,500.00 CNY``, ``−$200.00 USD`` (a minus sign, for refunds)."""
    value = Decimal(amount or 0)
    sign = "−" if value < 0 else ""
    return f"{sign}{CURRENCY_SYMBOLS.get(currency, '')}{abs(value):,.2f} {currency}"
