"""The public pages of an edition, through Django's test client."""

from datetime import timedelta

import pytest
from django.urls import reverse

from atrium.events.models import Session, SessionRole
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
    SessionRoleFactory,
    TalkFactory,
    TrackFactory,
    local,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    conference = ConferenceFactory(
        slug="beijing-2025",
        number=42,
        name="42nd IASP World Conference",
        name_zh="第42届世界科技园区协会大会",
        theme="Innovation ecosystems",
        theme_zh="创新生态",
    )
    hall = RoomFactory(conference=conference, name="Plenary Hall", name_zh="全体大会厅")
    forum_room = RoomFactory(conference=conference, name="Room A", name_zh="A厅")
    track = TrackFactory(conference=conference, name="Health", slug="health")
    opening = SessionFactory(
        conference=conference,
        kind=Session.Kind.OPENING_CEREMONY,
        title="Opening ceremony",
        title_zh="开幕式",
        room=hall,
        start=local(conference, 0, 9),
        end=local(conference, 0, 10, 30),
    )
    forum = SessionFactory(
        conference=conference,
        title="Life sciences forum",
        room=forum_room,
        track=track,
        start=local(conference, 0, 11),
        end=local(conference, 0, 12),
    )
    visit = SessionFactory(
        conference=conference,
        kind=Session.Kind.TECHNICAL_VISIT,
        title="Visit to Changping Park",
        room=None,
        place="Zhongguancun Changping Park",
        seats=40,
        start=local(conference, 1, 13),
        end=local(conference, 1, 17),
    )
    ma = PersonFactory(name="Ma Jun", name_zh="马骏", slug="ma-jun", country="CN")
    SessionRoleFactory(session=opening, person=ma, role=SessionRole.Role.SPEAKER)
    chang = PersonFactory(name="Chang Sheng", name_zh="常盛", slug="chang-sheng")
    TalkFactory(session=forum, title="Circular economy in parks", speakers=[chang])
    RegistrationFactory(conference=conference, person=ma)
    RegistrationFactory(conference=conference, person=chang, person__country="FR")
    return {"conference": conference, "opening": opening, "forum": forum, "visit": visit}


def test_home_shows_the_current_edition(client, edition):
    ConferenceFactory(slug="nairobi-2024", number=41, name="41st IASP World Conference")
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "42nd IASP World Conference" in body
    assert "Innovation ecosystems" in body
    assert reverse("events:programme", args=["beijing-2025"]) in body
    assert "41st IASP World Conference" in body  # listed among other editions
    stats = response.context["stats"]
    assert (stats.sessions, stats.speakers, stats.delegates) == (3, 2, 2)


def test_programme_grid_in_local_time(client, edition):
    response = client.get("/c/beijing-2025/programme/")
    assert response.status_code == 200
    body = response.content.decode()
    # 09:00 in Beijing is 01:00 UTC; the page shows local time.
    assert "09:00–10:30" in body
    assert "01:00" not in body
    assert "Plenary Hall" in body and "Opening ceremony" in body
    assert "Ma Jun" in body
    assert "Visit to Changping Park" not in body  # on day 2


def test_programme_day_tab_and_off_site_column(client, edition):
    response = client.get("/c/beijing-2025/programme/", {"day": "2025-09-17"})
    body = response.content.decode()
    assert "Visit to Changping Park" in body
    assert "Off-site" in body
    assert "40 seats" in body


def test_programme_filters_by_kind_track_and_room(client, edition):
    by_kind = client.get("/c/beijing-2025/programme/", {"kind": "opening_ceremony"})
    assert [s.title for s in by_kind.context["sessions"]] == ["Opening ceremony"]
    by_track = client.get("/c/beijing-2025/programme/", {"track": "health"})
    assert [s.title for s in by_track.context["sessions"]] == ["Life sciences forum"]
    room = edition["forum"].room
    by_room = client.get("/c/beijing-2025/programme/", {"room": room.pk})
    assert [s.title for s in by_room.context["sessions"]] == ["Life sciences forum"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"day": "2031-01-01"}, "Day"),
        ({"day": "yesterday"}, "Day"),
        ({"kind": "rave"}, "Kind"),
        ({"room": "abc"}, "Room"),
        ({"track": "<script>"}, "Track"),
    ],
)
def test_malformed_filter_is_ignored_with_a_notice(client, edition, params, field):
    response = client.get("/c/beijing-2025/programme/", params)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"The filter “{field}” had an unknown value" in body
    assert "<script>" not in body
    assert len(response.context["sessions"]) == 2  # first day, unfiltered


