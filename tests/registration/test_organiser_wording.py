"""The organiser's registration page reads in words of the page's language, not in codes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from atrium.events.models import ConferenceRole
from atrium.registration import services
from atrium.registration.models import Answer, Question
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    QuestionFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
)
from tests.registration.factories_organiser import ConferenceRoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    conference = ConferenceFactory(slug="beijing")
    RegistrationPolicyFactory(conference=conference)
    return conference


@pytest.fixture
def orga(client, conference):
    client.force_login(
        ConferenceRoleFactory(conference=conference, role=ConferenceRole.Role.ORGANISER).user
    )
    return client


@pytest.fixture
def registration(conference):
    visa = QuestionFactory(
        conference=conference,
        label="Do you need a visa invitation letter?",
        label_zh="是否需要签证邀请函？",
        kind=Question.Kind.YES_NO,
    )
    diet = QuestionFactory(conference=conference, label="Dietary needs", label_zh="饮食需求")
    rtype = RegistrationTypeFactory(
        conference=conference, code="press", name="Press", name_zh="媒体", price_usd=0, price_cny=0
    )
    registration = services.registration_submit(
        conference=conference,
        person=PersonFactory(),
        rtype=rtype,
        answers={visa.pk: "no"},
    )
    # An answer stored as "None" by an older import reads as nothing at all.
    Answer.objects.create(registration=registration, question=diet, value="None")
    return registration


def _page(orga, registration, language):
    url = reverse(
        "organiser:registration",
        kwargs={"slug": registration.conference.slug, "reference": registration.order.reference},
    )
    return orga.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_answers_and_history_in_chinese(orga, registration):
    html = _page(orga, registration, "zh-hans")
    assert "<dt>是否需要签证邀请函？</dt><dd>否</dd>" in html
    assert "<dt>饮食需求</dt><dd>—</dd>" in html
    assert "None" not in html
    assert "type: press" not in html and "total: 0.00" not in html
    assert "注册类型: 媒体" in html
    assert "总额: $0.00 USD" in html


def test_answers_and_history_in_english(orga, registration):
    html = _page(orga, registration, "en")
    assert "<dt>Do you need a visa invitation letter?</dt><dd>No</dd>" in html
    assert "<dt>Dietary needs</dt><dd>—</dd>" in html
    assert "Registration type: Press" in html
    assert "Total: $0.00 USD" in html
