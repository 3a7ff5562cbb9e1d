"""B2B matchmaking in the demo: Beijing 2025's four B2B blocks with tables, profiles for
about 150 delegates (Cecile Harle of Sophia Antipolis and the Zhongguancun people
among them), about 300 requests (accepted, declined, waiting, a few withdrawn), and one
scheduler run, published.

Deterministic (seeded) and idempotent like the rest of the loader: blocks are added
where missing; profiles and requests only if the edition has none; the run only if
the edition has none. Publishing here sends no e-mail.
"""

from __future__ import annotations

import random

from django.db.models import Q

from atrium.events.models import Conference, Session
from atrium.matchmaking import recommend, selectors
from atrium.matchmaking.models import (
    Block,
    Meeting,
    MeetingRequest,
    Participant,
    PartnershipKind,
    Profile,
    SchedulerRun,
)
from atrium.matchmaking.planning import scheduler_execute, scheduler_publish
from atrium.network.models import Organisation, Sector
from atrium.registration.models import Registration

PROFILES = 150
REQUESTS = 300
TABLES = 12
TABLE_NAMES = [f"{row}{n}" for row in "AB" for n in range(1, 7)]  # A1…A6, B1…B6
CECILE = "cecile-harle"

K = PartnershipKind
OFFERS_BY_KIND = {
    "science_park": [K.SOFT_LANDING, K.INCUBATION, K.PARK_MANAGEMENT, K.FACILITIES],
    "area_of_innovation": [K.SOFT_LANDING, K.PARK_MANAGEMENT, K.INVESTMENT, K.MARKET_ACCESS],
    "incubator": [K.INCUBATION, K.TALENT, K.SOFT_LANDING],
    "company": [K.TECHNOLOGY_TRANSFER, K.INVESTMENT, K.MARKET_ACCESS],
    "university": [K.JOINT_RESEARCH, K.TECHNOLOGY_TRANSFER, K.TALENT],
    "research_institute": [K.JOINT_RESEARCH, K.TECHNOLOGY_TRANSFER, K.FACILITIES],
    "government": [K.PARK_MANAGEMENT, K.INVESTMENT, K.SOFT_LANDING],
    "association": [K.PARK_MANAGEMENT, K.TALENT],
    "other": [K.MARKET_ACCESS, K.TALENT],
}
SEEKS_BY_KIND = {
    "science_park": [K.TECHNOLOGY_TRANSFER, K.INVESTMENT, K.JOINT_RESEARCH, K.MARKET_ACCESS],
    "area_of_innovation": [K.TECHNOLOGY_TRANSFER, K.TALENT, K.JOINT_RESEARCH],
    "incubator": [K.INVESTMENT, K.SOFT_LANDING, K.MARKET_ACCESS],
    "company": [K.SOFT_LANDING, K.MARKET_ACCESS, K.FACILITIES, K.INCUBATION],
    "university": [K.INVESTMENT, K.FACILITIES, K.INCUBATION],
    "research_institute": [K.INVESTMENT, K.TECHNOLOGY_TRANSFER, K.MARKET_ACCESS],
    "government": [K.MARKET_ACCESS, K.TALENT, K.INVESTMENT],
    "association": [K.JOINT_RESEARCH, K.MARKET_ACCESS],
    "other": [K.INCUBATION, K.INVESTMENT],
}
PARTNERS_BY_KIND = {
    "science_park": ["science_park", "company", "university", "incubator"],
    "area_of_innovation": ["science_park", "company", "government"],
    "incubator": ["company", "science_park", "university"],
    "company": ["science_park", "incubator", "area_of_innovation"],
    "university": ["company", "science_park", "research_institute"],
    "research_institute": ["company", "university", "science_park"],
    "government": ["science_park", "area_of_innovation", "company"],
    "association": ["science_park", "area_of_innovation"],
    "other": ["company", "science_park"],
}
LANGUAGE_OF_COUNTRY = {
    **dict.fromkeys(["CN", "TW", "HK", "MO", "SG"], "zh"),
    **dict.fromkeys(["FR", "BE", "LU", "CH", "MA", "TN", "DZ", "SN", "CI"], "fr"),
    **dict.fromkeys(
        ["ES", "MX", "AR", "CL", "CO", "PE", "UY", "PY", "EC", "BO", "CR", "PA", "DO", "GT"], "es"
    ),
    **dict.fromkeys(["PT", "BR"], "pt"),
    **dict.fromkeys(["DE", "AT"], "de"),
    "IT": "it",
    **dict.fromkeys(["AE", "SA", "QA", "OM", "BH", "KW", "JO", "LB", "EG"], "ar"),
    **dict.fromkeys(["RU", "KZ", "UA"], "ru"),
    "JP": "ja",
    "KR": "ko",
    "TR": "tr",
    **dict.fromkeys(["KE", "TZ", "UG"], "sw"),
}
OFFER_TEXT = {
    K.SOFT_LANDING: "A soft-landing package for foreign companies: desks, legal help, contacts.",
    K.INCUBATION: "Incubation and acceleration programmes for deep-tech start-ups.",
    K.PARK_MANAGEMENT: "Twenty years of park management and policy experience to share.",
    K.FACILITIES: "Shared laboratories and pilot lines open to partners.",
    K.INVESTMENT: "A co-investment fund for early-stage technology companies.",
    K.MARKET_ACCESS: "Introductions to buyers and distributors in our region.",
    K.TALENT: "Exchange programmes for engineers and start-up founders.",
    K.TECHNOLOGY_TRANSFER: "Licensable technologies and a technology-transfer office.",
    K.JOINT_RESEARCH: "Research teams open to joint projects and grant applications.",
}
SEEK_TEXT = {
    K.TECHNOLOGY_TRANSFER: "Technologies to license into our companies.",
    K.INVESTMENT: "Investors for the companies we incubate.",
    K.JOINT_RESEARCH: "Research partners for joint projects.",
    K.MARKET_ACCESS: "A way into new markets for our companies.",
    K.SOFT_LANDING: "A soft landing abroad for our companies.",
    K.FACILITIES: "Laboratory space and pilot facilities.",
    K.INCUBATION: "Incubation partners for our spin-offs.",
    K.TALENT: "Talent and training exchanges.",
    K.PARK_MANAGEMENT: "Advice on running an area of innovation.",
}


