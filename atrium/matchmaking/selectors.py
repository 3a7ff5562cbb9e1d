"""Read-only queries of B2B matchmaking, for the delegate and organiser pages, the /me/
page, the organisation pages of the directory and the personal calendar feed.

Every query is scoped to one edition, and the pages that list many people use a fixed
number of queries whatever the size of the edition.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from atrium.core.search import search
from atrium.events.models import Conference
from atrium.matchmaking import recommend
from atrium.matchmaking.models import (
    Block,
    Feedback,
    Language,
    Meeting,
    MeetingRequest,
    Participant,
    PartnershipKind,
    Placement,
    Profile,
    SchedulerRun,
)
from atrium.network.models import Organisation, Person, Sector
from atrium.registration.models import Registration

CONFIRMED = Registration.Status.CONFIRMED


# --- who is who ------------------------------------------------------------------------


def registration_for(user, conference: Conference) -> Registration | None:
    """The user's confirmed registration for ``conference`` (None if they have none)."""
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.select_related("person__organisation", "conference")
        .filter(conference=conference, person__user=user, status=CONFIRMED)
        .first()
    )


def profile_of(registration: Registration) -> Profile | None:
    return (
        Profile.objects.filter(registration=registration)
        .select_related("registration__person__organisation")
        .prefetch_related("sectors")
        .first()
    )


def previous_profile(person: Person, conference: Conference) -> Profile | None:
    """The person's latest profile in another edition, to start a new one from."""
    return (
        Profile.objects.filter(registration__person=person)
        .exclude(conference=conference)
        .prefetch_related("sectors")
        .order_by("-conference__start_date")
        .first()
    )


def _with_sector_ids(profiles: list[Profile]) -> list[Profile]:
    """Attach ``sector_ids`` (a frozenset) to each profile: one query for all."""
    ids: dict[int, set[int]] = defaultdict(set)
    through = Profile.sectors.through
    rows = through.objects.filter(profile_id__in=[p.pk for p in profiles]).values_list(
        "profile_id", "sector_id"
    )
    if len(profiles) > 500:  # avoid a huge IN list: the edition's rows instead
        rows = through.objects.filter(profile__conference_id=profiles[0].conference_id).values_list(
            "profile_id", "sector_id"
        )
    for profile_id, sector_id in rows:
        ids[profile_id].add(sector_id)
    for profile in profiles:
        profile.sector_ids = frozenset(ids.get(profile.pk, ()))
    return profiles


def active_profiles(conference: Conference) -> list[Profile]:
    """Profiles of confirmed delegates taking part, with person and organisation."""
    profiles = list(
        Profile.objects.filter(
            conference=conference, is_active=True, registration__status=CONFIRMED
        )
        .select_related("registration__person__organisation")
        .order_by("id")
    )
    return _with_sector_ids(profiles) if profiles else profiles


def card_for(profile: Profile) -> recommend.Card:
    person = profile.registration.person
    organisation = person.organisation
    sector_ids = getattr(profile, "sector_ids", None)
    if sector_ids is None:
        sector_ids = frozenset(s.pk for s in profile.sectors.all())
    return recommend.Card(
        key=profile.registration_id,
        name=person.sort_name or person.name,
        organisation_id=person.organisation_id,
        organisation_kind=organisation.kind if organisation else "",
        country=str(person.country or (organisation.country if organisation else "")),
        sectors=frozenset(sector_ids),
        offers=frozenset(profile.offer_kinds),
        seeks=frozenset(profile.seek_kinds),
        partner_kinds=frozenset(profile.partner_kinds),
        languages=frozenset(profile.languages),
    )


# --- explanations ----------------------------------------------------------------------


