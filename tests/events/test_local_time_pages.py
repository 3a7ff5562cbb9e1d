"""Every page family shows an edition's times in its own zone, and Chinese pages write
dates the Chinese way.

A visit at 08:30 Beijing time is 00:30 UTC: each page must say 08:30 and never 00:30; on
Chinese pages no English month name and no "17 九月" (day before a month name) appear.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from atrium.events.models import ConferenceRole, Session, SessionRole
from atrium.registration.models import SeatBooking
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationPolicyFactory,
    SessionFactory,
    UserFactory,
    local,
)
from tests.matchmaking.factories_web import BlockFactory
from tests.registration.factories_organiser import ConferenceRoleFactory

pytestmark = pytest.mark.django_db

ENGLISH_MONTH = re.compile(
    r"\b(January|February|March|April|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b"
)
DAY_BEFORE_CHINESE_MONTH = re.compile(r"\d{1,2}\s*[一二三四五六七八九十]{1,3}月")


@pytest.fixture
def edition():
    conference = ConferenceFactory(slug="beijing-2025", time_zone="Asia/Shanghai")
    RegistrationPolicyFactory(conference=conference)
    visit = SessionFactory(
        conference=conference,
        kind=Session.Kind.TECHNICAL_VISIT,
        title="Huairou visit",
        title_zh="怀柔科学城参观",
        start=local(conference, 1, 8, 30),
        end=local(conference, 1, 12, 30),
        seats=40,
        room=None,
    )
    speaker = PersonFactory(name="Zhang Wei", name_zh="张伟", slug="zhang-wei")
    SessionRole.objects.create(session=visit, person=speaker, role="speaker")
    block = BlockFactory(
        session__conference=conference,
        session__title="B2B meetings",
        session__title_zh="B2B 洽谈",
        session__start=local(conference, 2, 8, 30),
        session__end=local(conference, 2, 8, 30) + timedelta(hours=2),
    )
    delegate = UserFactory(email="cecile@example.org")
    registration = RegistrationFactory(
        conference=conference, person=PersonFactory(user=delegate, name="Cecile Harle")
    )
    SeatBooking.objects.create(
        session=visit, registration=registration, status=SeatBooking.Status.CONFIRMED
    )
    organiser = ConferenceRoleFactory(conference=conference, role=ConferenceRole.Role.ORGANISER)
    staff = ConferenceRoleFactory(conference=conference, role=ConferenceRole.Role.CHECKIN)
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    return {
        "conference": conference,
        "visit": visit,
        "b2b": block.session,
        "speaker": speaker,
        "delegate": delegate,
        "organiser": organiser.user,
        "staff": staff.user,
        "admin": admin,
    }


def _pages(edition):
    """(who, url, content kind) of each page family that shows the visit's time."""
    slug = edition["conference"].slug
    visit = edition["visit"]
    return [
        (None, reverse("events:programme", args=[slug]) + "?day=2025-09-17", "html"),
        (None, reverse("events:session", args=[slug, visit.pk]), "html"),
        (None, reverse("events:speaker", args=[slug, edition["speaker"].slug]), "html"),
        ("delegate", reverse("registration:me"), "html"),
        ("delegate", reverse("registration:signups", args=[slug]), "html"),
        ("organiser", reverse("organiser:quotas", args=[slug]), "html"),
        ("organiser", reverse("organiser:quota", args=[slug, visit.pk]), "html"),
        ("staff", reverse("checkin:desk", args=[slug]), "html"),
        ("organiser", reverse("matchmaking:organiser", args=[slug]), "html"),
        ("admin", reverse("admin:events_session_change", args=[visit.pk]), "html"),
        (None, reverse("events-schedule-xml", args=[slug]), "frab"),
        (None, reverse("events-schedule-json", args=[slug]), "frab"),
        (None, reverse("events-session-ics", args=[slug, visit.pk]), "ics"),
    ]


def _get(client, edition, who, url, language="en"):
    client.logout()
    if who:
        client.force_login(edition[who])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, (url, response.status_code)
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html)


def test_every_page_family_shows_0830_and_never_0030(client, edition):
    for who, url, kind in _pages(edition):
        body = _get(client, edition, who, url)
        if kind == "ics":
            # iCalendar: local time with its zone, or the same moment in UTC ("Z").
            assert "TZID=Asia/Shanghai:20250917T083000" in body or "20250917T003000Z" in body, url
            continue
        if kind == "frab":
            # Times of day and moments, never a duration ("timeslot_duration": "00:30").
            assert "2025-09-17T08:30:00+08:00" in body, url
            assert "T00:30" not in body, url
            continue
        body = _visible_text(body) + " " + " ".join(re.findall(r'value="([^"]*)"', body))
        assert "08:30" in body, url
        assert "00:30" not in body, url


def test_chinese_pages_write_dates_the_chinese_way(client, edition):
    slug = edition["conference"].slug
    more = [
        ("organiser", reverse("organiser:dashboard", args=[slug]), "html"),
        ("organiser", reverse("organiser:registrations", args=[slug]), "html"),
        (None, reverse("events:conference", args=[slug]), "html"),
        (None, reverse("events:speakers", args=[slug]), "html"),
    ]
    for who, url, kind in _pages(edition) + more:
        if kind != "html" or who == "admin":
            continue
        text = _visible_text(_get(client, edition, who, url, language="zh-hans"))
        english = ENGLISH_MONTH.findall(text)
        assert not english, (url, english)
        day_first = DAY_BEFORE_CHINESE_MONTH.findall(text)
        assert not day_first, (url, day_first)
        if (who, url, kind) not in more:
            assert "9月17日" in text or "9月18日" in text, url
