"""Words with two meanings are asked for with a context: a held booth is reserved (已预留),
not an event that took place (已举行); a free booth is available (空闲), not free of charge.

The lead translates the catalogue at merge; these tests put the contexted entries in the
active Chinese catalogue for the test and check the pages ask for them.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from atrium.exhibition import selectors, services
from atrium.exhibition.models import BoothBooking
from tests.exhibition.factories import BoothFactory, ExhibitorFactory

pytestmark = pytest.mark.django_db

CONTEXTED = {
    "booth status\x04Held": "已预留",
    "booth status\x04Free": "空闲",
    "booth status\x04Booked": "已预订",
    "booth status\x04Released": "已释放",
    "exhibitor profile\x04Profile": "展商简介",
    "name of a thing\x04Name": "名称",
    "name of a thing\x04Name in Chinese": "中文名称",
}


@pytest.fixture
def chinese_catalogue():
    catalogue = trans_real.translation("zh-hans")._catalog
    saved = {key: catalogue.get(key) for key in CONTEXTED}
    for key, value in CONTEXTED.items():
        catalogue[key] = value
    yield
    for key, value in saved.items():
        if value is None:
            for part in catalogue._catalogs:
                part.pop(key, None)
        else:
            catalogue[key] = value


@pytest.fixture
def held_booth(world):
    booth = BoothFactory(hall=world["booth"].hall, code="A02")
    services.booth_hold(booth=booth, exhibitor=ExhibitorFactory(conference=world["conference"]))
    return booth


def test_the_plan_says_a_booth_is_reserved_not_that_it_took_place(
    client, world, held_booth, chinese_catalogue
):
    url = reverse("exhibition:plan", args=[world["conference"].slug])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已预留" in html  # the legend and the held booth's row
    assert "已举行" not in html
    assert "空闲" in html
    assert "免费" not in html


def test_status_words_ask_for_the_booth_status_context(chinese_catalogue):
    with translation.override("zh-hans"):
        assert selectors.BoothView(booth=None, status=selectors.HELD).status_label == "已预留"
        assert selectors.BoothView(booth=None, status=selectors.FREE).status_label == "空闲"
        assert str(BoothBooking.Status.HELD.label) == "已预留"
        assert str(BoothBooking.Status.RELEASED.label) == "已释放"


def test_without_the_contexted_entry_held_never_reads_took_place(client, world, held_booth):
    url = reverse("exhibition:plan", args=[world["conference"].slug])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已举行" not in html


def test_the_portal_profile_heading_is_the_exhibitors_not_a_persons(
    client, world, chinese_catalogue
):
    exhibitor = world["exhibitor"]
    client.force_login(exhibitor.contact)
    url = reverse("exhibition:portal", args=[world["conference"].slug, exhibitor.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "展商简介" in html
    assert "个人资料" not in html


def test_a_product_hall_or_tour_has_a_name_not_a_persons_name(chinese_catalogue):
    from atrium.exhibition import forms

    with translation.override("zh-hans"):
        for form in (forms.ProductForm(), forms.HallForm()):
            assert str(form.fields["name"].label) == "名称"
            assert str(form.fields["name_zh"].label) == "中文名称"
        # A booth-staff invitation names a person: 姓名 stays.
        assert str(forms.StaffInviteForm().fields["name"].label) == "姓名"
