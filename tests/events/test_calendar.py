"""iCalendar feeds: the programme, one session, a personal agenda; parsed back with icalendar."""

from __future__ import annotations

import io
from datetime import date
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.management import call_command
from django.test import RequestFactory

from atrium.demo.large import build_large_edition
from atrium.events import selectors
from atrium.events.calendar import agenda_calendar
from atrium.events.models import Conference, Session
from tests.events.factories_exports import SLUG, build_programme
from tests.factories import ConferenceFactory, SessionFactory, local

pytestmark = pytest.mark.django_db

PROGRAMME = f"/c/{SLUG}/programme.ics"


@pytest.fixture
def programme():
    return build_programme()


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events_by_uid(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    events = calendar.walk("VEVENT")
    by_uid = {str(event["UID"]): event for event in events}
    assert len(by_uid) == len(events), "UIDs must be unique"
    return by_uid


def uid(session: Session) -> str:
    return f"session-{session.pk}@testserver"


def test_programme_feed_parses_back_with_the_same_events(client, programme):
    response = client.get(PROGRAMME)
    calendar = parse(response)
    assert response["Content-Disposition"] == f'attachment; filename="{SLUG}-programme.ics"'
    events = events_by_uid(calendar)
    assert set(events) == {uid(s) for s in programme.public}
    assert uid(programme.hidden) not in events  # not public
    for session in programme.public:
        event = events[uid(session)]
        # The same instants as in the database, as aware datetimes in Beijing time.
        assert event.start == session.start
        assert event.end == session.end
        assert event.start.tzinfo == ZoneInfo("Asia/Shanghai")
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert event["DTEND"].params["TZID"] == "Asia/Shanghai"
        assert int(event["SEQUENCE"]) == session.sequence
        # Whole seconds in iCalendar.
        assert event["DTSTAMP"].dt == session.updated.replace(microsecond=0)
        assert event["LAST-MODIFIED"].dt == session.updated.replace(microsecond=0)
        assert str(event["URL"]) == f"http://testserver/c/{SLUG}/sessions/{session.pk}/"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert str(calendar["X-WR-CALNAME"]) == "42nd World Conference – programme"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    # Local wall-clock time in the file: 09:00 in Beijing (01:00 UTC).
    assert b"DTSTART;TZID=Asia/Shanghai:20250916T090000" in response.content


def test_event_texts_location_and_categories(client, programme):
    events = events_by_uid(parse(client.get(PROGRAMME)))
    forum = events[uid(programme.forum)]
    assert str(forum["SUMMARY"]) == "Life sciences forum"
    assert str(forum["LOCATION"]) == "Room A"
    assert [str(c) for c in forum.categories] == ["Parallel forum", "Health"]
    description = str(forum["DESCRIPTION"])
    assert "Chair: Ma Jun" in description
    assert "Circular economy in parks (Chang Sheng" in description
    visit = events[uid(programme.visit)]
    assert str(visit["LOCATION"]) == "Zhongguancun Changping Park"  # off-site place
    assert str(events[uid(programme.opening)]["DESCRIPTION"]).startswith("Welcome to Beijing.")
    # The control character of the title is dropped, the rest kept.
    assert str(events[uid(programme.chinese_only)]["SUMMARY"]) == "数据论坛"


def test_file_follows_rfc_5545_line_rules(client, programme):
    content = client.get(PROGRAMME).content
    assert content.startswith(b"BEGIN:VCALENDAR\r\n")
    assert content.endswith(b"END:VCALENDAR\r\n")
    lines = content.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75  # octets, folded
    calendar = icalendar.Calendar.from_ical(content)
    calendar.validate()  # PRODID, VERSION and at least one component
    assert str(calendar["VERSION"]) == "2.0"


def test_sequence_goes_up_and_uid_stays_when_a_session_changes(client, programme):
    before = events_by_uid(parse(client.get(PROGRAMME)))[uid(programme.forum)]
    forum = Session.objects.get(pk=programme.forum.pk)
    forum.title = "Life sciences and health forum"
    forum.start = forum.start.replace(hour=forum.start.hour + 1)
    forum.end = forum.end.replace(hour=forum.end.hour + 1)
    forum.save()
    after = events_by_uid(parse(client.get(PROGRAMME)))[uid(programme.forum)]
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert str(after["SUMMARY"]) == "Life sciences and health forum"
    assert after.start == forum.start
    assert after["DTSTAMP"].dt == forum.updated.replace(microsecond=0)


@pytest.mark.parametrize(
    ("headers", "query"),
    [({"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}, ""), ({}, "?lang=zh-hans"), ({}, "?lang=zh")],
)
def test_chinese_feed(client, programme, headers, query):
    response = client.get(PROGRAMME + query, **headers)
    calendar = parse(response)
    assert response["Content-Language"] == "zh-hans"
    events = events_by_uid(calendar)
    opening = events[uid(programme.opening)]
    assert str(opening["SUMMARY"]) == "开幕式"
    assert str(opening["LOCATION"]) == "全体大会厅"
    assert str(opening["DESCRIPTION"]).startswith("欢迎来到北京。")
    assert str(events[uid(programme.visit)]["LOCATION"]) == "中关村昌平园"
    # No Chinese title: the English one, rather than nothing.
    assert str(events[uid(programme.forum)]["SUMMARY"]) == "Life sciences forum"
    assert str(calendar["X-WR-CALNAME"]).startswith("第42届世界大会")
    # Same events, same UIDs, whatever the language.
    assert set(events) == {uid(s) for s in programme.public}


def test_unknown_language_is_a_clear_400(client, programme):
    response = client.get(PROGRAMME + "?lang=klingon")
    assert response.status_code == 400
    assert "lang" in response.content.decode()
    assert "klingon" in response.content.decode()


def test_single_session_feed(client, programme):
    response = client.get(f"/c/{SLUG}/sessions/{programme.forum.pk}.ics")
    calendar = parse(response)
    assert f'filename="{SLUG}-session-{programme.forum.pk}.ics"' in response["Content-Disposition"]
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == uid(programme.forum)  # the same UID as in the programme feed
    assert event.start == programme.forum.start
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_hidden_unknown_or_foreign_session_is_404(client, programme):
    foreign = SessionFactory()
    for session_id in (programme.hidden.pk, foreign.pk, 999999):
        assert client.get(f"/c/{SLUG}/sessions/{session_id}.ics").status_code == 404


def test_unpublished_or_unknown_edition_is_404(client):
    draft = ConferenceFactory(slug="draft-2026", is_published=False)
    session = SessionFactory(conference=draft)
    assert client.get("/c/draft-2026/programme.ics").status_code == 404
    assert client.get(f"/c/draft-2026/sessions/{session.pk}.ics").status_code == 404
    assert client.get("/c/no-such-edition/programme.ics").status_code == 404


def test_only_get_and_head(client, programme):
    assert client.head(PROGRAMME).status_code == 200
    assert client.post(PROGRAMME).status_code == 405


def test_empty_programme_is_still_a_valid_calendar(client):
    ConferenceFactory(slug="empty-2030")
    calendar = parse(client.get("/c/empty-2030/programme.ics"))
    assert calendar.walk("VEVENT") == []
    calendar.validate()  # the VTIMEZONE keeps it non-empty
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_conditional_requests_for_cheap_polling(client, programme, django_assert_num_queries):
    first = client.get(PROGRAMME)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert "Accept-Language" in first["Vary"] and "Cookie" in first["Vary"]
    # Unchanged: 304 after one query (the edition with its programme's revision).
    with django_assert_num_queries(1):
        unchanged = client.get(PROGRAMME, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert client.get(PROGRAMME, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    # Each language has its own ETag.
    assert client.get(PROGRAMME + "?lang=zh-hans")["ETag"] != etag
    # A change to a session changes the ETag.
    programme.forum.save()
    changed = client.get(PROGRAMME, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    # So does a session leaving the public programme.
    etag = changed["ETag"]
    programme.visit.is_public = False
    programme.visit.save()
    hidden = client.get(PROGRAMME, HTTP_IF_NONE_MATCH=etag)
    assert hidden.status_code == 200
    assert uid(programme.visit) not in events_by_uid(parse(hidden))


def test_single_session_conditional_request(client, programme):
    url = f"/c/{SLUG}/sessions/{programme.opening.pk}.ics"
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    programme.opening.save()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_agenda_calendar_for_the_personal_feed(programme):
    request = RequestFactory().get("/agenda/some-token.ics")
    sessions = selectors.programme_sessions(programme.conference).filter(
        pk__in=[programme.forum.pk, programme.visit.pk]
    )
    calendar = agenda_calendar(
        conference=programme.conference, sessions=sessions, name="My agenda", request=request
    )
    parsed = icalendar.Calendar.from_ical(calendar.to_ical())
    assert str(parsed["X-WR-CALNAME"]) == "My agenda"
    events = events_by_uid(parsed)
    # The same UIDs as the programme feed, so the events match across feeds.
    assert set(events) == {uid(programme.forum), uid(programme.visit)}
    assert events[uid(programme.visit)].start == programme.visit.start


def programme_queries(client, slug: str, django_assert_num_queries) -> None:
    # Edition with its revision, sessions (with rooms, venues, tracks), roles, talks, speakers.
    with django_assert_num_queries(5):
        response = client.get(f"/c/{slug}/programme.ics")
    assert response.status_code == 200
    # Once rendered, a repeat is the revision query and a cache read.
    with django_assert_num_queries(1):
        again = client.get(f"/c/{slug}/programme.ics")
    assert again.content == response.content


def test_query_count_does_not_grow_with_the_programme(client, django_assert_num_queries):
    small = build_large_edition(sessions=10, organisations=20, slug="small")
    large = build_large_edition(sessions=50, organisations=20, slug="large")
    programme_queries(client, small.slug, django_assert_num_queries)
    programme_queries(client, large.slug, django_assert_num_queries)
    calendar = parse(client.get(f"/c/{large.slug}/programme.ics"))
    assert len(calendar.walk("VEVENT")) == selectors.public_sessions(large).count() == 50


def test_demo_programmes_parse_back(client):
    call_command("load_demo", "--without-debug", stdout=io.StringIO())
    for conference in Conference.objects.filter(is_published=True):
        sessions = {s.pk: s for s in selectors.public_sessions(conference)}
        assert sessions
        for language in ("en", "zh-hans"):
            calendar = parse(client.get(f"/c/{conference.slug}/programme.ics?lang={language}"))
            events = events_by_uid(calendar)
            assert set(events) == {uid(s) for s in sessions.values()}
            for session in sessions.values():
                event = events[uid(session)]
                assert (event.start, event.end) == (session.start, session.end)
                assert event["DTSTART"].params["TZID"] == conference.time_zone
                assert str(event["SUMMARY"]) == (
                    session.title_zh or session.title if language == "zh-hans" else session.title
                )


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC"])
def test_other_time_zones_round_trip(client, zone):
    conference = ConferenceFactory(slug="elsewhere", time_zone=zone)
    # Berlin changes to winter time during the edition (26 October 2025).
    conference.start_date, conference.end_date = date(2025, 10, 25), date(2025, 10, 27)
    conference.save()
    sessions = [
        SessionFactory(conference=conference, start=local(conference, day, 10)) for day in range(3)
    ]
    calendar = parse(client.get("/c/elsewhere/programme.ics"))
    events = events_by_uid(calendar)
    for session in sessions:
        event = events[uid(session)]
        assert event.start == session.start
        assert event.start.astimezone(ZoneInfo(zone)).hour == 10
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [zone]


def test_pages_link_to_the_exports(client, programme):
    body = client.get(f"/c/{SLUG}/programme/").content.decode()
    assert f'href="/c/{SLUG}/programme.ics?lang=en"' in body
    assert f'href="webcal://testserver/c/{SLUG}/programme.ics?lang=en"' in body
    assert f'href="/c/{SLUG}/schedule.xml?lang=en"' in body
    assert f'href="/c/{SLUG}/schedule.json?lang=en"' in body
    home = client.get(f"/c/{SLUG}/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert f'href="/c/{SLUG}/programme.ics?lang=zh-hans"' in home
    session = client.get(f"/c/{SLUG}/sessions/{programme.forum.pk}/").content.decode()
    assert f'href="/c/{SLUG}/sessions/{programme.forum.pk}.ics?lang=en"' in session