def ensure_matchmaking_demo(conference: Conference, *, seed: int) -> dict[str, int]:
    """Fill in Beijing 2025's B2B matchmaking; returns what was created."""
    created = {"b2b_blocks": 0, "b2b_profiles": 0, "b2b_requests": 0, "b2b_published": 0}
    created["b2b_blocks"] = _ensure_blocks(conference)
    if not Profile.objects.filter(conference=conference).exists():
        profiles = _create_profiles(conference, seed)
        created["b2b_profiles"] = len(profiles)
        created["b2b_requests"] = _create_requests(conference, profiles, seed)
    if (
        not SchedulerRun.objects.filter(conference=conference).exists()
        and Meeting.objects.filter(conference=conference).exists()
    ):
        run = SchedulerRun.objects.create(conference=conference, time_limit=5, seed=seed)
        run = scheduler_execute(run_id=run.pk)
        if run.status == SchedulerRun.Status.DONE:
            created["b2b_published"] = len(
                scheduler_publish(run=run, actor=None, notify=False).published
            )
    return created


def _ensure_blocks(conference: Conference) -> int:
    sessions = conference.sessions.filter(
        kind=Session.Kind.BILATERAL_MEETING, b2b_block__isnull=True
    ).order_by("start")
    blocks = [
        Block(
            session=session,
            slot_minutes=30,
            table_count=TABLES,
            table_names="\n".join(TABLE_NAMES),
        )
        for session in sessions
    ]
    Block.objects.bulk_create(blocks)
    return len(blocks)


def _pick(rng: random.Random, options: list, low: int, high: int) -> list:
    return rng.sample(options, min(len(options), rng.randint(low, high)))


