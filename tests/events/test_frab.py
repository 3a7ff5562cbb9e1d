"""The frab schedule (schedule.xml, schedule.json), validated against the public c3voc schemas."""

from __future__ import annotations

import io
import json
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import xmlschema
from django.core.management import call_command

from atrium.demo.large import build_large_edition
from atrium.events import selectors
from atrium.events.models import Conference, Session
from tests.events.factories_exports import SLUG, build_programme
from tests.factories import ConferenceFactory, SessionFactory

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "schemas"
XML = f"/c/{SLUG}/schedule.xml"
JSON = f"/c/{SLUG}/schedule.json"


@pytest.fixture(scope="module")
def xsd() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMAS / "schedule.xml.xsd")


def _format_checker() -> jsonschema.FormatChecker:
    """The schema's formats, checked with the standard library (no optional packages)."""
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def date_time(value) -> bool:
        if not isinstance(value, str):
            return True
        if "T" not in value or datetime.fromisoformat(value).tzinfo is None:
            raise ValueError(f"{value!r} is not a date-time with an offset")
        return True

    @checker.checks("date", raises=ValueError)
    def date(value) -> bool:
        return not isinstance(value, str) or bool(datetime.strptime(value, "%Y-%m-%d"))

    @checker.checks("uuid", raises=ValueError)
    def is_uuid(value) -> bool:
        return not isinstance(value, str) or bool(uuid.UUID(value))

    @checker.checks("uri")
    def uri(value) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.netloc)

    return checker


@pytest.fixture(scope="module")
def json_validator() -> jsonschema.Draft6Validator:
    schema = json.loads((SCHEMAS / "schedule.schema.json").read_text())
    jsonschema.Draft6Validator.check_schema(schema)
    return jsonschema.Draft6Validator(schema, format_checker=_format_checker())


@pytest.fixture
def programme():
    return build_programme()


def get_json(client, url: str, validator, **headers) -> dict:
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert not errors, errors[:5]
    return data


def get_xml(client, url: str, xsd, **headers) -> ET.Element:
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    text = response.content.decode()
    errors = [str(error) for error in xsd.iter_errors(text)]
    assert not errors, errors[:3]
    return xmlschema.XMLResource(text).root  # parsed with xmlschema's safe defaults


def json_events(data: dict) -> dict[int, dict]:
    events = {}
    for day in data["schedule"]["conference"]["days"]:
        for room, items in day["rooms"].items():
            for event in items:
                assert event["room"] == room
                assert event["id"] not in events
                events[event["id"]] = {**event, "_day": day["date"]}
    return events


def xml_events(root: ET.Element) -> dict[int, ET.Element]:
    return {int(e.get("id")): e for e in root.iter("event")}


def test_json_validates_and_carries_the_public_programme(client, programme, json_validator):
    data = get_json(client, JSON, json_validator)
    conference = data["schedule"]["conference"]
    assert conference["acronym"] == "expo_2025"
    assert conference["title"] == "42nd World Conference"
    assert conference["time_zone_name"] == "Asia/Shanghai"
    assert (conference["start"], conference["end"], conference["daysCount"]) == (
        "2025-09-16",
        "2025-09-18",
        3,
    )
    assert conference["timeslot_duration"] == "00:05"  # a session starts at 14:05
    days = conference["days"]
    assert [d["index"] for d in days] == [1, 2, 3]
    assert days[0]["day_start"] == "2025-09-16T00:00:00+08:00"
    assert days[0]["day_end"] == "2025-09-16T23:59:59+08:00"
    events = json_events(data)
    assert set(events) == {s.pk for s in programme.public}
    assert programme.hidden.pk not in events

    forum = events[programme.forum.pk]
    assert forum["_day"] == "2025-09-16"
    assert forum["date"] == "2025-09-16T11:00:00+08:00"
    assert (forum["start"], forum["duration"]) == ("11:00", "01:15")
    assert forum["end"] == "2025-09-16T12:15:00+08:00"
    assert forum["room"] == "Room A"
    assert forum["track"] == "Health"
    assert forum["type"] == "Parallel forum"
    assert forum["title"] == "Life sciences forum"
    assert forum["subtitle"] == ""
    assert forum["language"] == "en"
    assert forum["slug"] == f"expo_2025-{programme.forum.pk}-life-sciences-forum"
    assert forum["url"] == f"http://testserver/c/{SLUG}/sessions/{programme.forum.pk}/"
    assert [(p["id"], p["public_name"]) for p in forum["persons"]] == [
        (programme.chair.pk, "Ma Jun"),
        (programme.speaker.pk, "Chang Sheng"),
    ]
    assert "Circular economy in parks" in forum["description"]
    assert forum["links"] == [] and forum["attachments"] == []

    opening = events[programme.opening.pk]
    assert opening["subtitle"] == "开幕式"  # the other language's title
    assert opening["abstract"] == "Welcome to Beijing."
    assert opening["track"] is None
    # A title that slugifies to nothing falls back to the session's kind.
    assert events[programme.chinese_only.pk]["slug"].endswith("-workshop")
    assert events[programme.chinese_only.pk]["title"] == "数据论坛"


def test_off_site_sessions_go_into_a_room_named_after_the_place(
    client, programme, json_validator, xsd
):
    data = get_json(client, JSON, json_validator)
    rooms = data["schedule"]["conference"]["rooms"]
    assert [r["name"] for r in rooms] == ["Plenary Hall", "Room A", "Zhongguancun Changping Park"]
    assert rooms[-1]["type"] == "outside"
    day_two = data["schedule"]["conference"]["days"][1]
    assert list(day_two["rooms"]) == ["Zhongguancun Changping Park"]
    assert day_two["rooms"]["Zhongguancun Changping Park"][0]["id"] == programme.visit.pk
    root = get_xml(client, XML, xsd)
    (room,) = root.findall("day[@index='2']/room")
    assert room.get("name") == "Zhongguancun Changping Park"
    assert room.find("event/room").text == "Zhongguancun Changping Park"


