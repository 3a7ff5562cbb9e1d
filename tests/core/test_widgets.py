"""QuickSelect writes the markup of Django's Select, without a template per option."""

from __future__ import annotations

import copy
import re

import pytest
from django import forms
from django.utils import translation

from atrium.core.i18n import country_choices, shared_country_choices
from atrium.core.widgets import FixedChoices, QuickSelect

ATTRS = {"id": "id_country", "required": True, "aria-describedby": "a b", "data-x": 'say "hi"'}


def same(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("value", ["CN", "", None, "XX"])
def test_country_select_as_django_writes_it(language, value):
    with translation.override(language):
        expected = forms.Select(choices=country_choices(blank_label="—")).render(
            "country", value, ATTRS
        )
        widget = QuickSelect()
        widget.choices = shared_country_choices(blank_label="—")
        assert same(widget.render("country", value, ATTRS)) == same(expected)


def test_plain_choices_are_escaped_and_one_is_selected():
    choices = [("", "—"), ("a&b", "A <b>"), (1, "One"), ("1", "One again")]
    expected = forms.Select(choices=choices).render("q", "1", {"id": "id_q"})
    html = QuickSelect(choices=choices).render("q", "1", {"id": "id_q"})
    assert same(html) == same(expected)
    assert 'value="a&amp;b">A &lt;b&gt;' in html
    assert html.count(" selected") == 1


def test_groups_fall_back_to_the_templates():
    choices = [("Asia", [("CN", "China")]), ("Europe", [("FR", "France")])]
    expected = forms.Select(choices=choices).render("c", "FR")
    assert QuickSelect(choices=choices).render("c", "FR") == expected


def test_country_choices_are_made_once_per_language_and_shared_by_forms():
    with translation.override("en"):
        english = shared_country_choices(blank_label="—")
        assert shared_country_choices(blank_label="—") is english
        assert copy.deepcopy(english) is english  # a form's fields copy it for nothing
        assert ("CN", "China") in list(english)
    with translation.override("zh-hans"):
        chinese = shared_country_choices(blank_label="—")
        assert chinese is not english
        assert ("CN", "中国") in list(chinese)
    assert isinstance(english, FixedChoices)
