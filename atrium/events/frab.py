"""The frab schedule of an edition, as JSON (``schedule.json``) and XML (``schedule.xml``).

This is the format that existing conference apps read (Giggity, EventFahrplan,
pyfahrplan, info-beamer, Engelsystem): the c3voc schedule format, whose XSD and
JSON Schema the tests validate against.

:func:`schedule_data` computes the whole document once, from one selector result
(``selectors.programme_sessions``), shaped as the JSON export;
:func:`schedule_json` and :func:`schedule_xml` only serialise it. Texts are in the
active language (English, or Chinese where a Chinese variant exists). Off-site
sessions (visits) go into a room named after their place.

Identifiers are stable across exports: an event's ``guid`` is a UUID5 of its
session id, a room's of its id, a person's of theirs.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from math import gcd
from xml.etree import ElementTree as ET

from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from atrium.core.i18n import is_chinese, other_script_name
from atrium.events.calendar import clean_text, session_people_text
from atrium.events.models import Conference, Room, Session
from atrium.events.selectors import day_bounds

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
GENERATOR = "Atrium"
# UUID5 namespace of every guid Atrium writes into a schedule (fixed forever).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:atrium:schedule")

# Patterns the schemas put on slugs (the XSD and the JSON Schema differ).
_JSON_SLUG = re.compile(r"[a-z0-9_-]+[a-z0-9]")
_XML_TRACK_SLUG = re.compile(r"[a-z][a-z0-9-]+")
# Event fields written to XML, in this order (the XSD takes them in any order).
_XML_EVENT_FIELDS = (
    "date",
    "start",
    "duration",
    "room",
    "slug",
    "url",
    "title",
    "subtitle",
    "track",
    "type",
    "language",
    "abstract",
    "description",
)


def guid(kind: str, pk: object) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}/{pk}"))


def acronym(conference: Conference) -> str:
    """The edition's short name as both schemas accept it: ``beijing-2025`` → ``beijing_2025``."""
    value = re.sub(r"[^a-z0-9_]", "_", conference.slug.lower())
    return value if len(value) >= 4 else f"{value}_{conference.number:02d}"


def event_slug(conference: Conference, session: Session) -> str:
    """``<acronym>-<id>-<title>``, unique per session, in the characters the schemas allow."""
    title = slugify(session.title)[:60].strip("-_") or session.kind
    return f"{acronym(conference)}-{session.pk}-{title}"


def hours_minutes(duration: timedelta) -> str:
    minutes = max(0, int(duration.total_seconds()) // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def schedule_data(
    *, conference: Conference, sessions: Iterable[Session], request: HttpRequest
) -> dict:
    """The frab schedule as a JSON-ready dict (c3voc ``schedule.json`` layout)."""
    tz = conference.tz
    sessions = list(sessions)
    rooms = _rooms(sessions)  # every room and place used, in order
    room_of = {s.pk: _room_name(s) for s in sessions}

    dates = sorted(set(conference.days) | {s.start.astimezone(tz).date() for s in sessions})
    events_by_date: dict = {day: {} for day in dates}
    for session in sessions:
        day_rooms = events_by_date[session.start.astimezone(tz).date()]
        day_rooms.setdefault(room_of[session.pk], []).append(
            _event(conference, session, room_of[session.pk], request)
        )
    room_order = {room["name"]: index for index, room in enumerate(rooms)}
    days = []
    for index, day in enumerate(dates, start=1):
        start, end = day_bounds(conference, day)
        by_room = events_by_date[day]
        days.append(
            {
                "index": index,
                "date": day.isoformat(),
                "day_start": _datetime(start),
                "day_end": _datetime(end - timedelta(seconds=1)),
                "rooms": {name: by_room[name] for name in sorted(by_room, key=room_order.get)},
            }
        )

    tracks = {}
    for session in sessions:
        if session.track_id and session.track_id not in tracks:
            track = session.track
            entry = {"name": track.name_i18n}
            if _JSON_SLUG.fullmatch(track.slug.lower()):
                entry["slug"] = track.slug.lower()
            tracks[session.track_id] = entry

    conference_data = {
        "acronym": acronym(conference),
        "title": conference.name_i18n,
        "start": conference.start_date.isoformat(),
        "end": conference.end_date.isoformat(),
        "daysCount": len(dates),
        "timeslot_duration": _timeslot(sessions, tz),
        "time_zone_name": conference.time_zone,
        "url": request.build_absolute_uri(conference.get_absolute_url()),
        "colors": {"primary": conference.primary_colour},
        "tracks": list(tracks.values()),
        "rooms": rooms,
        "days": days,
    }
    if conference.description:
        conference_data["description"] = conference.description_i18n
    return _cleaned(
        {
            "$schema": SCHEMA_URL,
            "generator": {"name": GENERATOR},
            "schedule": {
                "version": schedule_version(sessions),
                "base_url": request.build_absolute_uri("/"),
                "conference": conference_data,
            },
        }
    )


