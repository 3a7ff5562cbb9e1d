"""Award figures in words: 亿 and 万 in Chinese, billion and million in English; and the
"Number" of the sort menu and of the form's field kinds told apart by their contexts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from atrium.reviews.figures import yuan_in_words
from atrium.reviews.forms import FilterForm
from atrium.reviews.models import FormField

from .helpers import make_call, make_organiser, make_person, make_submission


@pytest.mark.parametrize(
    ("amount", "english", "chinese"),
    [
        (Decimal("2000000000"), "2 billion yuan", "20亿元"),
        (Decimal("1980000000"), "1.98 billion yuan", "19.8亿元"),
        (Decimal("150000000"), "150 million yuan", "1.5亿元"),
        (Decimal("30000000"), "30 million yuan", "3000万元"),
        (Decimal("12345678"), "12.35 million yuan", "1234.57万元"),
        (Decimal("50000"), "50,000 yuan", "5万元"),
        (Decimal("800"), "800 yuan", "800元"),
        (Decimal("2500000000000"), "2.5 trillion yuan", "2.5万亿元"),
        (Decimal("0"), "0 yuan", "0元"),
    ],
)
def test_yuan_in_words(amount, english, chinese):
    assert yuan_in_words(amount, "en") == english
    assert yuan_in_words(amount, "zh-hans") == chinese
    assert "e+" not in yuan_in_words(amount, "en") + yuan_in_words(amount, "zh-hans")
    assert "十亿" not in yuan_in_words(amount, "zh-hans")
    assert "百万" not in yuan_in_words(amount, "zh-hans")


def test_nothing_for_no_amount():
    assert yuan_in_words(None) == ""


def test_the_page_language_decides():
    with translation.override("zh-hans"):
        assert yuan_in_words(Decimal("2000000000")) == "20亿元"
    with translation.override("en"):
        assert yuan_in_words(Decimal("2000000000")) == "2 billion yuan"


@pytest.mark.django_db
def test_award_figures_on_the_pages_in_chinese(client):
    from atrium.reviews import services

    call = make_call(kind="award", slug="award")
    person = make_person()
    sub = make_submission(call, person=person, money_raised_cny=Decimal("2000000000"))
    services.decision_set(submission=sub, outcome="accept", rank=1, actor=None)
    services.decisions_send(call=call, actor=None, mail=False)
    services.results_publish(call=call, published=True, actor=None)
    awards = f"/c/{call.conference.slug}/awards/"
    zh = client.get(awards, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "20亿元" in zh and "十亿" not in zh
    en = client.get(awards, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 billion yuan" in en
    client.force_login(make_organiser(call.conference))
    page = client.get(
        f"/c/{call.conference.slug}/calls/{call.slug}/submissions/{sub.pk}/",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert "20亿元" in page and "2000000000" not in page


def test_number_has_two_contexts():
    """Translated apart: the sort by number (编号) and the kind of field (数字)."""
    from django.utils.translation import trans_real

    sort_label = dict(FilterForm.base_fields["sort"].choices)[""]
    kind_label = dict(FormField._meta.get_field("kind").choices)["number"]
    assert str(sort_label) == str(kind_label) == "Number"  # one English word
    entries = {
        "sort by the submission's number\x04Number": "编号",
        "kind of form field\x04Number": "数字",
    }
    with translation.override("zh-hans"):
        catalog = trans_real.translation("zh-hans")._catalog
        saved = {key: catalog.get(key) for key in entries}
        try:
            for key, text in entries.items():
                catalog[key] = text
            assert (str(sort_label), str(kind_label)) == ("编号", "数字")
            field = FormField(kind="number")
            assert field.get_kind_display() == "数字"
        finally:
            for key, text in saved.items():
                if text is None:
                    for part in catalog._catalogs:
                        part.pop(key, None)
                else:
                    catalog[key] = text
