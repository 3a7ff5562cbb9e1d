"""A big synthetic edition, built fast, for benchmarks and query-count tests.

``build_large_edition(sessions=600, organisations=5000)`` writes everything with
``bulk_create`` inside one transaction (a savepoint inside a test's transaction). Every
row has the same kinds of relations at any size, so that a page's query count can be
compared between a small and a large edition:

* each session has a room (or, for visits, an off-site place and seats), a track, four
  roles (chair, two speakers, panellist) and two talks with one speaker each;
* every fifth organisation is a company or incubator inside the park before it; each
  organisation has a country, a city and two sectors; parks are members;
* every person works at an organisation, has an e-mail on example.com, is listed in the
  directory and is registered (confirmed) for the edition.

All rows are ``is_synthetic=True``; slugs are prefixed with the edition's slug, so that
several large editions (and the demo) can live in one database.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max

from atrium.events.models import Conference, Room, Session, SessionRole, Talk, Track, Venue
from atrium.network.models import Organisation, Person
from atrium.registration.models import Registration

from . import data
from .loader import CHINESE_COUNTRIES, _ensure_sectors, pinyin_name

SLOTS_PER_DAY = 8  # one-hour slots from 09:00
DAYS = 3
KINDS = [
    Session.Kind.PLENARY,
    Session.Kind.PARALLEL_FORUM,
    Session.Kind.PARALLEL_FORUM,
    Session.Kind.PARALLEL_FORUM,
    Session.Kind.WORKSHOP,
    Session.Kind.KEYNOTE,
    Session.Kind.PARALLEL_FORUM,
    Session.Kind.BILATERAL_MEETING,
    Session.Kind.TECHNICAL_VISIT,
    Session.Kind.CULTURAL_VISIT,
]
VISITS = {Session.Kind.TECHNICAL_VISIT, Session.Kind.CULTURAL_VISIT}
ROLES = [
    SessionRole.Role.CHAIR,
    SessionRole.Role.SPEAKER,
    SessionRole.Role.SPEAKER,
    SessionRole.Role.PANELLIST,
]


def _latin_names() -> tuple[list[str], list[str]]:
    givens: dict[str, None] = {}
    families: dict[str, None] = {}
    for pool_givens, pool_families in data.NAME_POOLS.values():
        givens.update(dict.fromkeys(pool_givens))
        families.update(dict.fromkeys(pool_families))
    return list(givens), list(families)


@transaction.atomic
def build_large_edition(
    *,
    sessions: int,
    organisations: int,
    people: int | None = None,
    slug: str = "large",
    seed: int = 1,
) -> Conference:
    """Create a synthetic edition ``slug`` with the given numbers of rows; returns it."""
    if sessions < 1 or organisations < 1:
        raise ValueError("sessions and organisations must be at least 1.")
    if people is None:
        people = max(organisations, 8)
    if people < 4:
        raise ValueError("people must be at least 4 (a session has four roles).")
    if Conference.objects.filter(slug=slug).exists():
        raise ValueError(f"A conference with the slug {slug!r} exists already.")
    rng = random.Random(f"{seed}-{slug}")
    number = max((Conference.objects.aggregate(n=Max("number"))["n"] or 0) + 1, 1000)
    start = date(2026, 10, 6)
    conference = Conference.objects.create(
        slug=slug,
        number=number,
        name=f"Synthetic edition {slug} ({sessions} sessions)",
        name_zh=f"合成测试大会 {slug}",
        theme="A large synthetic edition for benchmarks",
        theme_zh="用于性能测试的大型合成大会",
        city="Valencia",
        country="ES",
        time_zone="Europe/Madrid",
        start_date=start,
        end_date=start + timedelta(days=DAYS - 1),
    )
    tz = ZoneInfo(conference.time_zone)

    # Places and tracks.
    venue = Venue.objects.create(conference=conference, name="Congress Centre", name_zh="会议中心")
    n_rooms = max(4, math.ceil(sessions / (SLOTS_PER_DAY * DAYS)))
    rooms = Room.objects.bulk_create(
        Room(
            conference=conference,
            venue=venue,
            name=f"Room {i + 1}",
            name_zh=f"{i + 1}号会议室",
            capacity=100 + 20 * (i % 10),
            position=i,
        )
        for i in range(n_rooms)
    )
    tracks = Track.objects.bulk_create(
        Track(conference=conference, slug=s, name=name, name_zh=name_zh)
        for s, name, name_zh in data.BEIJING_TRACKS
    )

    # Organisations: parks first, then every fifth a company inside the park before it.
    # Sector ids in slug order, as before: the loader creates any missing sector.
    sector_ids = [pk for _slug, pk in sorted(_ensure_sectors().items())]
    countries = data.COUNTRIES
    park_rows, child_rows = [], []
    for i in range(organisations):
        code, _, cities = countries[i % len(countries)]
        city, city_zh = cities[(i // len(countries)) % len(cities)]
        is_child = i % 5 == 4
        if is_child:
            suffix, kind = data.COMPANY_SUFFIXES[i % len(data.COMPANY_SUFFIXES)]
            word = data.COMPANY_WORDS[(i // 5) % len(data.COMPANY_WORDS)]
            name, name_zh = f"{city} {word} {suffix} {i + 1}", ""
        else:
            suffix, kind, suffix_zh = data.PARK_SUFFIXES[i % len(data.PARK_SUFFIXES)]
            name = f"{city} {suffix} {i + 1}"
            name_zh = f"{city_zh}{suffix_zh}{i + 1}" if city_zh else ""
        org = Organisation(
            slug=f"{slug}-org-{i + 1}",
            name=name,
            name_zh=name_zh,
            kind=kind,
            country=code,
            city=city,
            city_zh=city_zh,
            website=f"https://{slug}-org-{i + 1}.example.org/",
            description=f"Synthetic organisation {i + 1} of the edition {slug}.",
            member_since=None if is_child else 1985 + (i * 7) % 40,
            is_synthetic=True,
        )
        org.refresh_search_key()
        (child_rows if is_child else park_rows).append((i, org))
    parks = Organisation.objects.bulk_create([o for _, o in park_rows], batch_size=1000)
    park_by_index = {i: org for (i, _), org in zip(park_rows, parks, strict=True)}
    for i, org in child_rows:
        org.parent_id = park_by_index[i - 1].pk
    children = Organisation.objects.bulk_create([o for _, o in child_rows], batch_size=1000)
    orgs = sorted(
        [*zip([i for i, _ in park_rows], parks, strict=True)]
        + [*zip([i for i, _ in child_rows], children, strict=True)],
        key=lambda pair: pair[0],
    )
    orgs = [org for _, org in orgs]
    through = Organisation.sectors.through
    through.objects.bulk_create(
        (
            through(organisation_id=org.pk, sector_id=sector_ids[(i + k * 5) % len(sector_ids)])
            for i, org in enumerate(orgs)
            for k in range(2)
        ),
        batch_size=2000,
    )

    # People: one in ten with a Chinese name where the organisation is Chinese-speaking.
    givens, families = _latin_names()
    used: set[str] = set()
    person_objs = []
    for i in range(people):
        org = orgs[i % len(orgs)]
        name_zh = ""
        if org.country in CHINESE_COUNTRIES or i % 10 == 0:
            family = data.ZH_FAMILY_NAMES[rng.randrange(len(data.ZH_FAMILY_NAMES))]
            given = "".join(rng.choice(data.ZH_GIVEN_CHARS) for _ in range(2))
            name, name_zh, sort_name = pinyin_name(family, given), family + given, ""
            sort_name = name
        else:
            given, family = rng.choice(givens), rng.choice(families)
            name, sort_name = f"{given} {family}", f"{family}, {given}"
        if name in used:
            name = f"{name} {i + 1}"
            sort_name = f"{sort_name} {i + 1}"
        used.add(name)
        person = Person(
            slug=f"{slug}-person-{i + 1}",
            name=name,
            name_zh=name_zh,
            sort_name=sort_name,
            position=data.POSITIONS["park"][i % len(data.POSITIONS["park"])][0],
            organisation_id=org.pk,
            country=org.country,
            email=f"{slug}-person-{i + 1}@example.com",
            directory_opt_in=True,
            is_synthetic=True,
        )
        person.refresh_search_key()
        person_objs.append(person)
    persons = Person.objects.bulk_create(person_objs, batch_size=1000)
    Registration.objects.bulk_create(
        (Registration(conference=conference, person_id=p.pk, status="confirmed") for p in persons),
        batch_size=2000,
    )

    # Sessions over three days: room i % rooms, one-hour slot i // rooms.
    session_objs = []
    used_slots = math.ceil(sessions / n_rooms)
    for i in range(sessions):
        kind = KINDS[i % len(KINDS)]
        # Spread the used slots over the three days, whatever the size.
        slot = (i // n_rooms) * SLOTS_PER_DAY * DAYS // used_slots
        day, hour = divmod(slot, SLOTS_PER_DAY)
        begins = datetime.combine(
            start + timedelta(days=day), datetime.min.time(), tzinfo=tz
        ) + timedelta(hours=9 + hour)
        track = tracks[i % len(tracks)]
        visit = kind in VISITS
        session_objs.append(
            Session(
                conference=conference,
                kind=kind,
                title=f"{track.name}: session {i + 1}",
                title_zh=f"{track.name_zh}：第{i + 1}场",
                description=f"Synthetic session {i + 1}.",
                start=begins,
                end=begins + timedelta(minutes=50),
                room=None if visit else rooms[i % n_rooms],
                place=f"Site {i + 1}" if visit else "",
                place_zh=f"参访点{i + 1}" if visit else "",
                track=track,
                seats=40 if visit else None,
            )
        )
    session_list = Session.objects.bulk_create(session_objs, batch_size=1000)
    role_objs, talk_objs, talk_people = [], [], []
    for session in session_list:
        chosen = rng.sample(persons, len(ROLES))
        for position, (role, person) in enumerate(zip(ROLES, chosen, strict=True)):
            role_objs.append(
                SessionRole(session=session, person=person, role=role, position=position)
            )
        for position, speaker in enumerate(chosen[1:3]):
            talk_objs.append(
                Talk(
                    session=session,
                    title=f"{session.title}, talk {position + 1}",
                    title_zh=f"{session.title_zh}，演讲{position + 1}",
                    position=position,
                )
            )
            talk_people.append(speaker.pk)
    SessionRole.objects.bulk_create(role_objs, batch_size=2000)
    talks = Talk.objects.bulk_create(talk_objs, batch_size=2000)
    talk_through = Talk.speakers.through
    talk_through.objects.bulk_create(
        (
            talk_through(talk_id=t.pk, person_id=pid)
            for t, pid in zip(talks, talk_people, strict=True)
        ),
        batch_size=2000,
    )
    return conference
