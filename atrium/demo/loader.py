"""The demo loader: both editions of the seed, the association at its real scale.

``load_demo()`` is deterministic and idempotent:

* Everything is first *planned* as plain data from ``random.Random`` generators derived
  from the seed (one per part, so that skipping a part never shifts another), without
  looking at the database. Two runs on empty databases therefore give the same rows.
* Then the plan is written with ``bulk_create``, keyed by natural keys: sectors,
  organisations and people by slug (missing ones are added, existing rows are never
  updated), conferences by slug. A conference's venues and rooms, its tracks, its
  programme and its registrations are each written only when it has none yet, so a
  second run changes nothing and what an organiser edited in the admin stays as it is
  (a deleted organisation or person is added back; a deleted session is not).

Length (over 1,000 lines, on purpose): one deterministic plan of the whole demo, each part
seeded from the same generator tree; the parts of later apps live beside it
(``demo/registration.py``, ``demo/matchmaking.py``, ``demo/visas.py``, …).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.text import slugify
from pypinyin import lazy_pinyin

from atrium.demo.exhibition import ensure_beijing_exhibition, ensure_nairobi_exhibition
from atrium.demo.insight import spread_registration_dates
from atrium.demo.matchmaking import ensure_matchmaking_demo
from atrium.demo.papers import ensure_papers_demo
from atrium.demo.registration import ensure_registration_demo
from atrium.demo.reviews import ensure_reviews_demo
from atrium.demo.visas import ensure_visa_demo
from atrium.events.models import Conference, Room, Session, SessionRole, Talk, Track, Venue
from atrium.network.models import Organisation, Person, Sector
from atrium.registration.models import Registration

from . import data

CHINESE_COUNTRIES = {"CN", "TW", "HK", "MO"}
NAIROBI_REGISTRATIONS = 720
BEIJING_REGISTRATIONS = 800
SYNTHETIC_MEMBERS = 356  # plus the 4 real member parks: 360 members


# ------------------------------------------------------------------------ names
def pinyin_name(family: str, given: str) -> str:
    """``王``, ``芳`` → ``"Wang Fang"``: family name first, given name run together."""
    fam = "".join(lazy_pinyin(family)).capitalize()
    giv = "".join(lazy_pinyin(given)).capitalize()
    return f"{fam} {giv}"


def pinyin_words(text: str) -> str:
    """``智芯`` → ``"Zhixin"``."""
    return "".join(lazy_pinyin(text)).capitalize()


class UniqueSlugs:
    """Hands out slugs that are unique within a set (``name``, ``name-2``, ...)."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)

    def __call__(self, text: str, max_length: int = 110) -> str:
        base = slugify(text)[:max_length].strip("-") or "item"
        slug, n = base, 1
        while slug in self.taken:
            n += 1
            slug = f"{base}-{n}"
        self.taken.add(slug)
        return slug


# ------------------------------------------------------------------------- plan
@dataclass
class Plan:
    organisations: list[dict] = field(default_factory=list)
    people: list[dict] = field(default_factory=list)
    # slugs of synthetic people usable as speakers, by preference
    speaker_pool: list[str] = field(default_factory=list)
    staff: dict[str, list[str]] = field(default_factory=dict)  # org slug -> people slugs