def test_xml_validates_and_matches_the_json(client, programme, xsd, json_validator):
    root = get_xml(client, XML, xsd)
    data = get_json(client, JSON, json_validator)
    assert root.findtext("conference/acronym") == "expo_2025"
    assert root.findtext("conference/time_zone_name") == "Asia/Shanghai"
    assert root.findtext("version") == data["schedule"]["version"]
    dates = [d.get("date") for d in root.findall("day")]
    assert dates == ["2025-09-16", "2025-09-17", "2025-09-18"]
    events = xml_events(root)
    expected = json_events(data)
    assert set(events) == set(expected) == {s.pk for s in programme.public}
    for pk, event in events.items():
        assert event.get("guid") == expected[pk]["guid"]
        for field in ("title", "date", "start", "duration", "room", "slug", "type", "url"):
            assert event.findtext(field) == expected[pk][field], field
    forum = events[programme.forum.pk]
    assert forum.findtext("track") == "Health"
    persons = forum.findall("persons/person")
    assert [(int(p.get("id")), p.text) for p in persons] == [
        (programme.chair.pk, "Ma Jun"),
        (programme.speaker.pk, "Chang Sheng"),
    ]
    assert events[programme.opening.pk].findtext("track") == ""  # required, empty without one


def test_guids_are_stable_uuid5(client, programme, json_validator):
    first = json_events(get_json(client, JSON, json_validator))
    forum = Session.objects.get(pk=programme.forum.pk)
    forum.title = "Another title"
    forum.save()
    second = json_events(get_json(client, JSON, json_validator))
    guids = {pk: event["guid"] for pk, event in first.items()}
    assert guids == {pk: event["guid"] for pk, event in second.items()}
    assert len(set(guids.values())) == len(guids)
    assert all(uuid.UUID(g).version == 5 for g in guids.values())
    assert first[programme.forum.pk]["title"] != second[programme.forum.pk]["title"]


def test_chinese_schedule(client, programme, json_validator, xsd):
    headers = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
    data = get_json(client, JSON, json_validator, **headers)
    assert data["schedule"]["conference"]["title"] == "第42届世界大会"
    events = json_events(data)
    opening = events[programme.opening.pk]
    assert (opening["title"], opening["subtitle"], opening["language"]) == (
        "开幕式",
        "Opening ceremony",
        "zh",
    )
    assert opening["room"] == "全体大会厅"
    assert opening["abstract"] == "欢迎来到北京。"
    assert events[programme.visit.pk]["room"] == "中关村昌平园"
    assert events[programme.forum.pk]["persons"][0]["public_name"] == "马骏"
    assert events[programme.forum.pk]["track"] == "健康"
    # Rooms and places keep their guids across languages; only the names change.
    english = get_json(client, JSON, json_validator)
    guids = [[r["guid"] for r in d["schedule"]["conference"]["rooms"]] for d in (english, data)]
    assert guids[0] == guids[1]
    assert len(set(guids[0])) == 3
    root = get_xml(client, XML + "?lang=zh-hans", xsd)
    assert xml_events(root)[programme.opening.pk].findtext("title") == "开幕式"


def test_unpublished_or_unknown_edition_is_404(client):
    ConferenceFactory(slug="draft-2026", is_published=False)
    SessionFactory(conference__slug="draft-2027", conference__is_published=False)
    for slug in ("draft-2026", "draft-2027", "no-such-edition"):
        assert client.get(f"/c/{slug}/schedule.xml").status_code == 404
        assert client.get(f"/c/{slug}/schedule.json").status_code == 404


def test_empty_programme_validates(client, xsd, json_validator):
    ConferenceFactory(slug="empty-2030")
    data = get_json(client, "/c/empty-2030/schedule.json", json_validator)
    assert [d["rooms"] for d in data["schedule"]["conference"]["days"]] == [{}, {}, {}]
    root = get_xml(client, "/c/empty-2030/schedule.xml", xsd)
    assert len(root.findall("day")) == 3


def test_conditional_request(client, programme):
    for url in (XML, JSON):
        etag = client.get(url)["ETag"]
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    programme.opening.save()
    assert client.get(JSON, HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.parametrize("url", ["/c/{}/schedule.xml", "/c/{}/schedule.json"])
def test_query_count_does_not_grow_with_the_programme(client, django_assert_num_queries, url):
    small = build_large_edition(sessions=10, organisations=20, slug="small")
    large = build_large_edition(sessions=50, organisations=20, slug="large")
    for conference in (small, large):
        # Edition with its revision, sessions (rooms, tracks), roles, talks, speakers.
        with django_assert_num_queries(5):
            response = client.get(url.format(conference.slug))
        assert response.status_code == 200
        # Rendered once per revision: a repeat is the revision query and a cache read.
        with django_assert_num_queries(1):
            assert client.get(url.format(conference.slug)).content == response.content
    assert str(large.sessions.first().pk) in response.content.decode()


def test_demo_schedules_validate(client, xsd, json_validator):
    call_command("load_demo", "--without-debug", stdout=io.StringIO())
    for conference in Conference.objects.filter(is_published=True):
        public = set(selectors.public_sessions(conference).values_list("pk", flat=True))
        assert public
        for language in ("en", "zh-hans"):
            data = get_json(
                client, f"/c/{conference.slug}/schedule.json?lang={language}", json_validator
            )
            assert set(json_events(data)) == public
            root = get_xml(client, f"/c/{conference.slug}/schedule.xml?lang={language}", xsd)
            assert set(xml_events(root)) == public