def _join(items: list[str]) -> str:
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def reason_text(reason: recommend.Reason, sectors: dict[int, Sector]) -> str:
    """One reason of a suggestion, in the page's language."""
    kinds = dict(PartnershipKind.choices)
    org_kinds = dict(Organisation.Kind.choices)
    languages = dict(Language.choices)
    code, items = reason.code, reason.items
    if code == "sectors":
        names = _join([sectors[i].name_i18n for i in items if i in sectors])
        return _("Both in %(sectors)s") % {"sectors": names}
    if code == "they_seek_you_offer":
        return _("They look for %(what)s; you offer it") % {
            "what": _join([kinds[k].lower() for k in items])
        }
    if code == "they_offer_you_seek":
        return _("They offer %(what)s, which you look for") % {
            "what": _join([kinds[k].lower() for k in items])
        }
    if code == "kind_you_seek":
        return _("A kind of partner you look for: %(kind)s") % {
            "kind": str(org_kinds.get(items[0], items[0])).lower()
        }
    if code == "kind_they_seek":
        return _("They look for partners like you (%(kind)s)") % {
            "kind": str(org_kinds.get(items[0], items[0])).lower()
        }
    if code == "languages":
        return _("You both speak %(languages)s") % {
            "languages": _join([str(languages[c]) for c in items if c in languages])
        }
    if code == "no_language":
        return _("No meeting language in common")
    if code == "new_country":
        return _("From a country you have no meeting with yet: %(country)s") % {
            "country": countries.name(items[0]) or items[0]
        }
    return code


@dataclass(frozen=True)
class ReasonLine:
    text: str
    points: float
    code: str

    @property
    def is_negative(self) -> bool:
        return self.points < 0

    def __str__(self) -> str:
        return self.text


def reason_lines(reasons, sectors: dict[int, Sector]) -> list[ReasonLine]:
    return [ReasonLine(reason_text(r, sectors), r.points, r.code) for r in reasons]


@dataclass
class Suggestion:
    profile: Profile
    score: float
    reasons: list[ReasonLine] = field(default_factory=list)
    #: the country whose earlier suggestions ranked this one lower ("" if none did)
    spread_country: str = ""

    @property
    def person(self) -> Person:
        return self.profile.registration.person


def _sector_map() -> dict[int, Sector]:
    return {s.pk: s for s in Sector.objects.all()}


def _contacts(registration: Registration) -> tuple[set[int], set[int]]:
    """(registration ids with any request to or from me except cancelled ones,
    registration ids with an open request or meeting with me)."""
    rows = MeetingRequest.objects.filter(
        Q(requester=registration) | Q(recipient=registration)
    ).values_list("requester_id", "recipient_id", "status")
    known, open_ = set(), set()
    for requester_id, recipient_id, status in rows:
        other = recipient_id if requester_id == registration.pk else requester_id
        if status != MeetingRequest.Status.CANCELLED:
            known.add(other)
        if status in MeetingRequest.OPEN:
            open_.add(other)
    return known, open_


def suggestions(
    *, registration: Registration, profile: Profile, limit: int = 10
) -> list[Suggestion]:
    """Suggested partners for ``registration``, best first, each with its reasons.

    Leaves out the delegate, colleagues, and anyone with whom a request exists (asked,
    accepted or declined, either way). A fixed handful of queries.
    """
    profiles = active_profiles(registration.conference)
    by_registration = {p.registration_id: p for p in profiles}
    mine = by_registration.get(registration.pk) or _with_sector_ids([profile])[0]
    known, open_ = _contacts(registration)
    contacted_countries = {
        card_for(by_registration[r]).country for r in open_ if r in by_registration
    }
    recs = recommend.recommend(
        card_for(mine),
        (card_for(p) for p in profiles),
        exclude=known,
        contacted_countries=contacted_countries,
        limit=limit,
    )
    sectors = _sector_map() if recs else {}
    return [
        Suggestion(
            profile=by_registration[rec.card.key],
            score=rec.score,
            reasons=reason_lines(rec.reasons, sectors),
            spread_country=(countries.name(rec.card.country) or rec.card.country)
            if rec.spread
            else "",
        )
        for rec in recs
    ]


def explain_pair(*, mine: Profile, theirs: Profile, registration: Registration) -> list[ReasonLine]:
    """Why ``theirs`` could be a partner for ``mine`` (for the person page)."""
    _known, open_ = _contacts(registration)
    countries_ = set(
        Registration.objects.filter(pk__in=open_).values_list("person__country", flat=True)
    )
    rec = recommend.explain(card_for(mine), card_for(theirs), contacted_countries=countries_)
    return reason_lines(rec.reasons, _sector_map())


