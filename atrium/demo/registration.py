"""Registration in the demo: Beijing 2025's types, prices, questions and vouchers; an order
for every registration; seat sign-ups with a full visit and its waiting list; two
delegations; and demo logins for a delegate and for check-in staff.

Deterministic (seeded) and idempotent like the rest of the loader: it fills in
only what is missing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Q

from atrium.events.models import Conference, ConferenceRole, Session
from atrium.network.models import Person
from atrium.registration.models import (
    Delegation,
    Letterhead,
    Order,
    Question,
    Registration,
    RegistrationPolicy,
    RegistrationType,
    SeatBooking,
    Voucher,
)
from atrium.registration.services import REFERENCE_ALPHABET

DEMO_PASSWORD = "atrium-demo"  # noqa: S105 - the published demo logins
DELEGATE_LOGIN = "delegate@example.org"
CHECKIN_LOGIN = "checkin@example.org"

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(year, month, day, hour=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


# code, name, name_zh, USD, CNY, early USD, early CNY, capacity, approval, members only, on sale
BEIJING_TYPES = [
    ("delegate-member", "Delegate, IASP member", "代表(IASP会员)", 850, 6100, 700, 5000,
     None, False, True, True),
    ("delegate", "Delegate, non-member", "代表(非会员)", 1050, 7500, 900, 6400,
     None, False, False, True),
    ("speaker", "Speaker", "演讲嘉宾", 0, 0, None, None, None, True, False, True),
    ("student", "Student", "学生", 300, 2100, None, None, 60, False, False, True),
    ("press", "Press", "媒体", 0, 0, None, None, 40, True, False, True),
    ("exhibitor", "Exhibitor staff", "参展工作人员", 400, 2900, None, None, None, False, False,
     True),
    ("vip", "VIP guest (by invitation)", "贵宾(受邀)", 0, 0, None, None, None, True, False,
     False),
]  # fmt: skip

BEIJING_QUESTIONS = [
    ("Dietary needs", "饮食需求", Question.Kind.CHOICE, True,
     "None|无\nVegetarian|素食\nVegan|纯素\nHalal|清真\nKosher|犹太洁食\nGluten-free|无麸质"),
    ("Accessibility needs", "无障碍需求", Question.Kind.TEXT, False, ""),
    ("Arrival date in Beijing", "抵京日期", Question.Kind.DATE, False, ""),
    ("Do you need a visa invitation letter?", "是否需要签证邀请函?", Question.Kind.YES_NO, True,
     ""),
    ("Is this your first IASP World Conference?", "这是您第一次参加IASP世界大会吗?",
     Question.Kind.YES_NO, False, ""),
]  # fmt: skip


def ensure_registration_demo(conference: Conference, *, seed: int) -> dict[str, int]:
    """Fill in Beijing 2025's registration set-up; returns what was created."""
    created = {"types": 0, "orders": 0, "bookings": 0, "delegations": 0}
    RegistrationPolicy.objects.get_or_create(
        conference=conference,
        defaults={
            "opens_at": _at(2025, 3, 1),
            "early_bird_until": _at(2025, 6, 30, 23),
            "full_refund_until": _at(2025, 7, 31, 23),
            "half_refund_until": _at(2025, 8, 31, 23),
            "reference_prefix": "BJ25",
            "bank_details": (
                "Beneficiary: Zhongguancun Science Park Administrative Committee (demo)\n"
                "Bank: Bank of Beijing, Zhongguancun Branch\n"
                "Account: 0000 0000 0000 0000 (demo: do not pay)\nSWIFT: BJCNCNBJ\n"
                "Please write your order reference on the transfer."
            ),
            "bank_details_zh": (
                "收款人:中关村科技园区管理委员会(演示)\n开户行:北京银行中关村分行\n"
                "账号:0000 0000 0000 0000(演示,请勿付款)\n汇款时请注明订单编号。"
            ),
        },
    )
    Letterhead.objects.get_or_create(
        conference=conference,
        defaults={
            "issuer_name": "Zhongguancun Science Park Administrative Committee",
            "issuer_name_zh": "中关村科技园区管理委员会",
            "address": "No. 5 Guanghua Road, Chaoyang District, Beijing 100020, China (demo)",
            "address_zh": "中国北京市朝阳区光华路5号,邮编100020(演示)",
            "email": "iasp2025@example.org",
            "phone": "+86 10 0000 0000",
            "website": "https://www.iasp2025beijing.example.org",
            "tax_number": "DEMO-91110000000000000X",
            "signatory_name": "Organising Committee Secretariat (demo)",
            "signatory_title": "42nd IASP World Conference on Science Parks",
            "letter_prefix": "BJ25-VL",
            "receipt_prefix": "BJ25-R",
        },
    )
    types = {}
    for position, row in enumerate(BEIJING_TYPES):
        code, name, name_zh, usd, cny, e_usd, e_cny, cap, approval, members, active = row
        rtype, was_created = RegistrationType.objects.get_or_create(
            conference=conference,
            code=code,
            defaults={
                "name": name,
                "name_zh": name_zh,
                "price_usd": Decimal(usd),
                "price_cny": Decimal(cny),
                "early_price_usd": Decimal(e_usd) if e_usd is not None else None,
                "early_price_cny": Decimal(e_cny) if e_cny is not None else None,
                "is_free": not usd and not cny,
                "capacity": cap,
                "requires_approval": approval,
                "members_only": members,
                "is_active": active,
                "position": position,
            },
        )
        types[code] = rtype
        created["types"] += was_created
    if not conference.questions.exists():
        for position, (label, label_zh, kind, required, options) in enumerate(BEIJING_QUESTIONS):
            Question.objects.create(
                conference=conference,
                label=label,
                label_zh=label_zh,
                kind=kind,
                required=required,
                options=options,
                position=position,
            )
    for code, kind, fields in (
        ("IASP-MEMBER20", Voucher.Kind.PERCENT, {"percent": 20, "max_uses": 200}),
        (
            "ZGC-PARTNER",
            Voucher.Kind.FIXED,
            {"amount_usd": 200, "amount_cny": 1400, "max_uses": 50},
        ),
        ("STUDENT-FREE", Voucher.Kind.FREE, {"max_uses": 10}),
    ):
        voucher, was_created = Voucher.objects.get_or_create(
            conference=conference, code=code, defaults={"kind": kind, **fields}
        )
        if was_created and code == "STUDENT-FREE":
            voucher.types.add(types["student"])

    created["orders"] = _ensure_orders(conference, types, seed)
    created["bookings"] = _ensure_bookings(conference, seed)
    created["delegations"] = _ensure_delegations(conference)
    _ensure_logins(conference)
    return created