def _person_name(rng: random.Random, pool: str, used: set[str]) -> tuple[str, str, str]:
    """(name, name_zh, sort_name), unique by Latin name."""
    for attempt in range(40):
        if pool == "zh":
            family = rng.choice(data.ZH_FAMILY_NAMES)
            given = "".join(rng.choice(data.ZH_GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
            name = pinyin_name(family, given)
            if name not in used:
                used.add(name)
                return name, family + given, name
            continue
        givens, families = data.NAME_POOLS[pool]
        given, family = rng.choice(givens), rng.choice(families)
        if attempt > 20:
            given = f"{given} {chr(65 + rng.randrange(26))}."
        name = f"{given} {family}"
        if name not in used:
            used.add(name)
            return name, "", f"{family}, {given}"
    raise RuntimeError("could not find a unique name")  # pragma: no cover


def build_plan(seed: int) -> Plan:
    """Synthetic organisations and people, as plain dicts (no database access)."""
    rng = random.Random(f"{seed}-network")
    plan = Plan()
    org_slugs = UniqueSlugs(o["slug"] for o in data.REAL_ORGANISATIONS)
    person_slugs = UniqueSlugs(p[0] for p in data.REAL_PEOPLE)
    used_names = {p[1] for p in data.REAL_PEOPLE}
    used_org_names = {o["name"] for o in data.REAL_ORGANISATIONS}
    sector_slugs = [s[0] for s in data.SECTORS]
    countries = {code: (pool, cities) for code, pool, cities in data.COUNTRIES}

    def add_org(**values) -> dict:
        values.setdefault("is_synthetic", True)
        values["slug"] = org_slugs(values["name"])
        plan.organisations.append(values)
        return values

    # Member parks: one in every country first, then the rest weighted.
    heavy = {
        "CN": 10,
        "ES": 4,
        "FR": 3,
        "IT": 3,
        "DE": 3,
        "GB": 3,
        "US": 4,
        "KR": 3,
        "BR": 3,
        "TR": 3,
        "PT": 2,
        "SE": 2,
        "FI": 2,
        "JP": 2,
        "IN": 2,
        "MX": 2,
        "AE": 2,
    }
    codes = [c[0] for c in data.COUNTRIES]
    order = list(codes)
    weights = [heavy.get(c, 1) for c in codes]
    order += rng.choices(codes, weights=weights, k=SYNTHETIC_MEMBERS - len(codes))
    members: list[dict] = []
    for code in order:
        pool, cities = countries[code]
        for _ in range(60):
            city, city_zh = rng.choice(cities)
            suffix, kind, suffix_zh = rng.choice(data.PARK_SUFFIXES)
            name = f"{city} {suffix}"
            if name not in used_org_names:
                break
        else:  # every combination taken: number it
            name = f"{city} {suffix} {len(members)}"
        used_org_names.add(name)
        sectors = rng.sample(sector_slugs, rng.randint(1, 3))
        chinese = code in CHINESE_COUNTRIES
        members.append(
            add_org(
                name=name,
                name_zh=f"{city_zh}{suffix_zh}" if chinese and city_zh else "",
                kind=kind,
                country=code,
                city=city,
                city_zh=city_zh,
                member_since=rng.choice(range(1985, 2025)),
                sectors=sectors,
                description=(
                    f"{suffix} in {city} with about {rng.randrange(20, 900, 10)} companies."
                ),
                description_zh=(
                    f"位于{city_zh}的{suffix_zh}，入驻企业约{rng.randrange(20, 900, 10)}家。"
                    if chinese and city_zh
                    else ""
                ),
            )
        )
    for org in members:
        org["website"] = f"https://{org['slug']}.example.org/"

    # Companies and incubators inside some parks.
    children: list[dict] = []
    for park in members:
        if rng.random() > 0.45:
            continue
        for _ in range(rng.choice((1, 1, 2))):
            chinese = park["country"] in CHINESE_COUNTRIES
            for _ in range(30):
                if chinese:
                    brand = "".join(rng.sample(data.ZH_BRAND_CHARS, 2))
                    suffix_zh, suffix, kind = rng.choice(data.ZH_COMPANY_SUFFIXES)
                    name = f"{park['city']} {pinyin_words(brand)} {suffix}"
                    name_zh = f"{park['city_zh']}{brand}{suffix_zh}"
                else:
                    suffix, kind = rng.choice(data.COMPANY_SUFFIXES)
                    name = f"{rng.choice(data.COMPANY_WORDS)} {suffix}"
                    if rng.random() < 0.5 or name in used_org_names:
                        name = f"{park['city']} {name}"
                    name_zh = ""
                if name not in used_org_names:
                    break
            used_org_names.add(name)
            children.append(
                add_org(
                    name=name,
                    name_zh=name_zh,
                    kind=kind,
                    parent=park["slug"],
                    country=park["country"],
                    city=park["city"],
                    city_zh=park["city_zh"],
                    sectors=rng.sample(park["sectors"], 1),
                )
            )

    # A few research institutes and regional agencies, not members.
    others: list[dict] = []
    for code in rng.sample(codes, 30):
        _, cities = countries[code]
        city, city_zh = rng.choice(cities)
        if rng.random() < 0.5:
            name, kind, name_zh = (
                f"{city} Applied Research Institute",
                "research_institute",
                "应用研究院",
            )
        else:
            name, kind, name_zh = f"{city} Regional Development Agency", "government", "区域发展局"
        if name in used_org_names:
            continue
        used_org_names.add(name)
        chinese = code in CHINESE_COUNTRIES and city_zh
        others.append(
            add_org(
                name=name,
                name_zh=f"{city_zh}{name_zh}" if chinese else "",
                kind=kind,
                country=code,
                city=city,
                city_zh=city_zh,
                sectors=rng.sample(sector_slugs, 1),
            )
        )

    # People.
    def add_person(org: dict, rank: int) -> str:
        code = org["country"]
        pool = countries[code][0] if code in countries else "en"
        name, name_zh, sort_name = _person_name(rng, pool, used_names)
        kind = org["kind"]
        group = {
            "science_park": "park",
            "area_of_innovation": "park",
            "association": "association",
            "government": "government",
            "company": "company",
            "incubator": "company",
        }.get(kind, "other")
        positions = data.POSITIONS[group]
        position, position_zh = positions[0] if rank == 0 else rng.choice(positions[1:])
        slug = person_slugs(name)
        plan.people.append(
            {
                "slug": slug,
                "name": name,
                "name_zh": name_zh,
                "sort_name": sort_name,
                "position": position,
                "position_zh": position_zh,
                "organisation": org["slug"],
                "country": code,
                "email": f"{slug}@{rng.choice(('example.org', 'example.com'))}",
                "directory_opt_in": rng.random() < 0.7,
                "is_synthetic": True,
            }
        )
        plan.staff.setdefault(org["slug"], []).append(slug)
        return slug

    # Synthetic staff of the real organisations (the Beijing delegation, IASP HQ, ...).
    real_staff = {
        "iasp": 4,
        "zhongguancun-science-park": 6,
        "zhongguancun-changping-park": 2,
        "feibiao-dart-acceleration-service-platform": 2,
        "zhongguancun-development-group": 2,
        "zhongguancun-international-incubator": 1,
        "beijing-municipal-government": 3,
        "beijing-municipal-science-and-technology-commission": 4,
        "sophia-antipolis": 2,
        "ostim-technopark": 2,
        "konza-technopolis": 3,
    }
    for org in data.REAL_ORGANISATIONS:
        # Never the first position (the head) of a real organisation.
        for rank in range(real_staff.get(org["slug"], 0)):
            add_person(org, rank + 1)
    for org in members:
        for rank in range(rng.choice((2, 3, 3, 4))):
            plan.speaker_pool.append(add_person(org, rank))
    for org in children:
        for rank in range(rng.choice((1, 1, 2))):
            plan.speaker_pool.append(add_person(org, rank))
    for org in others:
        add_person(org, rng.randrange(4))
    return plan


# -------------------------------------------------------------------- programmes
def _forum(rng: random.Random, pick, track: str, title: tuple[str, str], talks: list) -> dict:
    """A parallel forum: a chair, 2-3 talks, sometimes a panel with a moderator."""
    roles = [(pick(), "chair")]
    session_talks = []
    for talk in talks[: rng.choice((2, 3, 3))]:
        speaker = pick()
        roles.append((speaker, "speaker"))
        session_talks.append((talk[0], talk[1], [speaker]))
    if rng.random() < 0.5:
        roles.append((pick(), "moderator"))
        roles += [(pick(), "panellist") for _ in range(2)]
    return {
        "kind": "parallel_forum",
        "track": track,
        "title": title[0],
        "title_zh": title[1],
        "roles": roles,
        "talks": session_talks,
    }


def nairobi_programme(seed: int, plan: Plan) -> list[dict]:
    """The seed's Nairobi sessions, with the ``@n`` slots filled by synthetic people."""
    rng = random.Random(f"{seed}-nairobi")
    pool = list(plan.speaker_pool)
    rng.shuffle(pool)

    def resolve(slug: str) -> str:
        return pool[int(slug[1:])] if slug.startswith("@") else slug

    sessions = []
    for spec in data.NAIROBI_SESSIONS:
        session = dict(spec)
        session["roles"] = [(resolve(p), r) for p, r in spec.get("roles", [])]
        session["talks"] = [
            (t, tz, [resolve(s) for s in sp]) for t, tz, sp in spec.get("talks", [])
        ]
        sessions.append(session)
    return sessions


def beijing_programme(seed: int, plan: Plan) -> list[dict]:
    """A full plausible programme of 3 days for Beijing 2025 (an assumption of the demo)."""
    rng = random.Random(f"{seed}-beijing")
    pool = list(plan.speaker_pool)
    rng.shuffle(pool)
    cursor = iter(pool)

    def pick() -> str:
        return next(cursor)

    zgc = plan.staff["zhongguancun-science-park"]
    dart = plan.staff["feibiao-dart-acceleration-service-platform"]
    s: list[dict] = []

    def add(day, start, end, kind, title, title_zh, room=None, **extra):
        s.append(
            {
                "day": day,
                "start": start,
                "end": end,
                "kind": kind,
                "title": title,
                "title_zh": title_zh,
                "room": room,
                **extra,
            }
        )

    talk_lists = {k: list(v) for k, v in data.BEIJING_TALKS.items()}
    for talks in talk_lists.values():
        rng.shuffle(talks)
    forums = [(track, f) for track, items in data.BEIJING_FORUMS.items() for f in items]
    rng.shuffle(forums)
    # The Dart platform's forum comes first in the plan so it is always there.
    dart_forum = ("life-health", data.BEIJING_FORUMS["life-health"][0])
    forums.remove(dart_forum)
    forums.insert(0, dart_forum)
    forum_rooms = ["Room 301A", "Room 301B", "Room 302", "Room 303", "Room 305"]

    def forum_block(day, start, end, count):
        for room in forum_rooms[:count]:
            track, title = forums.pop(0)
            talks = talk_lists[track]
            rng.shuffle(talks)
            forum = _forum(rng, pick, track, title, talks)
            if title == dart_forum[1]:
                forum["talks"].insert(
                    0,
                    (
                        "Feibiao (Dart): accelerating biomedicine innovation in Zhongguancun "
                        "Changping Park",
                        "飞镖加速服务平台：加速中关村昌平园生物医药创新",
                        [dart[0]],
                    ),
                )
                forum["roles"].insert(1, (dart[0], "speaker"))
            if title[0] == "Incubators of the next decade":
                forum["roles"].append((dart[1], "panellist"))
            add(day, start, end, room=room, **forum)

    keynotes = list(data.BEIJING_KEYNOTES)

    def keynote(day, start, end):
        title = keynotes.pop(0)
        speaker = pick()
        add(
            day,
            start,
            end,
            "keynote",
            f"Keynote: {title[0]}",
            f"主旨演讲：{title[1]}",
            room="Plenary Hall",
            roles=[(pick(), "chair"), (speaker, "speaker")],
            talks=[(title[0], title[1], [speaker])],
        )

    workshops = [
        ("Workshop: writing a park strategy", "工作坊：制定园区发展战略", "management"),
        ("Start-up roadshow: AI and robotics", "创业路演：人工智能与机器人", "ai-digital"),
        ("Workshop: running an incubation programme", "工作坊：孵化项目运营", "incubation"),
        ("Start-up roadshow: life sciences", "创业路演：生命科学", "life-health"),
        ("Workshop: measuring park impact with data", "工作坊：用数据衡量园区影响力", "management"),
        ("Workshop: international soft-landing services", "工作坊：国际软着陆服务", "cooperation"),
        ("Start-up roadshow: green technology", "创业路演：绿色科技", "green"),
    ]

    def workshop(day, start, end, room):
        title, title_zh, track = workshops.pop(0)
        roles = [(pick(), "host")] + [(pick(), "panellist") for _ in range(rng.randint(1, 3))]
        add(day, start, end, "workshop", title, title_zh, room=room, track=track, roles=roles)

    b2b = iter(range(1, 10))

    def b2b_block(day, start, end):
        n = next(b2b)
        add(
            day,
            start,
            end,
            "bilateral_meeting",
            f"B2B meetings (block {n})",
            f"B2B洽谈（第{n}场）",
            room="B2B Lounge",
            description="Pre-arranged one-to-one meetings between delegates, placed by the "
            "scheduler.",
            description_zh="代表之间预约的一对一洽谈，由系统排定。",
        )

    def coffee(day, start, end):
        add(day, start, end, "break", "Coffee break", "茶歇", room="Foyer")

    def lunch(day):
        add(day, "12:30", "14:00", "break", "Lunch", "午餐", room="Grand Ballroom")

    # Day 1, 16 September 2025
    for day, end in ((0, "18:00"), (1, "18:00"), (2, "15:00")):
        add(
            day,
            "09:00",
            end,
            "exhibition",
            f"Exhibition (day {day + 1})",
            f"展览（第{'一二三'[day]}天）",
            room="Exhibition Hall E1",
            description="Parks, incubators and companies from around the world; the "
            "Zhongguancun pavilion.",
            description_zh="全球科技园区、孵化器和企业展示；中关村展馆。",
        )
    add(
        0,
        "09:00",
        "10:30",
        "opening_ceremony",
        "Opening ceremony",
        "开幕式",
        room="Plenary Hall",
        description="The 42nd IASP World Conference opens, for the first time in the name of "
        "the Beijing Municipal Government.",
        description_zh="第42届IASP世界大会开幕，首次以北京市政府的名义举办。",
        roles=[
            (zgc[0], "host"),
            ("ma-jun", "speaker"),
            ("leno-miranda", "speaker"),
            ("ebba-lund", "speaker"),
        ],
        talks=[
            (
                "Welcome address of the Beijing Municipal Government",
                "北京市人民政府致辞",
                ["ma-jun"],
            ),
            ("Address of the IASP President", "IASP主席致辞", ["leno-miranda"]),
            ("The IASP network in 2025", "2025年的IASP全球网络", ["ebba-lund"]),
        ],
    )
    coffee(0, "10:30", "11:00")
    keynote(0, "11:00", "11:45")
    keynote(0, "11:45", "12:30")
    lunch(0)
    plen = data.BEIJING_PLENARIES
    add(
        0,
        "14:00",
        "15:30",
        "plenary",
        plen[0][0],
        plen[0][1],
        room="Plenary Hall",
        roles=[
            (pick(), "moderator"),
            (zgc[1], "panellist"),
            (pick(), "panellist"),
            (pick(), "panellist"),
        ],
    )
    b2b_block(0, "14:00", "17:30")
    coffee(0, "15:30", "16:00")
    forum_block(0, "16:00", "17:30", 5)
    workshop(0, "16:00", "17:30", "Innovation Forum Hall")
    workshop(0, "16:00", "17:30", "Roadshow Hall")
    add(
        0,
        "17:30",
        "18:30",
        "social",
        "Young professionals networking",
        "青年专业人士交流会",
        room="Foyer",
        seats=150,
    )
    add(0, "18:30", "20:30", "social", "Welcome reception", "欢迎酒会", room="Foyer")
    # Day 2, 17 September 2025
    add(
        1,
        "07:30",
        "08:45",
        "social",
        "Women in innovation breakfast",
        "创新女性早餐会",
        room="Grand Ballroom",
        seats=120,
    )
    speaker_a, speaker_b = pick(), pick()
    add(
        1,
        "09:00",
        "10:30",
        "plenary",
        plen[1][0],
        plen[1][1],
        room="Plenary Hall",
        roles=[
            (pick(), "chair"),
            (speaker_a, "speaker"),
            (speaker_b, "speaker"),
            ("chang-sheng", "speaker"),
        ],
        talks=[
            (
                "Circular economy in Changping Park, one year on",
                "昌平园循环经济实践一年回顾",
                ["chang-sheng"],
            ),
            (talk_lists["tech-transfer"][0][0], talk_lists["tech-transfer"][0][1], [speaker_a]),
            (talk_lists["ai-digital"][0][0], talk_lists["ai-digital"][0][1], [speaker_b]),
        ],
    )
    b2b_block(1, "09:00", "12:30")
    coffee(1, "10:30", "11:00")
    forum_block(1, "11:00", "12:30", 5)
    workshop(1, "11:00", "12:30", "Innovation Forum Hall")
    lunch(1)
    forum_block(1, "14:00", "15:30", 5)
    workshop(1, "14:00", "15:30", "Roadshow Hall")
    b2b_block(1, "14:00", "17:30")
    coffee(1, "15:30", "16:00")
    forum_block(1, "16:00", "17:30", 4)
    add(
        1,
        "16:00",
        "17:30",
        "plenary",
        "IASP General Assembly",
        "IASP会员大会",
        room="Room 305",
        roles=[("leno-miranda", "chair"), ("ebba-lund", "speaker")],
        description="The annual meeting of the members of the association.",
        description_zh="协会会员年度大会。",
    )
    add(
        1,
        "18:30",
        "21:30",
        "social",
        "Gala dinner",
        "大会晚宴",
        room="Grand Ballroom",
        seats=900,
        roles=[("ma-jun", "host")],
    )
    # Day 3, 18 September 2025
    for title, title_zh, place, place_zh, seats in data.BEIJING_TECHNICAL_VISITS:
        add(
            2,
            "08:30",
            "12:30",
            "technical_visit",
            title,
            title_zh,
            place=place,
            place_zh=place_zh,
            seats=seats,
            roles=[(pick(), "guide")],
        )
    # The Dart platform guides the Changping visit.
    s[-len(data.BEIJING_TECHNICAL_VISITS)]["roles"] = [(dart[1], "guide")]
    forum_block(2, "09:00", "10:30", 4)
    workshop(2, "09:00", "10:30", "Innovation Forum Hall")
    b2b_block(2, "09:00", "12:30")
    coffee(2, "10:30", "11:00")
    keynote(2, "11:00", "11:45")
    workshop(2, "11:00", "12:30", "Innovation Forum Hall")
    workshop(2, "11:00", "12:30", "Roadshow Hall")
    add(
        2,
        "11:45",
        "12:30",
        "plenary",
        "Closing plenary and handover to the 43rd IASP World Conference",
        "闭幕全体会议暨向第43届IASP世界大会交接",
        room="Plenary Hall",
        roles=[("leno-miranda", "host"), ("ma-jun", "speaker"), ("ebba-lund", "speaker")],
    )
    add(2, "12:30", "13:30", "break", "Lunch", "午餐", room="Grand Ballroom")
    for title, title_zh, place, place_zh, seats in data.BEIJING_CULTURAL_VISITS:
        add(
            2,
            "13:30",
            "18:00",
            "cultural_visit",
            title,
            title_zh,
            place=place,
            place_zh=place_zh,
            seats=seats,
        )
    return s


def programme_people(programme: list[dict]) -> list[str]:
    """Slugs of everyone with a part in a programme, in order of first appearance."""
    seen: dict[str, None] = {}
    for session in programme:
        for slug, _ in session.get("roles", []):
            seen.setdefault(slug, None)
        for *_, speakers in session.get("talks", []):
            for slug in speakers:
                seen.setdefault(slug, None)
    return list(seen)


# ---------------------------------------------------------------------- writing
def _ensure_sectors() -> dict[str, int]:
    existing = set(Sector.objects.values_list("slug", flat=True))
    Sector.objects.bulk_create(
        Sector(slug=slug, name=name, name_zh=name_zh)
        for slug, name, name_zh in data.SECTORS
        if slug not in existing
    )
    return dict(Sector.objects.values_list("slug", "id"))


ORG_FIELDS = (
    "name",
    "name_zh",
    "short_name",
    "kind",
    "country",
    "city",
    "city_zh",
    "website",
    "description",
    "description_zh",
    "member_since",
    "is_synthetic",
)


def _ensure_organisations(rows: list[dict], sector_ids: dict[str, int]) -> dict[str, int]:
    existing = set(Organisation.objects.values_list("slug", flat=True))
    new_rows = [row for row in rows if row["slug"] not in existing]
    objs = []
    for row in new_rows:
        org = Organisation(slug=row["slug"], **{k: row[k] for k in ORG_FIELDS if k in row})
        org.refresh_search_key()
        objs.append(org)
    Organisation.objects.bulk_create(objs, batch_size=500)
    ids = dict(Organisation.objects.values_list("slug", "id"))
    # Parents, in a second pass (a parent may come later in the list).
    with_parent = [r for r in new_rows if r.get("parent") in ids]
    if with_parent:
        updates = []
        for row in with_parent:
            org = Organisation(id=ids[row["slug"]], parent_id=ids[row["parent"]])
            updates.append(org)
        Organisation.objects.bulk_update(updates, ["parent"], batch_size=500)
    through = Organisation.sectors.through
    through.objects.bulk_create(
        (
            through(organisation_id=ids[row["slug"]], sector_id=sector_ids[s])
            for row in new_rows
            for s in row.get("sectors", [])
            if s in sector_ids
        ),
        batch_size=1000,
    )
    return ids


def _ensure_people(rows: list[dict], org_ids: dict[str, int]) -> dict[str, int]:
    existing = set(Person.objects.values_list("slug", flat=True))
    objs = []
    for row in rows:
        if row["slug"] in existing:
            continue
        values = {k: v for k, v in row.items() if k != "organisation"}
        person = Person(organisation_id=org_ids.get(row["organisation"]), **values)
        person.sort_name = person.sort_name or person.name
        person.refresh_search_key()
        objs.append(person)
    Person.objects.bulk_create(objs, batch_size=500)
    return dict(Person.objects.values_list("slug", "id"))


def _fill_chinese_positions() -> int:
    """Give every person with a common title and no Chinese one its Chinese title.

    Idempotent, and it never overwrites a Chinese title someone wrote; returns the count.
    """
    filled = 0
    for english, chinese in data.COMMON_POSITIONS_ZH.items():
        filled += Person.objects.filter(position=english, position_zh="").update(
            position_zh=chinese
        )
    return filled


def _real_people() -> list[dict]:
    keys = (
        "slug",
        "name",
        "name_zh",
        "sort_name",
        "position",
        "position_zh",
        "organisation",
        "country",
        "directory_opt_in",
    )
    return [dict(zip(keys, row, strict=True), is_synthetic=False) for row in data.REAL_PEOPLE]


def _ensure_conference(spec: dict, org_ids: dict[str, int]) -> tuple[Conference, bool]:
    conference = Conference.objects.filter(slug=spec["slug"]).first()
    if conference:
        return conference, False
    values = {k: v for k, v in spec.items() if k != "host"}
    values["start_date"] = date.fromisoformat(values["start_date"])
    values["end_date"] = date.fromisoformat(values["end_date"])
    conference = Conference.objects.create(host_id=org_ids.get(spec["host"]), **values)
    return conference, True


def _ensure_places(conference: Conference, venues: list, tracks: list) -> tuple[dict, dict]:
    """Venues and rooms, and tracks, when the conference has none yet (an organiser's
    renamed room is not added back); returns (room ids by name, track ids by slug)."""
    if not conference.rooms.exists():
        position = 0
        for venue_spec in venues:
            if len(venue_spec) == 4:
                name, name_zh, address, rooms = venue_spec
                address_zh = ""
            else:
                name, name_zh, address, address_zh, rooms = venue_spec
            venue = Venue.objects.create(
                conference=conference,
                name=name,
                name_zh=name_zh,
                address=address,
                address_zh=address_zh,
            )
            room_objs = []
            for room_name, room_zh, capacity in rooms:
                position += 1
                room_objs.append(
                    Room(
                        conference=conference,
                        venue=venue,
                        name=room_name,
                        name_zh=room_zh,
                        capacity=capacity,
                        position=position,
                    )
                )
            Room.objects.bulk_create(room_objs)
    if not conference.tracks.exists():
        Track.objects.bulk_create(
            Track(conference=conference, slug=slug, name=name, name_zh=name_zh)
            for slug, name, name_zh in tracks
        )
    room_ids = dict(Room.objects.filter(conference=conference).values_list("name", "id"))
    track_ids = dict(Track.objects.filter(conference=conference).values_list("slug", "id"))
    return room_ids, track_ids


def _write_programme(
    conference: Conference,
    programme: list[dict],
    room_ids: dict[str, int],
    track_ids: dict[str, int],
    person_ids: dict[str, int],
) -> int:
    tz = ZoneInfo(conference.time_zone)
    days = conference.days

    def at(day: int, hhmm: str) -> datetime:
        return datetime.combine(days[day], dtime.fromisoformat(hhmm), tzinfo=tz)

    sessions = [
        Session(
            conference=conference,
            kind=spec["kind"],
            title=spec["title"],
            title_zh=spec.get("title_zh", ""),
            description=spec.get("description", ""),
            description_zh=spec.get("description_zh", ""),
            start=at(spec["day"], spec["start"]),
            end=at(spec["day"], spec["end"]),
            room_id=room_ids.get(spec.get("room")) if spec.get("room") else None,
            place=spec.get("place", ""),
            place_zh=spec.get("place_zh", ""),
            track_id=track_ids.get(spec.get("track")) if spec.get("track") else None,
            seats=spec.get("seats"),
            is_public=spec.get("is_public", True),
        )
        for spec in programme
    ]
    Session.objects.bulk_create(sessions)
    roles, talks, talk_speakers = [], [], []
    for session, spec in zip(sessions, programme, strict=True):
        seen = set()
        for position, (slug, role) in enumerate(spec.get("roles", [])):
            if slug in person_ids and (slug, role) not in seen:
                seen.add((slug, role))
                roles.append(
                    SessionRole(
                        session=session, person_id=person_ids[slug], role=role, position=position
                    )
                )
        # Whoever gives a talk is also a speaker of the session.
        extra = [(s, "speaker") for *_, speakers in spec.get("talks", []) for s in speakers]
        for slug, role in extra:
            if slug in person_ids and (slug, role) not in seen:
                seen.add((slug, role))
                roles.append(
                    SessionRole(
                        session=session,
                        person_id=person_ids[slug],
                        role=role,
                        position=len(seen),
                    )
                )
        for position, (title, title_zh, speakers) in enumerate(spec.get("talks", [])):
            talk = Talk(session=session, title=title, title_zh=title_zh, position=position)
            talks.append(talk)
            talk_speakers.append([person_ids[s] for s in speakers if s in person_ids])
    SessionRole.objects.bulk_create(roles)
    Talk.objects.bulk_create(talks)
    through = Talk.speakers.through
    through.objects.bulk_create(
        through(talk_id=talk.pk, person_id=pid)
        for talk, pids in zip(talks, talk_speakers, strict=True)
        for pid in pids
    )
    return len(sessions)


def _registrations(
    seed: int,
    key: str,
    plan: Plan,
    first: list[str],
    total: int,
    statuses: list[tuple[str, float]],
) -> list[tuple[str, str]]:
    """(person slug, status): ``first`` (confirmed), then a random fill up to ``total``."""
    rng = random.Random(f"{seed}-{key}-registrations")
    chosen: dict[str, str] = dict.fromkeys(first, "confirmed")
    candidates = [p["slug"] for p in plan.people if p["slug"] not in chosen]
    rng.shuffle(candidates)
    names, weights = zip(*statuses, strict=True)
    for slug in candidates[: max(0, total - len(chosen))]:
        chosen[slug] = rng.choices(names, weights=weights)[0]
    return list(chosen.items())


def _ensure_registrations(
    conference: Conference, rows: list[tuple[str, str]], person_ids: dict[str, int]
) -> int:
    if Registration.objects.filter(conference=conference).exists():
        return 0
    objs = [
        Registration(conference=conference, person_id=person_ids[slug], status=status)
        for slug, status in rows
        if slug in person_ids
    ]
    Registration.objects.bulk_create(objs, batch_size=1000)
    return len(objs)


# ------------------------------------------------------------------------ entry
def load_demo(*, seed: int = 2025, stdout=None) -> dict:
    """Load (or complete) the demo data; returns counts. Safe to run again."""
    started = time.perf_counter()
    plan = build_plan(seed)
    nairobi_plan = nairobi_programme(seed, plan)
    beijing_plan = beijing_programme(seed, plan)
    real_people = [p[0] for p in data.REAL_PEOPLE]
    created: dict[str, int] = {}
    with transaction.atomic():
        before = (Organisation.objects.count(), Person.objects.count())
        sector_ids = _ensure_sectors()
        org_rows = [dict(o, is_synthetic=False) for o in data.REAL_ORGANISATIONS]
        org_ids = _ensure_organisations(org_rows + plan.organisations, sector_ids)
        person_ids = _ensure_people(_real_people() + plan.people, org_ids)
        _fill_chinese_positions()
        created["organisations"] = Organisation.objects.count() - before[0]
        created["people"] = Person.objects.count() - before[1]
        for spec, venues, tracks, programme, key, total, statuses, attendees in (
            (
                data.NAIROBI,
                data.NAIROBI_VENUES,
                data.NAIROBI_TRACKS,
                nairobi_plan,
                "nairobi",
                NAIROBI_REGISTRATIONS,
                [("confirmed", 1.0)],
                list(real_people),
            ),
            (
                data.BEIJING,
                data.BEIJING_VENUES,
                data.BEIJING_TRACKS,
                beijing_plan,
                "beijing",
                BEIJING_REGISTRATIONS,
                [("confirmed", 0.85), ("pending", 0.07), ("waitlisted", 0.04), ("cancelled", 0.04)],
                [p for p in real_people if p != "rigathi-gachagua"],
            ),
        ):
            conference, _ = _ensure_conference(spec, org_ids)
            room_ids, track_ids = _ensure_places(conference, venues, tracks)
            created[f"{key}_sessions"] = 0
            if not conference.sessions.exists():
                created[f"{key}_sessions"] = _write_programme(
                    conference, programme, room_ids, track_ids, person_ids
                )
            first = attendees + [s for s in programme_people(programme) if s not in attendees]
            rows = _registrations(seed, key, plan, first, total, statuses)
            created[f"{key}_registrations"] = _ensure_registrations(conference, rows, person_ids)
            if key == "beijing":
                for what, n in ensure_registration_demo(conference, seed=seed).items():
                    created[f"beijing_{what}"] = n
                for what, n in ensure_matchmaking_demo(conference, seed=seed).items():
                    created[f"beijing_{what}"] = n
                for what, n in ensure_papers_demo(conference, seed=seed).items():
                    created[f"beijing_{what}"] = n
                for what, n in ensure_visa_demo(conference).items():
                    created[f"beijing_{what}"] = n
                for what, n in ensure_beijing_exhibition(conference, seed=seed).items():
                    created[f"beijing_exhibition_{what}"] = n
                for what, n in ensure_reviews_demo(conference, seed=seed).items():
                    created[f"beijing_{what}"] = n
            else:
                for what, n in ensure_nairobi_exhibition(conference, seed=seed).items():
                    created[f"nairobi_exhibition_{what}"] = n
            # Registrations over the months before the opening day (the insight page).
            spread_registration_dates(conference, seed=seed)
    counts = demo_counts()
    counts["created"] = created
    counts["seconds"] = round(time.perf_counter() - started, 2)
    if stdout is not None:
        stdout.write(format_counts(counts))
    return counts


def demo_counts() -> dict:
    members = Organisation.objects.filter(member_since__isnull=False)
    counts = {
        "sectors": Sector.objects.count(),
        "organisations": Organisation.objects.count(),
        "member_organisations": members.count(),
        "member_countries": members.values("country").distinct().count(),
        "people": Person.objects.count(),
        "conferences": {},
    }
    for conference in Conference.objects.filter(slug__in=["nairobi-2024", "beijing-2025"]):
        counts["conferences"][conference.slug] = {
            "sessions": conference.sessions.count(),
            "rooms": conference.rooms.count(),
            "talks": Talk.objects.filter(session__conference=conference).count(),
            "registrations": conference.registrations.count(),
            "registration_countries": conference.registrations.values("person__country")
            .distinct()
            .count(),
        }
    return counts


def format_counts(counts: dict) -> str:
    lines = [
        f"Sectors: {counts['sectors']}",
        f"Organisations: {counts['organisations']} ({counts['member_organisations']} members "
        f"in {counts['member_countries']} countries)",
        f"People: {counts['people']}",
    ]
    for slug, c in counts["conferences"].items():
        lines.append(
            f"{slug}: {c['sessions']} sessions in {c['rooms']} rooms, {c['talks']} talks, "
            f"{c['registrations']} registrations from {c['registration_countries']} countries"
        )
    if "created" in counts:
        lines.append("Created now: " + ", ".join(f"{k} {v}" for k, v in counts["created"].items()))
    if "seconds" in counts:
        lines.append(f"Loaded in {counts['seconds']:.2f} s")
    return "\n".join(lines) + "\n"


def canonical_summary() -> list[tuple]:
    """The demo's rows as sorted plain tuples (no ids, no timestamps), to compare loads."""
    summary: list[tuple] = []
    summary += sorted(Sector.objects.values_list("slug", "name", "name_zh"))
    summary += sorted(
        (o[0], o[1], o[2], o[3], str(o[4]), o[5] or "", o[6] or 0, o[7])
        for o in Organisation.objects.values_list(
            "slug",
            "name",
            "name_zh",
            "kind",
            "country",
            "parent__slug",
            "member_since",
            "search_key",
        )
    )
    summary += sorted(
        (p[0], p[1], p[2], p[3], p[4] or "", str(p[5]), p[6], p[7])
        for p in Person.objects.values_list(
            "slug",
            "name",
            "name_zh",
            "position",
            "organisation__slug",
            "country",
            "email",
            "directory_opt_in",
        )
    )
    summary += sorted(
        (
            s[0],
            s[1],
            s[2],
            s[3],
            s[4].isoformat(),
            s[5].isoformat(),
            s[6] or "",
            s[7] or "",
            s[8] or 0,
        )
        for s in Session.objects.values_list(
            "conference__slug",
            "kind",
            "title",
            "title_zh",
            "start",
            "end",
            "room__name",
            "track__slug",
            "seats",
        )
    )
    summary += sorted(
        SessionRole.objects.values_list("session__title", "session__start", "person__slug", "role")
    )
    summary += sorted(
        (t[0], t[1], t[2] or "")
        for t in Talk.objects.values_list("session__title", "title", "speakers__slug")
    )
    summary += sorted(
        Registration.objects.values_list("conference__slug", "person__slug", "status")
    )
    return summary