# --- people ----------------------------------------------------------------------------


def people(
    conference: Conference, *, q: str = "", sector: str = "", exclude: int | None = None
) -> QuerySet[Profile]:
    """Delegates taking part, for browsing: search by name or organisation, sector filter."""
    profiles = (
        Profile.objects.filter(
            conference=conference, is_active=True, registration__status=CONFIRMED
        )
        .select_related("registration__person__organisation")
        .prefetch_related("sectors")
    )
    if exclude is not None:
        profiles = profiles.exclude(registration_id=exclude)
    if sector:
        profiles = profiles.filter(sectors__slug=sector)
    if q:
        by_name = search(profiles, q, "registration__person__search_key").values_list(
            "pk", flat=True
        )
        by_org = search(profiles, q, "registration__person__organisation__search_key").values_list(
            "pk", flat=True
        )
        profiles = profiles.filter(Q(pk__in=by_name) | Q(pk__in=by_org))
    return profiles.order_by("registration__person__sort_name", "pk")


def profile_for_person(conference: Conference, person_id: int) -> Profile | None:
    """The active profile of a confirmed delegate of ``conference``, or None."""
    return (
        Profile.objects.filter(
            conference=conference,
            is_active=True,
            registration__status=CONFIRMED,
            registration__person_id=person_id,
        )
        .select_related("registration__person__organisation", "registration__conference")
        .prefetch_related("sectors")
        .first()
    )


def request_between(a: Registration, b: Registration) -> MeetingRequest | None:
    """The latest request between two delegates, either way."""
    return (
        MeetingRequest.objects.filter(Q(requester=a, recipient=b) | Q(requester=b, recipient=a))
        .select_related("requester__person", "recipient__person")
        .order_by("-created", "-id")
        .first()
    )


# --- my requests and meetings --------------------------------------------------------------


def _people_prefetch() -> Prefetch:
    return Prefetch(
        "participants",
        queryset=Participant.objects.select_related("registration__person__organisation"),
    )


def requests_received(registration: Registration) -> QuerySet[MeetingRequest]:
    return (
        MeetingRequest.objects.filter(recipient=registration, status=MeetingRequest.Status.PENDING)
        .select_related("requester__person__organisation")
        .order_by("created", "id")
    )


def requests_sent(registration: Registration) -> QuerySet[MeetingRequest]:
    """What I asked for and is not accepted (accepted ones are meetings)."""
    return (
        MeetingRequest.objects.filter(requester=registration)
        .exclude(status=MeetingRequest.Status.ACCEPTED)
        .select_related("recipient__person__organisation")
        .order_by("-created", "-id")
    )


def my_meetings(registration: Registration) -> list[Meeting]:
    """Active meetings I am in, published ones first by time; each with ``people`` (the
    others), ``me`` (my participant row) and ``main`` (True if I asked or was asked)."""
    meetings = list(
        Meeting.objects.filter(
            status=Meeting.Status.ACTIVE, participants__registration=registration
        )
        .select_related("request", "block__session__room")
        .prefetch_related(_people_prefetch())
        .order_by("start", "id")
    )
    for meeting in meetings:
        rows = list(meeting.participants.all())
        meeting.me = next(p for p in rows if p.registration_id == registration.pk)
        meeting.people = [p for p in rows if p.registration_id != registration.pk]
        meeting.main = not meeting.me.is_colleague
    meetings.sort(key=lambda m: (m.start is None, m.start.timestamp() if m.start else 0, m.pk))
    return meetings


def colleagues(registration: Registration) -> list[Registration]:
    """Confirmed delegates of the same organisation, for "add a colleague"."""
    organisation = registration.person.organisation_id
    if organisation is None:
        return []
    return list(
        Registration.objects.filter(
            conference=registration.conference_id,
            status=CONFIRMED,
            person__organisation=organisation,
        )
        .exclude(pk=registration.pk)
        .select_related("person")
        .order_by("person__sort_name", "pk")
    )