def _ensure_orders(conference: Conference, types: dict, seed: int) -> int:
    """A type and an order for each registration that has none (bulk, deterministic)."""
    rng = random.Random(f"{seed}-beijing-orders")
    speakers = set(
        Person.objects.filter(session_roles__session__conference=conference).values_list(
            "pk", flat=True
        )
    )
    registrations = list(
        conference.registrations.filter(order__isnull=True)
        .select_related("person__organisation")
        .order_by("pk")
    )
    used = set(Order.objects.values_list("reference", flat=True))
    orders = []
    for registration in registrations:
        if registration.type_id is None:
            if registration.person_id in speakers:
                registration.type = types["speaker"]
            elif registration.person.organisation and registration.person.organisation.is_member:
                registration.type = types["delegate-member"]
            else:
                registration.type = rng.choice(
                    [types["delegate"]] * 6 + [types["student"], types["exhibitor"]]
                )
            registration.language = "zh-hans" if registration.person.name_zh else "en"
        currency = "CNY" if registration.language == "zh-hans" else "USD"
        early = rng.random() < 0.55
        price = registration.type.price(currency, early=early)
        if registration.status in (Registration.Status.CONFIRMED,):
            status = Order.Status.PAID if price else Order.Status.FREE
        elif registration.status == Registration.Status.CANCELLED:
            status = Order.Status.CANCELLED
        else:
            status = Order.Status.PENDING if price else Order.Status.FREE
        while True:
            reference = "BJ25-" + "".join(rng.choice(REFERENCE_ALPHABET) for _i in range(6))
            if reference not in used:
                used.add(reference)
                break
        orders.append(
            Order(
                conference=conference,
                registration=registration,
                reference=reference,
                currency=currency,
                list_price=price,
                total=price,
                status=status,
                paid_at=_at(2025, 6, 1) if status == Order.Status.PAID else None,
            )
        )
        if registration.status == Registration.Status.WAITLISTED:
            # The core demo used "waitlisted" for registrations; with quotas, a waiting
            # list is per session, so these become registrations awaiting payment.
            registration.status = Registration.Status.PENDING
    # One UPDATE per distinct (type, language, status), not one per row.
    groups: dict[tuple, list[int]] = {}
    for r in registrations:
        groups.setdefault((r.type_id, r.language, r.status), []).append(r.pk)
    for (type_id, language, status), pks in groups.items():
        Registration.objects.filter(pk__in=pks).update(
            type_id=type_id, language=language, status=status
        )
    Order.objects.bulk_create(orders, batch_size=500)
    return len(orders)


