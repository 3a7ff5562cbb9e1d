"""Large amounts in words of the page's language: "2 billion yuan", "20亿元".

Chinese counts in 万 (10⁴) and 亿 (10⁸), not in thousands and millions: 2,000,000,000 yuan
is 20亿元 (never 2十亿元), 30,000,000 is 3000万元 (never 30百万元). English keeps million,
billion and trillion. Figures keep at most two decimals, without trailing zeros, and never
turn into a scientific notation.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from atrium.core.i18n import is_chinese

CHINESE_UNITS = ((Decimal(10) ** 12, "万亿"), (Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))
ENGLISH_UNITS = (
    (Decimal(10) ** 12, "trillion"),
    (Decimal(10) ** 9, "billion"),
    (Decimal(10) ** 6, "million"),
)


def _short(value: Decimal) -> str:
    """At most two decimals, no trailing zeros, thousands grouped: 20, 1.5, 1,234.57."""
    rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.2f}".rstrip("0").rstrip(".")
    return text


def yuan_in_words(amount, language: str | None = None) -> str:
    """``Decimal("2000000000")`` → "2 billion yuan" in English, "20亿元" in Chinese."""
    if amount is None:
        return ""
    value = Decimal(amount)
    if is_chinese(language):
        for size, unit in CHINESE_UNITS:
            if value >= size:
                return f"{_short(value / size).replace(',', '')}{unit}元"
        return f"{_short(value).replace(',', '')}元"
    for size, word in ENGLISH_UNITS:
        if value >= size:
            number = _short(value / size)
            if word == "trillion":
                return _("%(n)s trillion yuan") % {"n": number}
            if word == "billion":
                return _("%(n)s billion yuan") % {"n": number}
            return _("%(n)s million yuan") % {"n": number}
    return _("%(n)s yuan") % {"n": _short(value)}