def _create_profiles(conference: Conference, seed: int) -> list[Profile]:
    rng = random.Random(f"{seed}-beijing-b2b-profiles")
    confirmed = (
        Registration.objects.filter(conference=conference, status=Registration.Status.CONFIRMED)
        .select_related("person__organisation")
        .order_by("pk")
    )
    zgc = Q(person__organisation__slug__startswith="zhongguancun") | Q(
        person__organisation__parent__slug__startswith="zhongguancun"
    )
    first = list(confirmed.filter(Q(person__slug=CECILE) | zgc))
    rest = list(confirmed.exclude(pk__in=[r.pk for r in first]))
    rng.shuffle(rest)
    chosen = (first + rest)[:PROFILES]
    all_sectors = list(Sector.objects.order_by("slug"))
    by_slug = {s.slug: s for s in all_sectors}
    org_sectors: dict[int, list[Sector]] = {}
    through = Organisation.sectors.through
    for org_id, sector_id in through.objects.filter(
        organisation_id__in={r.person.organisation_id for r in chosen if r.person.organisation_id}
    ).values_list("organisation_id", "sector_id"):
        org_sectors.setdefault(org_id, []).append(next(s for s in all_sectors if s.pk == sector_id))
    profiles = []
    sector_rows = []
    for registration in chosen:
        person = registration.person
        organisation = person.organisation
        kind = organisation.kind if organisation else "other"
        country = str(person.country or (organisation.country if organisation else ""))
        if person.slug == CECILE:
            values = {
                "offer_kinds": [K.SOFT_LANDING, K.INCUBATION, K.JOINT_RESEARCH],
                "seek_kinds": [K.JOINT_RESEARCH, K.SOFT_LANDING, K.MARKET_ACCESS],
                "partner_kinds": ["science_park", "area_of_innovation", "company"],
                "languages": ["en", "fr"],
                "offers": (
                    "A soft landing in Europe at Sophia Antipolis for Chinese technology "
                    "companies; incubation for deep-tech start-ups; research teams open to "
                    "joint projects."
                ),
                "seeks": (
                    "Partners in Zhongguancun for new-generation IT and for life and health: "
                    "joint projects, and a soft landing in Beijing for our companies."
                ),
                "directory_listed": True,
            }
            sectors = [by_slug["ict"], by_slug["life-sciences-health"]]
        else:
            offers = _pick(rng, OFFERS_BY_KIND.get(kind, OFFERS_BY_KIND["other"]), 1, 3)
            seeks = _pick(rng, SEEKS_BY_KIND.get(kind, SEEKS_BY_KIND["other"]), 1, 3)
            languages = ["en"]
            if country in LANGUAGE_OF_COUNTRY:
                languages.append(LANGUAGE_OF_COUNTRY[country])
            if country == "CN" and rng.random() < 0.25:
                languages = ["zh"]  # some Chinese delegates meet in Chinese only
            values = {
                "offer_kinds": [k.value for k in K if k in offers],
                "seek_kinds": [k.value for k in K if k in seeks],
                "partner_kinds": _pick(rng, PARTNERS_BY_KIND.get(kind, ["company"]), 1, 3),
                "languages": [code for code, _label in _language_choices() if code in languages],
                "offers": " ".join(OFFER_TEXT[k] for k in offers[:2]),
                "seeks": " ".join(SEEK_TEXT[k] for k in seeks[:2]),
                "directory_listed": rng.random() < 0.6,
            }
            sectors = org_sectors.get(organisation.pk if organisation else 0) or _pick(
                rng, all_sectors, 1, 3
            )
            sectors = sectors[:4]
        profiles.append(Profile(conference=conference, registration=registration, **values))
        sector_rows.append(sectors)
    Profile.objects.bulk_create(profiles)
    Profile.sectors.through.objects.bulk_create(
        Profile.sectors.through(profile_id=profile.pk, sector_id=sector.pk)
        for profile, sectors in zip(profiles, sector_rows, strict=True)
        for sector in sectors
    )
    for profile, sectors in zip(profiles, sector_rows, strict=True):
        profile.sector_ids = frozenset(s.pk for s in sectors)
    return profiles


def _language_choices():
    from atrium.matchmaking.models import Language

    return Language.choices


