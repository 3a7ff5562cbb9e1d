"""Calls with review in the demo (Beijing 2025):

- the call for talk proposals: 60 submissions in four tracks, 15 reviewers with expertise
  and bids, an optimal assignment (the real solver), published, and about 60% of the
  reviews submitted;
- the innovative-solutions award: 40 entries, among them the Feibiao (Dart) Acceleration
  Service Platform of Zhongguancun Changping Park (30+ projects served, close to 2 billion
  yuan raised, 200+ IP rights), a jury of 7, every entry reviewed, the top 10 decided,
  sent and published;
- host bids for a future edition, open now, with a few bids.

Deterministic (seeded) and idempotent: a call that exists is left as it is. The review
period of the talk call lies in 2025 like the edition; the bid call is still open.
Publishing and sending decisions here mails nobody (``mail=False``).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from atrium.events.models import Conference, ConferenceRole
from atrium.network.models import Organisation, Person
from atrium.reviews import services
from atrium.reviews.models import (
    Assignment,
    Bid,
    Call,
    Criterion,
    FormField,
    Reviewer,
    Submission,
    Track,
)
from atrium.reviews.selectors import submission_rows

REVIEWER_LOGIN = "reviewer@example.org"
DEMO_PASSWORD = "atrium-demo"  # noqa: S105 - the published demo logins
BEIJING = ZoneInfo("Asia/Shanghai")

TALK_TRACKS = [
    ("ai-digital", "AI and the digital economy", "人工智能与数字经济"),
    ("life-health", "Life sciences and health", "生命科学与健康"),
    ("green", "Green and low-carbon development", "绿色低碳发展"),
    ("incubation", "Incubation and entrepreneurship", "孵化与创业"),
]
TOPICS = {
    "ai-digital": ["artificial intelligence", "data", "digital twins", "smart parks"],
    "life-health": ["biomedicine", "health", "medical devices", "ageing"],
    "green": ["circular economy", "low-carbon", "energy", "sustainability"],
    "incubation": ["incubation", "startups", "venture capital", "acceleration"],
}
TALK_PATTERNS = [
    "{topic} in science parks: lessons from {city}",
    "How {city} grows {topic} companies",
    "From lab to market: {topic} in our park",
    "Measuring the impact of {topic} programmes",
    "Cross-border cooperation on {topic}",
]
AWARD_SOLUTIONS = [
    "Soft-landing programme for foreign start-ups",
    "Shared pilot plant for scale-ups",
    "Green building retrofit of a whole park",
    "Talent visa and housing one-stop shop",
    "University spin-off fund",
    "Digital twin of the park's utilities",
]
BID_CITIES = [
    ("Barcelona", "ES", "Generalitat de Catalunya"),
    ("Seoul", "KR", "Seoul Metropolitan Government"),
    ("Helsinki", "FI", "City of Helsinki"),
    ("Dubai", "AE", "Government of Dubai"),
]
DART = "feibiao-dart-acceleration-service-platform"


def _at(y, m, d, h=12) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=BEIJING)


def _rubric(call: Call, rows) -> None:
    for position, (key, name, name_zh, weight, counts) in enumerate(rows):
        Criterion.objects.create(
            call=call,
            key=key,
            name=name,
            name_zh=name_zh,
            weight=Decimal(weight),
            scale_min=1,
            scale_max=5,
            counts=counts,
            position=position,
        )


def _people(rng: random.Random, count: int, exclude: set[int]) -> list[Person]:
    pool = list(
        Person.objects.filter(organisation__isnull=False)
        .exclude(pk__in=exclude)
        .select_related("organisation")
        .order_by("slug")
    )
    return rng.sample(pool, count)


def _reviewer_users(call: Call, people: list[Person], first_login: bool) -> list[Reviewer]:
    User = get_user_model()
    reviewers = []
    for i, person in enumerate(people):
        email = (
            REVIEWER_LOGIN if first_login and i == 0 else f"reviewer-{call.slug}-{i}@example.org"
        )
        user = person.user if person.user_id else User.objects.filter(username=email).first()
        if user is None:
            user = User(username=email, email=email, first_name=person.name.split()[0])
            if first_login and i == 0:
                user.set_password(DEMO_PASSWORD)
            else:
                user.set_unusable_password()
            user.save()
        if person.user_id is None:
            person.user = user
            person.save(update_fields=["user", "search_key"])
        ConferenceRole.objects.get_or_create(
            conference=call.conference, user=user, role=ConferenceRole.Role.REVIEWER
        )
        reviewers.append(Reviewer.objects.create(call=call, user=user, person=person))
    return reviewers


def _review_some(
    call, share: float, rng: random.Random, at: dt.datetime, strong: int | None = None
) -> int:
    keys = list(call.criteria.values_list("key", flat=True))
    done = 0
    pairs = list(
        Assignment.objects.filter(reviewer__call=call)
        .select_related("reviewer", "submission")
        .order_by("submission_id", "reviewer_id")
    )
    for a in pairs:
        if rng.random() > share:
            continue
        # each entry its own level, on which reviewers agree loosely
        quality = 4 if a.submission.pk == strong else (a.submission.pk * 7919) % 5
        scores = {k: max(1, min(5, 1 + quality + rng.choice([-1, 0, 0, 1]))) for k in keys}
        services.review_save(
            reviewer=a.reviewer,
            submission=a.submission,
            scores=scores,
            text_for_submitter=rng.choice(
                ["Clear and relevant.", "Needs sharper figures.", "A strong case from practice."]
            ),
            text_for_committee=rng.choice(["", "Fits the track well.", "Similar to another one."]),
            submit=True,
            actor=None,
            at=at,
        )
        done += 1
    return done


def _talk_call(conference: Conference, rng: random.Random) -> dict[str, int]:
    call = Call.objects.create(
        conference=conference,
        slug="talks",
        kind=Call.Kind.TALKS,
        title="Call for talk proposals",
        title_zh="演讲征集",
        guidance=(
            "Propose a talk for a parallel forum of the 42nd IASP World Conference: a practice "
            "from your park or area of innovation, with figures. 20 minutes, in English."
        ),
        guidance_zh="为第42届IASP世界大会平行论坛提交演讲提案:来自园区或创新区域的实践与数据。20分钟,英文。",
        opens_at=_at(2025, 2, 1),
        closes_at=_at(2025, 4, 30, 23),
        review_from=_at(2025, 5, 1),
        review_until=_at(2025, 6, 15, 23),
        decisions_at=_at(2025, 6, 30),
        reviews_per_submission=3,
        anonymised=True,
    )
    tracks = [
        Track.objects.create(call=call, slug=slug, name=name, name_zh=zh, position=i)
        for i, (slug, name, zh) in enumerate(TALK_TRACKS)
    ]
    _rubric(
        call,
        [
            (
                "relevance",
                "Relevance to parks and areas of innovation",
                "与园区的相关性",
                "2",
                True,
            ),
            ("evidence", "Evidence and figures", "证据与数据", "1.5", True),
            ("clarity", "Clarity", "清晰度", "1", True),
            ("speaker", "Speaker's experience", "演讲者经验", "1", False),
        ],
    )
    FormField.objects.create(
        call=call,
        key="audience",
        kind=FormField.Kind.CHOICE,
        label="Main audience",
        label_zh="主要听众",
        choices="Park managers|园区管理者\nPolicy makers|政策制定者\nCompanies|企业",
        required=True,
    )
    FormField.objects.create(
        call=call,
        key="slides",
        kind=FormField.Kind.FILE,
        label="Draft slides (PDF)",
        label_zh="演示文稿草稿(PDF)",
        help_text="Optional.",
        help_text_zh="可选。",
    )
    submitters = _people(rng, 60, set())
    at = _at(2025, 3, 15)
    for i, person in enumerate(submitters):
        track = tracks[i % len(tracks)]
        topic = rng.choice(TOPICS[track.slug])
        title = rng.choice(TALK_PATTERNS).format(
            topic=topic,
            city=person.organisation.city or "our city",
            org=person.organisation.short_name or person.organisation.name,
        )
        title = title[0].upper() + title[1:]
        sub = services.submission_save(
            call=call,
            person=person,
            data={
                "title": title,
                # an anonymised call: the text names no organisation
                "abstract": f"What our park learnt about {topic}, with figures and a case.",
                "track": track,
                "session_kind": "parallel_forum",
                "duration_minutes": 20,
            },
            answers={"audience": rng.choice(["Park managers", "Policy makers", "Companies"])},
            language="zh-hans" if str(person.country) == "CN" else "en",
            actor=None,
            at=at,
        )
        if i % 20 != 19:  # three stay drafts
            services.submission_submit(submission=sub, person=person, actor=None, at=at)
    reviewer_people = _people(rng, 15, {p.pk for p in submitters})
    reviewers = _reviewer_users(call, reviewer_people, first_login=True)
    subs = list(Submission.objects.filter(call=call, status="submitted").order_by("id"))
    for i, reviewer in enumerate(reviewers):
        track_slug = TALK_TRACKS[i % len(TALK_TRACKS)][0]
        reviewer.topics = ", ".join(rng.sample(TOPICS[track_slug], 2))
        reviewer.max_load = 12
        reviewer.save(update_fields=["topics", "max_load"])
        for sub in rng.sample(subs, 8):
            level = rng.choices(
                [Bid.Level.EAGER, Bid.Level.WILLING, Bid.Level.NOT_WILLING, Bid.Level.CONFLICT],
                weights=[4, 4, 2, 1],
            )[0]
            Bid.objects.get_or_create(reviewer=reviewer, submission=sub, defaults={"level": level})
    run = services.assignment_run(call=call, actor=None)
    services.assignments_publish(call=call, actor=None, mail=False)
    reviewed = _review_some(call, 0.6, rng, _at(2025, 5, 20))
    return {
        "talk_submissions": len(submitters),
        "talk_reviewers": 15,
        "talk_reviews": reviewed,
        "talk_placed": run.placed,
    }


def _award_call(conference: Conference, rng: random.Random) -> dict[str, int]:
    call = Call.objects.create(
        conference=conference,
        slug="innovative-solutions",
        kind=Call.Kind.AWARD,
        title="IASP Innovative Solutions Award",
        title_zh="IASP创新解决方案奖",
        guidance="Enter a solution your park or incubator runs, with what it achieved.",
        guidance_zh="申报贵园区或孵化器运营的解决方案及其成效。",
        opens_at=_at(2025, 1, 15),
        closes_at=_at(2025, 4, 15, 23),
        review_from=_at(2025, 4, 20),
        review_until=_at(2025, 6, 1, 23),
        decisions_at=_at(2025, 6, 20),
        reviews_per_submission=3,
        same_country_conflict=False,
    )
    _rubric(
        call,
        [
            ("impact", "Impact", "影响力", "2", True),
            ("innovation", "Innovation", "创新性", "1.5", True),
            ("transferability", "Transferability", "可推广性", "1", True),
        ],
    )
    at = _at(2025, 3, 1)
    dart = Organisation.objects.get(slug=DART)
    dart_person = Person.objects.filter(slug="chang-sheng").first() or _people(rng, 1, set())[0]
    entries = [
        (
            dart_person,
            dart,
            "Feibiao (Dart) Acceleration Service Platform",
            "A biomedicine incubator in Zhongguancun Changping Park: 30+ projects and companies "
            "served, close to 2 billion yuan raised by them, 200+ IP rights.",
            30,
            Decimal("2000000000"),
            200,
        )
    ]
    orgs = list(
        Organisation.objects.filter(kind__in=["science_park", "incubator", "area_of_innovation"])
        .exclude(slug=DART)
        .filter(people__isnull=False)
        .distinct()
        .order_by("slug")
    )
    for org in rng.sample(orgs, 39):
        person = org.people.order_by("slug").first()
        solution = rng.choice(AWARD_SOLUTIONS)
        entries.append(
            (
                person,
                org,
                f"{org.short_name or org.name}: {solution.lower()}",
                f"{solution} at {org.name}.",
                rng.randint(5, 120),
                Decimal(rng.randint(1, 300) * 1_000_000),
                rng.randint(0, 150),
            )
        )
    for person, org, title, solution, projects, money, ip in entries:
        sub = services.submission_save(
            call=call,
            person=person,
            data={
                "title": title,
                "abstract": solution,
                "organisation": org,
                "solution": solution,
                "projects_served": projects,
                "money_raised_cny": money,
                "ip_rights": ip,
            },
            actor=None,
            at=at,
        )
        services.submission_submit(submission=sub, person=person, actor=None, at=at)
    taken = {p.pk for p, *_ in entries}
    jury = _reviewer_users(call, _people(rng, 7, taken), first_login=False)
    Reviewer.objects.filter(pk__in=[r.pk for r in jury]).update(max_load=20)
    services.assignment_run(call=call, actor=None)
    services.assignments_publish(call=call, actor=None, mail=False)
    dart_entry = Submission.objects.get(call=call, organisation=dart)
    reviewed = _review_some(call, 1.0, rng, _at(2025, 5, 10), strong=dart_entry.pk)
    # the top 10 by normalised score: the Dart entry, strongly reviewed, is among them
    rows = submission_rows(call, sort="normalised")
    top = [r.submission for r in rows[:10]]
    if dart_entry not in top:  # as in 2024, when it was named among the top 10
        top[-1] = dart_entry
    for rank, sub in enumerate(top, start=1):
        services.decision_set(submission=sub, outcome="accept", rank=rank, actor=None)
    for row in rows:
        if row.submission not in top:
            services.decision_set(submission=row.submission, outcome="reject", actor=None)
    services.decisions_send(call=call, actor=None, at=_at(2025, 6, 20), mail=False)
    services.results_publish(call=call, published=True, actor=None)
    return {"award_entries": len(entries), "award_jury": len(jury), "award_reviews": reviewed}


def _bid_call(conference: Conference, rng: random.Random) -> dict[str, int]:
    call = Call.objects.create(
        conference=conference,
        slug="host-bids",
        kind=Call.Kind.BIDS,
        title="Bids to host a future IASP World Conference",
        title_zh="未来IASP世界大会承办申请",
        guidance="A city, its dates, venue and the government that supports the bid.",
        guidance_zh="申办城市、日期、场馆及支持申办的政府。",
        opens_at=_at(2025, 9, 1),
        closes_at=_at(2027, 3, 31, 23),
        review_from=_at(2027, 4, 1),
        review_until=_at(2027, 5, 31, 23),
        decisions_at=_at(2027, 6, 30),
        reviews_per_submission=3,
        same_country_conflict=True,
    )
    _rubric(
        call,
        [
            ("venue", "Venue and access", "场馆与交通", "1", True),
            ("support", "Government support", "政府支持", "1", True),
            ("ecosystem", "Innovation ecosystem", "创新生态", "1", True),
        ],
    )
    people = _people(rng, len(BID_CITIES), set())
    for (city, _country, government), person in zip(BID_CITIES, people, strict=True):
        sub = services.submission_save(
            call=call,
            person=person,
            data={
                "title": f"{city} bid",
                "abstract": f"{city} proposes to host the conference.",
                "city": city,
                "proposed_start": dt.date(2028, 9, 12),
                "proposed_end": dt.date(2028, 9, 15),
                "venue": f"{city} Convention Centre",
                "supporting_government": government,
            },
            actor=None,
            at=_at(2025, 10, 1),
        )
        services.submission_submit(submission=sub, person=person, actor=None, at=_at(2025, 10, 1))
    return {"bids": len(BID_CITIES)}


def ensure_reviews_demo(conference: Conference, *, seed: int) -> dict[str, int]:
    """Add the calls that are missing; returns what was created."""
    created: dict[str, int] = {}
    for slug, build in (
        ("talks", _talk_call),
        ("innovative-solutions", _award_call),
        ("host-bids", _bid_call),
    ):
        if not Call.objects.filter(conference=conference, slug=slug).exists():
            created.update(build(conference, random.Random(f"{seed}-{slug}")))
    return created