def test_programme_htmx_returns_the_partial(client, edition):
    response = client.get(
        "/c/beijing-2025/programme/", {"day": "2025-09-17"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "Visit to Changping Park" in body


def test_session_page_with_talks_people_and_organisations(client, edition):
    forum = edition["forum"]
    response = client.get(f"/c/beijing-2025/sessions/{forum.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Circular economy in parks" in body
    assert "Chang Sheng" in body
    assert forum.talks.get().speakers.get().organisation.name in body


def test_session_of_another_conference_is_404(client, edition):
    other = SessionFactory()
    response = client.get(f"/c/beijing-2025/sessions/{other.pk}/")
    assert response.status_code == 404


def test_speakers_and_speaker_page(client, edition):
    response = client.get("/c/beijing-2025/speakers/")
    assert [p.name for p in response.context["speakers"]] == ["Chang Sheng", "Ma Jun"]
    page = client.get("/c/beijing-2025/speakers/ma-jun/")
    assert page.status_code == 200
    assert "Opening ceremony" in page.content.decode()
    assert "马骏" in page.content.decode()


def test_a_person_who_does_not_speak_has_no_speaker_page(client, edition):
    PersonFactory(slug="quiet-person")
    assert client.get("/c/beijing-2025/speakers/quiet-person/").status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/c/no-such-edition/", "/c/no-such-edition/programme/", "/c/beijing-2025/sessions/99999/"],
)
def test_unknown_slug_or_id_is_a_404_page(client, edition, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_404_page_in_chinese(client, edition):
    response = client.get("/c/no-such-edition/", HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert response.status_code == 404
    assert "找不到" in response.content.decode()


def test_chinese_page_shows_chinese_content(client, edition):
    response = client.get("/c/beijing-2025/programme/", HTTP_ACCEPT_LANGUAGE="zh-Hans,zh;q=0.9")
    body = response.content.decode()
    assert "开幕式" in body
    assert "全体大会厅" in body
    assert "马骏" in body
    assert 'lang="zh-Hans"' in body


def test_language_cookie_switch(client, edition):
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    assert "第42届世界科技园区协会大会" in client.get("/").content.decode()


def test_theme_css_carries_the_edition_colours(client, edition):
    conference = edition["conference"]
    conference.primary_colour = "#123456"
    conference.save()
    response = client.get("/c/beijing-2025/theme.css")
    assert response["Content-Type"].startswith("text/css")
    assert "--brand:#123456" in response.content.decode()


def test_unpublished_edition_is_hidden(client, edition):
    conference = edition["conference"]
    conference.is_published = False
    conference.save()
    assert client.get("/c/beijing-2025/").status_code == 404


def test_session_must_end_after_start(edition):
    from django.db import IntegrityError, transaction

    opening = edition["opening"]
    opening.end = opening.start - timedelta(minutes=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        opening.save()


@pytest.mark.parametrize("header", ["zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans", "zh-TW,zh;q=0.9"])
def test_chinese_browsers_get_simplified_chinese(client, edition, header):
    body = client.get("/c/beijing-2025/", HTTP_ACCEPT_LANGUAGE=header).content.decode()
    assert "第42届世界科技园区协会大会" in body
    assert 'lang="zh-Hans"' in body


def test_room_of_another_conference_is_refused(edition):
    from django.core.exceptions import ValidationError

    from tests.factories import RoomFactory

    forum = edition["forum"]
    forum.room = RoomFactory()  # belongs to a new, different conference
    with pytest.raises(ValidationError) as excinfo:
        forum.full_clean()
    assert "room" in excinfo.value.message_dict