def _create_requests(conference: Conference, profiles: list[Profile], seed: int) -> int:
    """About ``REQUESTS`` requests, mostly to well-matched partners; a few set pieces for
    Cecile Harle: a meeting with Zhongguancun, a request from Zhongguancun to answer, and
    one of hers waiting."""
    rng = random.Random(f"{seed}-beijing-b2b-requests")
    cards = {p.registration_id: selectors.card_for(p) for p in profiles}
    by_registration = {p.registration_id: p for p in profiles}
    pairs: dict[frozenset, tuple[int, int, str]] = {}
    sent: dict[int, int] = {}

    def add(requester: int, recipient: int, status: str) -> bool:
        key = frozenset((requester, recipient))
        if requester == recipient or key in pairs or sent.get(requester, 0) >= 12:
            return False
        a, b = cards[requester], cards[recipient]
        if a.organisation_id is not None and a.organisation_id == b.organisation_id:
            return False
        pairs[key] = (requester, recipient, status)
        sent[requester] = sent.get(requester, 0) + 1
        return True

    cecile = next(
        (p for p in profiles if p.registration.person.slug == CECILE),
        None,
    )
    if cecile is not None:
        zgc = [
            p
            for p in profiles
            if p.registration.person.organisation
            and "zhongguancun" in p.registration.person.organisation.slug
        ]
        for i, other in enumerate(zgc[:4]):
            me, them = cecile.registration_id, other.registration_id
            if i == 0:
                add(me, them, MeetingRequest.Status.ACCEPTED)
            elif i == 1:
                add(them, me, MeetingRequest.Status.ACCEPTED)
            elif i == 2:
                add(them, me, MeetingRequest.Status.PENDING)
            else:
                add(me, them, MeetingRequest.Status.PENDING)
    keys = sorted(cards)
    # The host's people are in demand: a share of all requests goes to them, so that some
    # of them are fully booked and the scheduler has to explain why.
    popular = sorted(
        p.registration_id
        for p in profiles
        if p.registration.person.organisation
        and "zhongguancun" in p.registration.person.organisation.slug
    )
    statuses = [
        MeetingRequest.Status.ACCEPTED,
        MeetingRequest.Status.DECLINED,
        MeetingRequest.Status.PENDING,
        MeetingRequest.Status.CANCELLED,
    ]
    weights = [0.58, 0.17, 0.2, 0.05]
    attempts = 0
    while len(pairs) < REQUESTS and attempts < REQUESTS * 20:
        attempts += 1
        requester = rng.choice(keys)
        # Ask among the best few suggestions, with some chance of anyone.
        recs = recommend.recommend(cards[requester], (cards[k] for k in keys), limit=8)
        draw = rng.random()
        if popular and draw < 0.3:
            recipient = rng.choice(popular[:2])
        elif recs and draw < 0.85:
            recipient = rng.choice(recs).card.key
        else:
            recipient = rng.choice(keys)
        add(requester, recipient, rng.choices(statuses, weights=weights)[0])
    requests = []
    for requester, recipient, status in pairs.values():
        requests.append(
            MeetingRequest(
                conference=conference,
                requester=by_registration[requester].registration,
                recipient=by_registration[recipient].registration,
                status=status,
                message=rng.choice(
                    [
                        "Could we meet to explore a partnership?",
                        "I would like to present our park and hear about yours.",
                        "We are looking for partners in your sector: 30 minutes?",
                        "",
                    ]
                ),
            )
        )
    MeetingRequest.objects.bulk_create(requests)
    accepted = [r for r in requests if r.status == MeetingRequest.Status.ACCEPTED]
    meetings = Meeting.objects.bulk_create(
        Meeting(conference=conference, request=r, priority=1) for r in accepted
    )
    Participant.objects.bulk_create(
        participant
        for meeting, request in zip(meetings, accepted, strict=True)
        for participant in (
            Participant(
                meeting=meeting,
                registration_id=request.requester_id,
                side=Participant.Side.REQUESTER,
            ),
            Participant(
                meeting=meeting,
                registration_id=request.recipient_id,
                side=Participant.Side.RECIPIENT,
            ),
        )
    )
    return len(requests)