def _cleaned(value):
    """The same structure with control characters dropped from every text (XML forbids them)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {_cleaned(key): _cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return value


def schedule_version(sessions: list[Session]) -> str:
    """Changes whenever a session is saved, added or removed: apps compare it."""
    if not sessions:
        return "0"
    latest = max(s.updated for s in sessions)
    return f"{latest:%Y-%m-%dT%H:%M:%SZ}/{len(sessions)}"


def _datetime(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _room_name(session: Session) -> str:
    if session.room_id:
        return session.room.name_i18n
    return session.place_i18n or str(_("Off-site"))


def _rooms(sessions: list[Session]) -> list[dict]:
    """The rooms used, in their order, then the off-site places by name; one entry per name."""
    rooms: dict[int, Room] = {s.room_id: s.room for s in sessions if s.room_id}
    result: dict[str, dict] = {}
    for room in sorted(rooms.values(), key=lambda r: (r.position, r.name)):
        result.setdefault(
            room.name_i18n,
            {"name": room.name_i18n, "guid": guid("room", room.pk), "capacity": room.capacity},
        )
    # A place's guid comes from its English name, so it is the same in every language.
    places = {_room_name(s): s.place for s in sessions if not s.room_id}
    for name in sorted(places):
        key = f"{sessions[0].conference_id}/{places[name]}"
        result.setdefault(name, {"name": name, "guid": guid("place", key), "type": "outside"})
    return list(result.values())


def _timeslot(sessions: list[Session], tz) -> str:
    """The grid step apps should use: the largest step that all starts and ends fall on."""
    step = 60
    for session in sessions:
        for moment in (session.start.astimezone(tz), session.end.astimezone(tz)):
            step = gcd(step, moment.minute)
    return hours_minutes(timedelta(minutes=max(step, 5)))


def _event(conference: Conference, session: Session, room: str, request: HttpRequest) -> dict:
    tz = conference.tz
    start = session.start.astimezone(tz)
    path = reverse("events:session", kwargs={"slug": conference.slug, "session_id": session.pk})
    chinese = is_chinese() and bool(session.title_zh)
    return {
        "guid": guid("session", session.pk),
        "id": session.pk,
        "date": _datetime(start),
        "start": start.strftime("%H:%M"),
        "end": _datetime(session.end.astimezone(tz)),
        "duration": hours_minutes(session.end - session.start),
        "room": room,
        "slug": event_slug(conference, session),
        "url": request.build_absolute_uri(path),
        "title": session.title_i18n,
        "subtitle": other_script_name(session.title, session.title_zh),
        "track": session.track.name_i18n if session.track_id else None,
        "type": str(session.get_kind_display()),
        "language": "zh" if chinese else "en",
        "abstract": session.description_i18n,
        "description": session_people_text(session),
        "persons": _persons(conference, session, request),
        "links": [],
        "attachments": [],
    }


def _persons(conference: Conference, session: Session, request: HttpRequest) -> list[dict]:
    """Everyone with a part in the session (chairs, speakers, ...), once each, in order."""
    people = {}
    for role in getattr(session, "role_list", None) or []:
        people.setdefault(role.person.pk, role.person)
    for talk in getattr(session, "talk_list", None) or []:
        for person in getattr(talk, "speaker_list", None) or []:
            people.setdefault(person.pk, person)
    return [
        {
            "id": person.pk,
            "guid": guid("person", person.pk),
            "public_name": person.name_i18n,
            "url": request.build_absolute_uri(
                reverse(
                    "events:speaker", kwargs={"slug": conference.slug, "person_slug": person.slug}
                )
            ),
        }
        for person in people.values()
    ]


# ------------------------------------------------------------------ serialisers
def schedule_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)


def schedule_xml(data: dict) -> bytes:
    """The same schedule as frab XML (``schedule.xml``), valid against the c3voc XSD."""
    schedule = data["schedule"]
    conference = schedule["conference"]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=data["generator"]["name"])
    _text(root, "version", schedule["version"])

    element = ET.SubElement(root, "conference")
    for key in ("acronym", "title", "start", "end"):
        _text(element, key, conference[key])
    _text(element, "days", str(conference["daysCount"]))
    _text(element, "timeslot_duration", conference["timeslot_duration"])
    _text(element, "base_url", schedule["base_url"])
    _text(element, "url", conference["url"])
    _text(element, "time_zone_name", conference["time_zone_name"])
    ET.SubElement(element, "color", primary=conference["colors"]["primary"])
    for track in conference["tracks"]:
        attributes = {"name": clean_text(track["name"])}
        if _XML_TRACK_SLUG.fullmatch(track.get("slug", "")):
            attributes["slug"] = track["slug"]
        _text(element, "track", track["name"], **attributes)

    room_guids = {room["name"]: room["guid"] for room in conference["rooms"]}
    for day in conference["days"]:
        day_element = ET.SubElement(
            root,
            "day",
            index=str(day["index"]),
            date=day["date"],
            start=day["day_start"],
            end=day["day_end"],
        )
        for room_name, events in day["rooms"].items():
            room_element = ET.SubElement(
                day_element, "room", name=clean_text(room_name), guid=room_guids[room_name]
            )
            for event in events:
                _event_xml(room_element, event)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _event_xml(parent: ET.Element, event: dict) -> None:
    element = ET.SubElement(parent, "event", id=str(event["id"]), guid=event["guid"])
    for key in _XML_EVENT_FIELDS:
        _text(element, key, event[key])
    persons = ET.SubElement(element, "persons")
    for person in event["persons"]:
        _text(persons, "person", person["public_name"], id=str(person["id"]), guid=person["guid"])
    links = ET.SubElement(element, "links")
    for link in event["links"]:
        _text(links, "link", link.get("title", link["url"]), href=link["url"])
    attachments = ET.SubElement(element, "attachments")
    for attachment in event["attachments"]:
        _text(
            attachments,
            "attachment",
            attachment.get("title", attachment["url"]),
            href=attachment["url"],
        )


def _text(parent: ET.Element, tag: str, value: str | None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, **attributes)
    element.text = clean_text(value or "")
    return element