def _ensure_bookings(conference: Conference, seed: int) -> int:
    """Sign-ups for the sessions with seats: one technical visit full with a waiting list."""
    if SeatBooking.objects.filter(session__conference=conference).exists():
        return 0
    rng = random.Random(f"{seed}-beijing-bookings")
    confirmed = list(
        conference.registrations.filter(status=Registration.Status.CONFIRMED)
        .exclude(person__slug="cecile-harle")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sessions = list(conference.sessions.filter(seats__isnull=False).order_by("start", "pk"))
    visits = [s for s in sessions if s.kind == Session.Kind.TECHNICAL_VISIT]
    busy: dict[int, list[Session]] = {}
    bookings = []
    clock = _at(2025, 7, 1, 9)
    for session in sessions:
        if session == (visits[0] if visits else None):
            wanted = session.seats + 6  # full, six on the waiting list
        else:
            wanted = int(session.seats * rng.uniform(0.35, 0.8))
        pool = confirmed[:]
        rng.shuffle(pool)
        taken = 0
        for registration_id in pool:
            if taken >= wanted:
                break
            if any(
                s.start < session.end and session.start < s.end
                for s in busy.get(registration_id, [])
            ):
                continue
            clock += dt.timedelta(minutes=rng.randint(1, 90))
            status = (
                SeatBooking.Status.CONFIRMED
                if taken < session.seats
                else SeatBooking.Status.WAITLISTED
            )
            bookings.append(
                SeatBooking(
                    session=session, registration_id=registration_id, status=status, created=clock
                )
            )
            busy.setdefault(registration_id, []).append(session)
            taken += 1
    SeatBooking.objects.bulk_create(bookings, batch_size=1000)
    return len(bookings)


def _ensure_delegations(conference: Conference) -> int:
    made = 0
    for name, name_zh, basis, city, country, head_slug, kind, member_filter in (
        (
            "Beijing Municipal Government",
            "北京市人民政府代表团",
            Delegation.Basis.CITY,
            "Beijing",
            "CN",
            "ma-jun",
            Delegation.MemberKind.GOVERNMENT,
            Q(person__name_zh__gt="", person__organisation__kind="government"),
        ),
        (
            "Sophia Antipolis",
            "索菲亚科技园代表团",
            Delegation.Basis.CITY,
            "Sophia Antipolis",
            "FR",
            "cecile-harle",
            Delegation.MemberKind.PARK,
            Q(person__country="FR"),
        ),
    ):
        head = Person.objects.filter(slug=head_slug).first()
        if head is None or Delegation.objects.filter(conference=conference, name=name).exists():
            continue
        delegation = Delegation.objects.create(
            conference=conference,
            name=name,
            name_zh=name_zh,
            basis=basis,
            city=city,
            country=country,
            head=head,
            member_kind=kind,
        )
        members = conference.registrations.filter(
            Q(person=head) | member_filter, delegation__isnull=True
        ).order_by("pk")[:12]
        Registration.objects.filter(pk__in=[r.pk for r in members]).update(delegation=delegation)
        made += 1
    return made


def _ensure_logins(conference: Conference) -> None:
    """A delegate (Cecile Harle, Sophia Antipolis) and a check-in steward, for trying it out."""
    User = get_user_model()
    delegate = User.objects.filter(username=DELEGATE_LOGIN).first()
    if delegate is None:
        delegate = User.objects.create_user(
            username=DELEGATE_LOGIN,
            email=DELEGATE_LOGIN,
            password=DEMO_PASSWORD,
            first_name="Cecile",
            last_name="Harle",
        )
        # Mail to her goes to the account's address (the real person has none in the demo).
        Person.objects.filter(slug="cecile-harle", user__isnull=True).update(user=delegate)
    checkin = User.objects.filter(username=CHECKIN_LOGIN).first()
    if checkin is None:
        checkin = User.objects.create_user(
            username=CHECKIN_LOGIN, email=CHECKIN_LOGIN, password=DEMO_PASSWORD
        )
    ConferenceRole.objects.get_or_create(
        conference=conference, user=checkin, role=ConferenceRole.Role.CHECKIN
    )
