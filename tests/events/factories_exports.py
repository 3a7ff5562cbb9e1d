"""A small bilingual programme for the export tests (iCalendar, frab XML and JSON)."""

from __future__ import annotations

from dataclasses import dataclass

from atrium.events.models import Conference, Session, SessionRole
from atrium.network.models import Person
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RoomFactory,
    SessionFactory,
    SessionRoleFactory,
    TalkFactory,
    TrackFactory,
    local,
)

SLUG = "expo-2025"


@dataclass
class Programme:
    conference: Conference
    opening: Session
    forum: Session
    visit: Session
    chinese_only: Session
    hidden: Session
    chair: Person
    speaker: Person

    @property
    def public(self) -> list[Session]:
        return [self.opening, self.forum, self.visit, self.chinese_only]


def build_programme() -> Programme:
    """An edition in Beijing time with rooms, a track, an off-site visit and a hidden session."""
    conference = ConferenceFactory(
        slug=SLUG,
        number=42,
        name="42nd World Conference",
        name_zh="第42届世界大会",
        time_zone="Asia/Shanghai",
    )
    hall = RoomFactory(conference=conference, name="Plenary Hall", name_zh="全体大会厅", position=1)
    room_a = RoomFactory(conference=conference, name="Room A", name_zh="A厅", position=2)
    track = TrackFactory(conference=conference, name="Health", name_zh="健康", slug="health")
    opening = SessionFactory(
        conference=conference,
        kind=Session.Kind.OPENING_CEREMONY,
        title="Opening ceremony",
        title_zh="开幕式",
        description="Welcome to Beijing.",
        description_zh="欢迎来到北京。",
        room=hall,
        start=local(conference, 0, 9),
        end=local(conference, 0, 10, 30),
    )
    forum = SessionFactory(
        conference=conference,
        title="Life sciences forum",
        room=room_a,
        track=track,
        start=local(conference, 0, 11),
        end=local(conference, 0, 12, 15),
    )
    visit = SessionFactory(
        conference=conference,
        kind=Session.Kind.TECHNICAL_VISIT,
        title="Visit to Changping Park",
        title_zh="参观昌平园",
        room=None,
        place="Zhongguancun Changping Park",
        place_zh="中关村昌平园",
        seats=40,
        start=local(conference, 1, 13),
        end=local(conference, 1, 17),
    )
    # A title that slugifies to nothing and carries a control character.
    chinese_only = SessionFactory(
        conference=conference,
        kind=Session.Kind.WORKSHOP,
        title="数据论坛\x0b",
        room=room_a,
        start=local(conference, 2, 14, 5),
        end=local(conference, 2, 15, 35),
    )
    hidden = SessionFactory(
        conference=conference,
        title="Closed-door preparatory meeting",
        room=hall,
        is_public=False,
        start=local(conference, 0, 8),
        end=local(conference, 0, 8, 45),
    )
    chair = PersonFactory(name="Ma Jun", name_zh="马骏", slug="ma-jun")
    speaker = PersonFactory(name="Chang Sheng", name_zh="常盛", slug="chang-sheng")
    SessionRoleFactory(session=forum, person=chair, role=SessionRole.Role.CHAIR)
    TalkFactory(session=forum, title="Circular economy in parks", speakers=[speaker])
    return Programme(
        conference=conference,
        opening=opening,
        forum=forum,
        visit=visit,
        chinese_only=chinese_only,
        hidden=hidden,
        chair=chair,
        speaker=speaker,
    )