@dataclass
class MeetingEntry:
    """A published meeting as the calendar feed and the /me/ page need it."""

    id: int
    start: datetime
    end: datetime
    table: str
    place: str  # the B2B block's room (or off-site place)
    participants: list[Person]  # everyone, with ``organisation`` loaded
    others: list[Person]  # everyone but the person asked about
    sequence: int
    updated: datetime

    @property
    def summary(self) -> str:
        names = ", ".join(p.name_i18n for p in self.others)
        return _("B2B meeting: %(names)s") % {"names": names}

    @property
    def location(self) -> str:
        return f"{self.place} · {self.table}" if self.place else self.table


def meetings_for_person(*, conference: Conference, person: Person) -> list[MeetingEntry]:
    """The published, active meetings ``person`` is in, by time: three queries."""
    meetings = (
        Meeting.objects.filter(
            conference=conference,
            status=Meeting.Status.ACTIVE,
            published_at__isnull=False,
            start__isnull=False,
            participants__registration__person=person,
        )
        .select_related("block__session__room")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("registration__person__organisation"),
            )
        )
        .order_by("start", "id")
    )
    return [_entry(meeting, person) for meeting in meetings]


def _entry(meeting: Meeting, person: Person) -> MeetingEntry:
    everyone = [p.registration.person for p in meeting.participants.all()]
    session = meeting.block.session if meeting.block else None
    return MeetingEntry(
        id=meeting.pk,
        start=meeting.start,
        end=meeting.end,
        table=meeting.table_name,
        place=session.location_i18n if session else "",
        participants=everyone,
        others=[p for p in everyone if p.pk != person.pk],
        sequence=meeting.sequence,
        updated=meeting.updated,
    )


def organisation_profiles(organisation: Organisation, *, limit: int = 12) -> list[Profile]:
    """Profiles of the organisation's delegates that they chose to show on its page, from
    published editions, newest edition first."""
    return list(
        Profile.objects.filter(
            is_active=True,
            directory_listed=True,
            registration__status=CONFIRMED,
            registration__person__organisation=organisation,
            conference__is_published=True,
        )
        .select_related("registration__person", "conference")
        .prefetch_related("sectors")
        .order_by("-conference__start_date", "registration__person__sort_name", "pk")[:limit]
    )


# --- organiser -------------------------------------------------------------------------


