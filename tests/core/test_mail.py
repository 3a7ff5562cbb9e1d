"""Text e-mails are plain text: names with ' & < reach the reader as typed, in both languages."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import TestCase

from atrium.core.mail import render_text
from atrium.registration import delegations, seats, services
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

NAME = "Seán O'Brien & Partners <Dublin>"
NAME_ZH = "奥布莱恩 & 合伙人 <都柏林> '甲'"
ESCAPED = ("&#x27;", "&amp;", "&lt;", "&gt;", "&quot;")


def committed(function, **kwargs):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return function(**kwargs)


def assert_plain(message, *expected):
    for text in (message.subject, message.body):
        for entity in ESCAPED:
            assert entity not in text, (entity, text)
    for value in expected:
        assert value in message.subject + message.body, (value, message.subject, message.body)


@pytest.fixture
def conference():
    conference = ConferenceFactory(name="World Conference of Parks & Areas 'Innovate'")
    RegistrationPolicyFactory(conference=conference)
    return conference


@pytest.mark.parametrize(("language", "shown"), [("en", NAME), ("zh-hans", NAME_ZH)])
def test_registration_confirmation_is_not_html_escaped(conference, language, shown):
    rtype = RegistrationTypeFactory(conference=conference, price_usd=0, price_cny=0)
    person = PersonFactory(name=NAME, name_zh=NAME_ZH)
    mail.outbox.clear()
    committed(
        services.registration_submit,
        conference=conference,
        person=person,
        rtype=rtype,
        language=language,
    )
    assert mail.outbox  # received, then confirmed (a free type)
    for message in mail.outbox:
        assert_plain(message, shown)


@pytest.mark.parametrize(("language", "shown"), [("en", NAME), ("zh-hans", NAME_ZH)])
def test_waiting_list_promotion_is_not_html_escaped(conference, language, shown):
    visit = SessionFactory(
        conference=conference,
        kind="technical_visit",
        seats=1,
        room=None,
        title="Visit to O'Reilly & Sons <Labs>",
        title_zh="参观 & <实验室>",
    )
    first = RegistrationFactory(conference=conference)
    waiting = RegistrationFactory(
        conference=conference,
        person=PersonFactory(name=NAME, name_zh=NAME_ZH),
        language=language,
    )
    booking = committed(seats.seat_signup, registration=first, session=visit)
    committed(seats.seat_signup, registration=waiting, session=visit)
    mail.outbox.clear()
    committed(seats.seat_cancel, booking=booking)
    assert len(mail.outbox) == 1
    title = visit.title if language == "en" else visit.title_zh
    assert_plain(mail.outbox[0], shown, title)


@pytest.mark.parametrize(("language", "shown"), [("en", NAME), ("zh-hans", NAME_ZH)])
def test_delegation_invitation_is_not_html_escaped(conference, language, shown):
    rtype = RegistrationTypeFactory(conference=conference, price_usd=0, price_cny=0)
    head = PersonFactory(name=NAME, name_zh=NAME_ZH)
    committed(services.registration_submit, conference=conference, person=head, rtype=rtype)
    delegation = committed(
        delegations.delegation_create,
        conference=conference,
        head=head,
        name="Dublin & Cork 'Tech' <Parks>",
        basis="city",
        city="Dublin",
        member_kind="company",
    )
    mail.outbox.clear()
    committed(
        delegations.delegation_invite,
        delegation=delegation,
        email="member@example.org",
        name="Áine O'Neill & Co <Cork>",
        rtype=rtype,
        join_url="https://atrium.test/join/{token}/?a=1&b=2",
        language=language,
    )
    assert len(mail.outbox) == 1
    assert_plain(
        mail.outbox[0], shown, "Dublin & Cork 'Tech' <Parks>", "Áine O'Neill & Co <Cork>", "&b=2"
    )


def test_render_text_leaves_markup_characters_alone(tmp_path, settings):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "t.txt").write_text("{{ name }} — {% autoescape on %}{{ name }}{% endautoescape %}")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [folder, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    # Autoescaping is off for the whole template; only an explicit block turns it on.
    assert render_text("t.txt", {"name": "a'b&c<d>"}) == "a'b&c<d> — a&#x27;b&amp;c&lt;d&gt;"
