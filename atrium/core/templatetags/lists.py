"""``{% list_separator %}``: what goes between the items of a list of names in the page's
language: ", " in English, "、" (the enumeration comma) in Chinese."""

from django import template
from django.utils.html import format_html_join
from django.utils.translation import pgettext

register = template.Library()


@register.simple_tag
def list_separator() -> str:
    return pgettext("between the names of a list", ", ")


@register.filter
def join_list(values):
    """The items joined by :func:`list_separator`, each escaped."""
    return format_html_join(list_separator(), "{}", ((value,) for value in values))