@dataclass
class RequestStats:
    total: int
    by_status: dict[str, int]
    profiles: int
    meetings: int
    published: int
    most_asked: list[tuple[Person, int]]

    @property
    def status_rows(self) -> list[tuple[str, str, int]]:
        """(status, label, count) for every request status, in order."""
        return [
            (value, label, self.by_status.get(value, 0))
            for value, label in MeetingRequest.Status.choices
        ]

    @property
    def answered(self) -> int:
        return self.by_status.get("accepted", 0) + self.by_status.get("declined", 0)

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted among answered requests, as a percentage."""
        return 100 * self.by_status.get("accepted", 0) / self.answered if self.answered else None


def request_stats(conference: Conference) -> RequestStats:
    by_status = dict(
        MeetingRequest.objects.filter(conference=conference)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    meetings = Counter(
        Meeting.objects.filter(conference=conference, status=Meeting.Status.ACTIVE)
        .annotate(is_pub=Q(published_at__isnull=False))
        .values_list("is_pub", flat=True)
    )
    top = list(
        MeetingRequest.objects.filter(conference=conference)
        .exclude(status=MeetingRequest.Status.CANCELLED)
        .values("recipient_id")
        .annotate(n=Count("id"))
        .order_by("-n", "recipient_id")[:10]
    )
    people_by_registration = {
        r.pk: r.person
        for r in Registration.objects.filter(
            pk__in=[t["recipient_id"] for t in top]
        ).select_related("person__organisation")
    }
    return RequestStats(
        total=sum(by_status.values()),
        by_status=by_status,
        profiles=Profile.objects.filter(
            conference=conference, is_active=True, registration__status=CONFIRMED
        ).count(),
        meetings=sum(meetings.values()),
        published=meetings.get(True, 0),
        most_asked=[(people_by_registration[t["recipient_id"]], t["n"]) for t in top],
    )


def blocks(conference: Conference) -> list:
    """Every B2B session of the edition with its block settings (or None if not set up)."""
    from atrium.events.models import Session

    sessions = list(
        Session.objects.filter(conference=conference, kind=Session.Kind.BILATERAL_MEETING)
        .select_related("room", "b2b_block")
        .annotate(
            published=Count(
                "b2b_block__meetings",
                filter=Q(
                    b2b_block__meetings__status=Meeting.Status.ACTIVE,
                    b2b_block__meetings__published_at__isnull=False,
                ),
            )
        )
        .order_by("start", "pk")
    )
    for session in sessions:
        session.block = getattr(session, "b2b_block", None)
        session.slot_count = len(session.block.slots()) if session.block else 0
    return sessions


def latest_run(conference: Conference) -> SchedulerRun | None:
    return SchedulerRun.objects.filter(conference=conference).order_by("-created", "-id").first()


def _names(registration_ids: set[int]) -> dict[int, str]:
    return {
        r.pk: r.person.name_i18n
        for r in Registration.objects.filter(pk__in=registration_ids).select_related("person")
    }


def placement_reason(code: str, params: dict, names: dict[int, str], text: str = "") -> str:
    """Why a meeting has no place, in the page's language."""
    who = names.get(params.get("who"), "?")
    messages = {
        "no_common": _("%(who)s has no free slot in common with the others."),
        "no_shared": _("The participants have no slot in which they are all free."),
        "fixed_taken": _("The slots they share are all taken by their published meetings."),
        "no_table": _("No table is free in the slots where they are all free."),
        "fully_booked": _(
            "%(who)s is fully booked (%(meetings)s meetings for %(slots)s free slots)."
        ),
        "busy": _("%(who)s is busy in every slot they share (with meetings kept in priority)."),
        "no_slot_all_free": _(
            "No slot where all of them are free at once (each shared slot has one of them "
            "in another meeting kept in priority)."
        ),
        "not_confirmed": _("%(who)s's registration is no longer confirmed."),
    }
    message = messages.get(code)
    if message is None:
        return text or _("Not placed.")
    return message % {"who": who, **{k: v for k, v in params.items() if k != "who"}}


def warning_text(warning: dict, names: dict[int, str], titles: dict[int, str]) -> str:
    code = warning.get("code")
    who = names.get(warning.get("who"), "?")
    meeting = warning.get("meeting")
    if code == "block_overlap":
        return _("%(block)s overlaps %(other)s and was left out.") % {
            "block": titles.get(warning.get("session"), "?"),
            "other": titles.get(warning.get("other"), "?"),
        }
    if code == "block_empty":
        return _("%(block)s is shorter than one slot and was left out.") % {
            "block": titles.get(warning.get("session"), "?")
        }
    if code == "colleague_left":
        return _("%(who)s is no longer confirmed and was left out of meeting %(meeting)s.") % {
            "who": who,
            "meeting": meeting,
        }
    if code == "published_clash":
        return _(
            "Published meeting %(meeting)s now clashes with another commitment of %(who)s: "
            "it gets a new place when you publish."
        ) % {"who": who, "meeting": meeting}
    if code in ("published_gone", "published_table_taken"):
        return _(
            "The published place of meeting %(meeting)s no longer exists (the block changed): "
            "it gets a new place when you publish."
        ) % {"meeting": meeting}
    return str(warning)


@dataclass
class RunReport:
    run: SchedulerRun
    unscheduled: list[tuple[Placement, list[Person], str]]
    warnings: list[str]


