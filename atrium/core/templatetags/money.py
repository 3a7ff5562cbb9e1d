"""``{% load money %}{{ order.total|money:order.currency }}`` → ``¥7,500.00 CNY``.

The one way pages write an amount (``atrium.core.money.money``), the same in every language.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from atrium.core.money import money as format_money

register = template.Library()


@register.filter(name="money")
def money_filter(amount, currency: str = "") -> str:
    """The amount with its currency's symbol and code; an empty string for no amount."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return ""
    return format_money(value, str(currency or ""))
