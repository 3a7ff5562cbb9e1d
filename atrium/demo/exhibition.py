"""The exhibition of both editions, from the seed (``../shared/seed/README.md``).

- Beijing 2025: two halls, 40 booths, 24 exhibitors (Zhongguancun Science Park among them,
  with the Feibiao (Dart) Acceleration Service Platform among its products), booth staff,
  leads (Cecile Harle of Sophia Antipolis, interested in new-generation IT and in life and
  health), and the official tour of the opening morning.
- Nairobi 2024: the Zhongguancun booth, its visitors (Cecile Harle, Elif of Ostim, Annie of
  Konza), and the tour of Kenya's Deputy President with the IASP President before the
  opening ceremony.

Written only when the edition has no hall yet: a second run changes nothing, and what an
organiser changed stays as it is.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal

from django.contrib.auth import get_user_model

from atrium.events.models import Conference
from atrium.exhibition import tours as exhibition_tours
from atrium.exhibition.models import (
    Booth,
    BoothBooking,
    Exhibitor,
    Hall,
    Lead,
    LeadConsent,
    PlanFeature,
    Product,
    StaffPass,
    Tour,
    TourStop,
)
from atrium.network.models import Organisation, Person
from atrium.registration.models import Registration, RegistrationType

DEMO_PASSWORD = "atrium-demo"  # noqa: S105 - the published demo logins
EXHIBITOR_LOGIN = "exhibitor@example.org"
BOOTH_STAFF_LOGIN = "booth@example.org"
ZGC = "zhongguancun-science-park"
CECILE_INTERESTS = ["New-generation IT", "Life and health"]
_NS = uuid.UUID("7b0e7f0e-5f4c-4c4e-9d38-2f3b2b7a9e15")


def _user(email: str, *, password: str | None = None, first: str = "", last: str = ""):
    User = get_user_model()
    user = User.objects.filter(username=email).first()
    if user is None:
        user = User.objects.create_user(
            username=email, email=email, password=password, first_name=first, last_name=last
        )
    return user


def _hall(conference, code, name, name_zh, width, depth, site_x, opens, closes) -> Hall:
    hall = Hall.objects.create(
        conference=conference,
        code=code,
        name=name,
        name_zh=name_zh,
        outline=[[0, 0], [width, 0], [width, depth], [0, depth]],
        site_x=site_x,
        opens_at=opens,
        closes_at=closes,
        order=ord(code[0]),
    )
    PlanFeature.objects.bulk_create(
        [
            PlanFeature(
                hall=hall,
                kind="corridor",
                x=0,
                y=depth / 2 - 2,
                width=width,
                height=4,
                label="Main aisle",
                label_zh="主通道",
            ),
            PlanFeature(
                hall=hall, kind="entrance", x=0, y=depth / 2, label="Entrance", label_zh="入口"
            ),
            PlanFeature(
                hall=hall, kind="point", x=width - 3, y=depth / 2, label="Café", label_zh="咖啡"
            ),
        ]
    )
    return hall


def _row_of_booths(hall, prefix, count, *, depth, price_usd, price_cny) -> list[Booth]:
    booths = []
    per_row = count // 2
    for i in range(count):
        row, column = divmod(i, per_row)
        y = depth / 2 - 9 if row == 0 else depth / 2 + 3
        booths.append(
            Booth(
                hall=hall,
                code=f"{prefix}{i + 1:02d}",
                x=4 + column * 7,
                y=y,
                width=6,
                height=6,
                category="corner" if column in (0, per_row - 1) else "standard",
                price_usd=price_usd,
                price_cny=price_cny,
                furniture=column % 2 == 0,
                staff_passes=3 if column in (0, per_row - 1) else 2,
            )
        )
    Booth.objects.bulk_create(booths)
    return list(hall.booths.order_by("code"))


def _book(booth: Booth, exhibitor: Exhibitor, moment: dt.datetime) -> None:
    BoothBooking.objects.create(
        booth=booth,
        exhibitor=exhibitor,
        status=BoothBooking.Status.BOOKED,
        currency="CNY" if exhibitor.organisation.country == "CN" else "USD",
        amount=booth.price_cny if exhibitor.organisation.country == "CN" else booth.price_usd,
        created=moment,
        booked_at=moment,
    )


def _zgc_exhibitor(conference: Conference, contact, moment) -> Exhibitor:
    zgc = Organisation.objects.get(slug=ZGC)
    exhibitor = Exhibitor.objects.create(
        conference=conference,
        organisation=zgc,
        contact=contact,
        status=Exhibitor.Status.ACCEPTED,
        display_name="Zhongguancun Science Park",
        display_name_zh="中关村科技园区",
        description=(
            "China's first national high-tech zone: sub-parks, incubators and companies in "
            "new-generation IT, biomedicine and advanced manufacturing."
        ),
        description_zh="中国第一个国家级高新技术产业开发区：分园、孵化器与新一代信息技术、生物医药、先进制造企业。",
        website="https://www.zhongguancun.com.cn",
        created=moment,
        decided_at=moment,
    )
    dart = Organisation.objects.filter(slug="feibiao-dart-acceleration-service-platform").first()
    Product.objects.bulk_create(
        [
            Product(
                exhibitor=exhibitor,
                order=1,
                name="Feibiao (Dart) Acceleration Service Platform",
                name_zh="飞镖加速服务平台",
                description=(dart.description if dart else "")[:1000],
                description_zh=(dart.description_zh if dart else "")[:1000],
            ),
            Product(
                exhibitor=exhibitor,
                order=2,
                name="Soft landing in Zhongguancun",
                name_zh="中关村软着陆服务",
                description="Offices, incubation and partners for companies coming to Beijing.",
                description_zh="为来京企业提供办公空间、孵化服务与合作伙伴对接。",
            ),
        ]
    )
    return exhibitor


def _leads(exhibitor, registrations, rng, moment, *, key: str) -> int:
    made = 0
    for i, registration in enumerate(registrations):
        person = registration.person
        interests = CECILE_INTERESTS if person.slug == "cecile-harle" else []
        tags = ["partner"] if interests else rng.sample(["investor", "park", "press", "startup"], 1)
        Lead.objects.create(
            exhibitor=exhibitor,
            registration=registration,
            client_id=uuid.uuid5(_NS, f"{key}-{exhibitor.pk}-{registration.pk}"),
            scanned_at=moment + dt.timedelta(minutes=7 * i),
            received_at=moment + dt.timedelta(minutes=7 * i),
            rating=5 if interests else rng.randint(1, 5),
            notes=(
                "Wants to cooperate with Zhongguancun in new-generation IT and life and health."
                if interests
                else ""
            ),
            tags=tags,
            interests=interests,
        )
        made += 1
    return made


def _seed_visitors(conference: Conference) -> list[Registration]:
    return list(
        Registration.objects.filter(
            conference=conference,
            person__slug__in=["cecile-harle", "elif-ostim", "annie-konza"],
        )
        .select_related("person")
        .order_by("person__slug")
    )


def _tour(conference, name, name_zh, starts_at, party, booths, minutes) -> Tour:
    tour = Tour.objects.create(
        conference=conference, name=name, name_zh=name_zh, starts_at=starts_at, party=party
    )
    for i, (booth, m) in enumerate(zip(booths, minutes, strict=True)):
        TourStop.objects.create(tour=tour, booth=booth, minutes=m, order=i + 1)
    return exhibition_tours.tour_reorder(tour=tour)


def _party(*slugs: str) -> list[dict]:
    people = {p.slug: p for p in Person.objects.filter(slug__in=slugs)}
    return [
        {
            "name": people[s].name,
            "name_zh": people[s].name_zh,
            "title": people[s].position,
            "title_zh": people[s].position_zh,
        }
        for s in slugs
        if s in people
    ]


def ensure_beijing_exhibition(conference: Conference, *, seed: int) -> dict[str, int]:
    if conference.halls.exists():
        return {"exhibitors": 0, "booths": 0, "leads": 0}
    rng = random.Random(f"{seed}-exhibition-beijing")  # noqa: S311 - demo data
    tz = conference.tz
    applied_at = dt.datetime.combine(
        conference.start_date - dt.timedelta(days=60), dt.time(10), tzinfo=tz
    )
    hall_a = _hall(conference, "A", "Hall A", "A馆", 80, 40, 0, dt.time(8), dt.time(18))
    hall_b = _hall(conference, "B", "Hall B", "B馆", 80, 40, 90, dt.time(8), dt.time(18))
    booths = _row_of_booths(
        hall_a, "A", 20, depth=40, price_usd=Decimal("6000"), price_cny=Decimal("42000")
    ) + _row_of_booths(
        hall_b, "B", 20, depth=40, price_usd=Decimal("4500"), price_cny=Decimal("32000")
    )
    contact = _user(EXHIBITOR_LOGIN, password=DEMO_PASSWORD, first="Qiu", last="Lijing")
    Person.objects.filter(slug="qiu-lijing", user__isnull=True).update(user=contact)
    zgc = _zgc_exhibitor(conference, contact, applied_at)
    _book(booths[0], zgc, applied_at)
    # 23 more exhibitors: the seed's parks first, then member parks of the directory.
    first = ["sophia-antipolis", "ostim-technopark", "konza-technopolis"]
    others = list(Organisation.objects.filter(slug__in=first).order_by("slug")) + list(
        Organisation.objects.filter(
            member_since__isnull=False,
            kind__in=["science_park", "area_of_innovation", "incubator"],
        )
        .exclude(slug__in=[*first, ZGC])
        .order_by("slug")[:20]
    )
    exhibitors = [zgc]
    for i, organisation in enumerate(others[:23]):
        status = Exhibitor.Status.ACCEPTED
        if i == 22:
            status = Exhibitor.Status.APPLIED
        exhibitor = Exhibitor.objects.create(
            conference=conference,
            organisation=organisation,
            contact=_user(f"exhibitor-{organisation.slug[:60]}@example.org"),
            status=status,
            description=f"{organisation.name}: incubation, technology transfer and soft landing.",
            description_zh=(
                f"{organisation.name_zh or organisation.name}：孵化、技术转移与软着陆服务。"
            ),
            created=applied_at + dt.timedelta(hours=i),
            decided_at=None if status == Exhibitor.Status.APPLIED else applied_at,
        )
        exhibitors.append(exhibitor)
        if status == Exhibitor.Status.ACCEPTED:
            _book(booths[i + 1], exhibitor, applied_at + dt.timedelta(days=1, hours=i))
    # One accepted exhibitor has edited its profile since: the difference waits.
    edited = exhibitors[5]
    edited.pending_changes = {
        "description": [edited.description, edited.description + " Now with a start-up pavilion."]
    }
    edited.save(update_fields=["pending_changes"])
    # Booth staff who accept their pass are registered with this free type (exhibitor band).
    RegistrationType.objects.get_or_create(
        conference=conference,
        code="exhibitor-pass",
        defaults={
            "name": "Exhibitor pass (booth staff)",
            "name_zh": "参展证（展位工作人员）",
            "description": "Included with a booth: booth staff named by the exhibitor.",
            "description_zh": "随展位提供：由参展商指定的展位工作人员。",
            "is_active": False,
            "is_free": True,
        },
    )
    # Booth staff of Zhongguancun: one with lead access (a demo login), one scanning only.
    staff_user = _user(BOOTH_STAFF_LOGIN, password=DEMO_PASSWORD, first="Li", last="Zhidan")
    Person.objects.filter(slug="li-zhidan", user__isnull=True).update(user=staff_user)
    staff_person = Person.objects.filter(user=staff_user).first()
    StaffPass.objects.create(
        exhibitor=zgc,
        email=BOOTH_STAFF_LOGIN,
        name="Li Zhidan",
        person=staff_person,
        role=StaffPass.Role.LEADS,
        status=StaffPass.Status.ACCEPTED if staff_person else StaffPass.Status.INVITED,
        token_hash=uuid.uuid5(_NS, "beijing-staff-1").hex * 2,
        accepted_at=applied_at if staff_person else None,
    )
    StaffPass.objects.create(
        exhibitor=zgc,
        email="booth-scanner@example.org",
        name="Wang Fang",
        role=StaffPass.Role.SCAN,
        token_hash=uuid.uuid5(_NS, "beijing-staff-2").hex * 2,
    )
    # Leads: the seed's visitors, then a dozen delegates.
    opening = dt.datetime.combine(conference.start_date, dt.time(10), tzinfo=tz)
    visitors = _seed_visitors(conference)
    more = list(
        Registration.objects.filter(conference=conference, status="confirmed")
        .exclude(pk__in=[r.pk for r in visitors])
        .select_related("person")
        .order_by("pk")[:12]
    )
    leads = _leads(zgc, visitors + more, rng, opening, key="beijing")
    cecile = Person.objects.filter(slug="cecile-harle").first()
    if cecile is not None:
        LeadConsent.objects.get_or_create(
            person=cecile, exhibitor=None, defaults={"share_email": True, "share_job_title": True}
        )
    _tour(
        conference,
        "Official tour of the opening morning",
        "开幕日上午官方巡馆",
        dt.datetime.combine(conference.start_date, dt.time(8, 15), tzinfo=tz),
        _party("ma-jun", "leno-miranda", "ebba-lund"),
        [booths[0], booths[3], booths[9], booths[12], booths[20], booths[25]],
        [15, 5, 5, 5, 5, 5],
    )
    return {"exhibitors": len(exhibitors), "booths": len(booths), "leads": leads}


def ensure_nairobi_exhibition(conference: Conference, *, seed: int) -> dict[str, int]:
    if conference.halls.exists():
        return {"exhibitors": 0, "booths": 0, "leads": 0}
    rng = random.Random(f"{seed}-exhibition-nairobi")  # noqa: S311 - demo data
    tz = conference.tz
    hall = _hall(conference, "E", "Exhibition hall", "展厅", 60, 30, 0, dt.time(7), dt.time(18))
    booths = _row_of_booths(
        hall, "E", 8, depth=30, price_usd=Decimal("3500"), price_cny=Decimal("25000")
    )
    moment = dt.datetime.combine(
        conference.start_date - dt.timedelta(days=45), dt.time(9), tzinfo=tz
    )
    contact = _user(EXHIBITOR_LOGIN, password=DEMO_PASSWORD, first="Qiu", last="Lijing")
    zgc = _zgc_exhibitor(conference, contact, moment)
    _book(booths[0], zgc, moment)
    exhibitors = [zgc]
    for i, slug in enumerate(["konza-technopolis", "ostim-technopark"]):
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            continue
        exhibitor = Exhibitor.objects.create(
            conference=conference,
            organisation=organisation,
            contact=_user(f"exhibitor-{slug}@example.org"),
            status=Exhibitor.Status.ACCEPTED,
            created=moment,
            decided_at=moment,
        )
        _book(booths[i + 2], exhibitor, moment)
        exhibitors.append(exhibitor)
    opening_day = dt.datetime.combine(conference.start_date, dt.time(11), tzinfo=tz)
    leads = _leads(zgc, _seed_visitors(conference), rng, opening_day, key="nairobi")
    _tour(
        conference,
        "The Deputy President's tour of the exhibition",
        "肯尼亚副总统参观展览",
        dt.datetime.combine(conference.start_date, dt.time(8, 30), tzinfo=tz),
        _party("rigathi-gachagua", "leno-miranda"),
        [booths[2], booths[0]],
        [5, 15],
    )
    return {"exhibitors": len(exhibitors), "booths": len(booths), "leads": leads}