def run_report(run: SchedulerRun) -> RunReport:
    """A run with its unscheduled meetings (who, why) and warnings, in a few queries."""
    unplaced = list(
        run.placements.filter(start__isnull=True)
        .select_related("meeting")
        .prefetch_related(
            Prefetch(
                "meeting__participants",
                queryset=Participant.objects.select_related("registration__person__organisation"),
            )
        )
        .order_by("meeting_id")
    )
    ids = {p.reason_params.get("who") for p in unplaced} | {
        w.get("who") for w in run.warnings if isinstance(w, dict)
    }
    names = _names({i for i in ids if isinstance(i, int)})
    sessions = {w.get("session") for w in run.warnings} | {w.get("other") for w in run.warnings}
    from atrium.events.models import Session

    titles = {s.pk: s.title_i18n for s in Session.objects.filter(pk__in=[i for i in sessions if i])}
    return RunReport(
        run=run,
        unscheduled=[
            (
                p,
                [q.registration.person for q in p.meeting.participants.all()],
                placement_reason(p.reason_code, p.reason_params, names, p.reason_text),
            )
            for p in unplaced
        ],
        warnings=[warning_text(w, names, titles) for w in run.warnings],
    )


@dataclass
class TableSheet:
    block: Block
    number: int
    name: str
    rows: list[tuple[datetime, datetime, list[Person] | None]]


def table_sheets(conference: Conference, *, run: SchedulerRun | None = None) -> list[TableSheet]:
    """One sheet per table of each active block: every slot with who sits there.

    The published schedule, or a run's draft when ``run`` is given.
    """
    block_list = list(
        Block.objects.filter(session__conference=conference, is_active=True)
        .select_related("session__room")
        .order_by("session__start", "session_id")
    )
    if run is not None:
        rows = (
            run.placements.filter(start__isnull=False)
            .select_related("meeting")
            .prefetch_related(
                Prefetch("meeting__participants", queryset=_people_prefetch().queryset)
            )
        )
        placed = [(p.block_id, p.start, p.table, p.meeting) for p in rows]
    else:
        rows = Meeting.objects.filter(
            conference=conference,
            status=Meeting.Status.ACTIVE,
            published_at__isnull=False,
            start__isnull=False,
        ).prefetch_related(_people_prefetch())
        placed = [(m.block_id, m.start, m.table, m) for m in rows]
    at = {(block_id, start, table): meeting for block_id, start, table, meeting in placed}
    sheets = []
    for block in block_list:
        slots = block.slots()
        for number in range(1, block.table_count + 1):
            sheet_rows = []
            for start, end in slots:
                meeting = at.get((block.pk, start, number))
                people_ = (
                    [p.registration.person for p in meeting.participants.all()] if meeting else None
                )
                sheet_rows.append((start, end, people_))
            sheets.append(TableSheet(block, number, block.table_name(number), sheet_rows))
    return sheets


# --- feedback ----------------------------------------------------------------------------


@dataclass
class FeedbackFigures:
    """One B2B block's feedback: meetings that have begun, how many anyone answered for,
    held (someone said it took place and nobody said it did not), not held, ratings."""

    block: Block
    meetings: int = 0
    answered: int = 0
    held: int = 0
    not_held: int = 0
    ratings: list[int] = field(default_factory=list)

    @property
    def held_rate(self) -> float | None:
        told = self.held + self.not_held
        return round(100 * self.held / told, 1) if told else None

    @property
    def average_rating(self) -> float | None:
        return round(sum(self.ratings) / len(self.ratings), 2) if self.ratings else None


def feedback_by_block(conference: Conference, *, now: datetime | None = None) -> list:
    """Per block in time order: the feedback figures of its published meetings that have
    begun. Two queries; "held" is :func:`meeting_held_q`, the one rule, in SQL."""
    now = now or timezone.now()
    figures: dict[int, FeedbackFigures] = {}
    said = Feedback.objects.filter(meeting_id=OuterRef("pk"))
    published = Meeting.objects.filter(
        conference=conference,
        status=Meeting.Status.ACTIVE,
        published_at__isnull=False,
        start__isnull=False,
    )
    meetings = (
        published.annotate(
            answered=Exists(said),
            held=ExpressionWrapper(meeting_held_q(), output_field=BooleanField()),
        )
        .select_related("block__session")
        .order_by("block__session__start", "block_id")
    )
    for meeting in meetings:
        row = figures.setdefault(meeting.block_id, FeedbackFigures(block=meeting.block))
        if meeting.start <= now:
            row.meetings += 1
        if meeting.answered:
            row.answered += 1
            if meeting.held:
                row.held += 1
            else:
                row.not_held += 1
    ratings = Feedback.objects.filter(meeting__in=published, rating__isnull=False).values_list(
        "meeting__block_id", "rating"
    )
    for block_id, rating in ratings:
        figures[block_id].ratings.append(rating)
    return list(figures.values())


