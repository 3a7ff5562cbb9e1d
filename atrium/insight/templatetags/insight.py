from django import template

from atrium.core.money import money as write_money

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    """``{{ line.paid|money:"CNY" }}`` → ``¥7,500.00 CNY`` (``atrium.core.money``)."""
    return write_money(amount, currency)
