"""Job titles of the demo read in Chinese on Chinese pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from atrium.demo import data
from atrium.demo.loader import load_demo
from atrium.network.models import Person


@pytest.fixture
def demo(db):
    return load_demo()


def test_speakers_page_in_chinese_shows_chinese_titles(client, demo):
    html = client.get(
        reverse("events:speakers", args=["beijing-2025"]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "Chief Executive Officer" not in html
    assert "首席执行官" in html


def test_every_common_title_has_its_chinese_and_a_second_load_keeps_edits(demo):
    assert not Person.objects.filter(
        position__in=list(data.COMMON_POSITIONS_ZH), position_zh=""
    ).exists()
    person = Person.objects.filter(position="Chief Executive Officer").first()
    person.position_zh = "总裁"
    person.save(update_fields=["position_zh"])
    load_demo()
    person.refresh_from_db()
    assert person.position_zh == "总裁"