def meeting_held_q() -> Q:
    """A meeting held, in SQL: someone said it took place and nobody said it did not (the
    rule :func:`feedback_by_block` and the insight page count by)."""
    said = Feedback.objects.filter(meeting_id=OuterRef("pk"))
    return Q(Exists(said.filter(took_place=True))) & ~Q(Exists(said.filter(took_place=False)))


FEEDBACK_HEADERS = [
    gettext_lazy("Meeting"),
    gettext_lazy("B2B block"),
    gettext_lazy("Start"),
    gettext_lazy("Table"),
    gettext_lazy("Given by"),
    gettext_lazy("Name (Chinese)"),
    gettext_lazy("Organisation"),
    gettext_lazy("Took place"),
    gettext_lazy("Rating"),
    gettext_lazy("Note"),
    gettext_lazy("Updated"),
]


def feedback_rows(conference: Conference):
    """Every piece of feedback as a spreadsheet row (see ``FEEDBACK_HEADERS``)."""
    rows = (
        Feedback.objects.filter(meeting__conference=conference)
        .select_related("meeting__block__session", "registration__person__organisation")
        .order_by("meeting__start", "meeting__table", "meeting_id", "id")
    )
    for item in rows.iterator(chunk_size=500):
        meeting = item.meeting
        person = item.registration.person
        yield [
            meeting.pk,
            meeting.block.session.title_i18n if meeting.block else "",
            meeting.start,
            meeting.table_name,
            person.name,
            person.name_zh,
            person.organisation.name_i18n if person.organisation else "",
            item.took_place,
            item.rating,
            item.note,
            item.updated,
        ]


def cancelled_meetings_for_person(*, conference: Conference, person: Person) -> list[MeetingEntry]:
    """Meetings ``person`` was in that were cancelled after being published (freed by an
    absence, called off): the calendar feed keeps them as cancelled events."""
    meetings = (
        Meeting.objects.filter(
            conference=conference,
            status=Meeting.Status.CANCELLED,
            published_at__isnull=False,
            start__isnull=False,
            participants__registration__person=person,
        )
        .select_related("block__session__room")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("registration__person__organisation"),
            )
        )
        .order_by("start", "id")
    )
    return [_entry(meeting, person) for meeting in meetings]


#: The audit actions of a meeting, in words, for its organiser page.
MEETING_ACTIONS = {
    "b2b.meeting_published": gettext_lazy("Published with a time and table"),
    "b2b.meeting_moved": gettext_lazy("Moved by a scheduler run"),
    "b2b.meeting_moved_by_hand": gettext_lazy("Moved by an organiser"),
    "b2b.meeting_locked": gettext_lazy("Locked"),
    "b2b.meeting_unlocked": gettext_lazy("Unlocked"),
    "b2b.meeting_unscheduled": gettext_lazy("Taken off the schedule (run unpublished)"),
    "b2b.meeting_freed": gettext_lazy("Freed: a delegate is absent"),
    "b2b.meeting_cancelled": gettext_lazy("Cancelled"),
    "b2b.colleague_added": gettext_lazy("Colleague added"),
    "b2b.colleague_removed": gettext_lazy("Colleague taken out"),
    "b2b.colleague_absent": gettext_lazy("Colleague absent: left the meeting"),
    "b2b.feedback_given": gettext_lazy("Feedback given"),
}


def meeting_history(meeting: Meeting, *, limit: int = 30) -> list:
    """The meeting's audit entries, newest first, each with ``label`` in words."""
    from atrium.core.audit import history

    entries = list(history(meeting)[:limit])
    for entry in entries:
        entry.label = MEETING_ACTIONS.get(entry.action, entry.action)
    return entries
