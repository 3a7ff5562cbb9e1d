"""Content in two languages: a field ``name`` and its Chinese twin ``name_zh``."""

from __future__ import annotations

from functools import lru_cache

from django.utils.translation import get_language


def is_chinese(language: str | None = None) -> bool:
    return (language or get_language() or "").lower().startswith("zh")


def bilingual(field: str) -> property:
    """A property that returns ``<field>_zh`` when the page is in Chinese and it is set.

    Used as ``name_i18n = bilingual("name")`` on models with ``name`` and ``name_zh``.
    """

    def getter(instance):
        if is_chinese():
            chinese = getattr(instance, f"{field}_zh", "")
            if chinese:
                return chinese
        return getattr(instance, field)

    getter.__doc__ = f"{field} in the active language (Chinese variant when present)."
    return property(getter)


def other_script_name(latin: str, chinese: str) -> str:
    """The name in the script the page is *not* showing first, for a subtitle.

    On an English page a person with a Chinese name shows 马骏 under "Ma Jun";
    on a Chinese page "Ma Jun" under 马骏.
    """
    if not chinese:
        return ""
    return latin if is_chinese() else chinese


def long_date(day) -> str:
    """A date written out in the active language: 16 September 2025, 2025年9月16日."""
    from django.utils import formats

    if is_chinese():
        return formats.date_format(day, "Y年n月j日")
    return formats.date_format(day, "j F Y")


def local_moment(moment, zone) -> str:
    """A moment in ``zone`` written for the active language: Wed 17 Sep, 07:30 / 9月17日 周三 07:30.

    For labels built in Python (choices, messages), which the template filters do not reach.
    """
    from django.utils import formats, timezone
    from django.utils.translation import gettext

    return formats.date_format(timezone.localtime(moment, zone), gettext("D j M, H:i"))


def country_choices(codes=None, *, blank_label: str | None = None) -> list[tuple[str, str]]:
    """Countries as form choices, named and sorted for the active language.

    Chinese names sort by their pinyin (阿尔巴尼亚, 阿富汗, 奥兰群岛…), Latin ones
    alphabetically without regard to accents. ``codes``: only these (all when None).
    The sorted list of all countries is made once per language and process.
    """
    if codes is None:
        choices = list(_all_countries_sorted(get_language() or ""))
    else:
        choices = _countries_sorted(codes)
    return ([("", blank_label)] if blank_label is not None else []) + choices


def _countries_sorted(codes) -> list[tuple[str, str]]:
    from django_countries import countries

    from atrium.core.search import sort_key

    names = dict(countries)
    wanted = names if codes is None else codes
    return sorted(
        ((code, str(names.get(code, code))) for code in wanted),
        key=lambda choice: sort_key(choice[1]),
    )


def shared_country_choices(*, blank_label: str | None = None):
    """``country_choices()`` of every country as one ``FixedChoices`` per language, shared
    by every form (the fast way for a form made on every request: nothing is copied)."""
    return _shared_country_choices(get_language() or "", blank_label)


@lru_cache(maxsize=16)
def _shared_country_choices(language: str, blank_label: str | None):
    from atrium.core.widgets import FixedChoices

    return FixedChoices(country_choices(blank_label=blank_label))


@lru_cache(maxsize=8)
def _all_countries_sorted(language: str) -> tuple[tuple[str, str], ...]:
    """Every country for ``language`` (the active one: names come from it)."""
    return tuple(_countries_sorted(None))


def option_lines(text: str) -> list[tuple[str, str, str]]:
    """The options an organiser wrote one per line as ``English | 中文``: (value, English,
    Chinese) each, the value being the English text (the Chinese defaults to it). Questions
    of registration and form fields of calls use this one reading."""
    pairs = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        en, _sep, zh = line.partition("|")
        pairs.append((en.strip(), en.strip(), zh.strip() or en.strip()))
    return pairs
