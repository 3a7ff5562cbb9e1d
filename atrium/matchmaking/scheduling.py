"""From the database to the solver and back.

:func:`build_instance` reads an edition and builds the plain
:class:`~atrium.matchmaking.solver.Instance` the solver takes:

* **slots**: every active B2B block (a session of kind "bilateral meeting" with
  :class:`~atrium.matchmaking.models.Block` settings) cut into slots of its slot length,
  in time order; a block that overlaps an earlier one is left out (a warning says so);
* **tables**: the block's table count, for each of its slots; days from the local date;
* **participants**: the confirmed registrations in active meetings, each available in
  every slot that does not overlap a session they have a part in (speaker, chair,
  moderator, panellist, host, guide) or a confirmed seat booking (a visit, a dinner);
* **meetings**: the active meetings (accepted requests) with their priority as weight;
  a meeting whose asking or asked delegate is no longer confirmed is left out, with a
  reason; a colleague who is no longer confirmed is left out of the meeting;
* **fixed**: published meetings keep their slot and table, unless the published place no
  longer exists (block changed) or clashes with a participant's new commitment; then the
  meeting is placed again and a warning says so. A *locked* meeting, and every published
  meeting in an *incremental* run, is never placed again: if its place no longer fits it
  is left out of the run (reason ``kept_in_place``) and stays where it is;
* **absences**: a delegate marked absent from a time on is busy from then;
* **incremental** runs (on site, during the event) place only meetings without a place,
  and only in slots that have not begun at ``now``.

:func:`write_back` stores the solver's answer as :class:`Placement` rows of a run: a
slot and a (1-based) table for each placed meeting, a reason for each other one. The
solver's reasons name participants by id; they are stored as a code with parameters, so
that pages can show them with names, in the reader's language.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from atrium.events.models import Conference, Session, SessionRole
from atrium.matchmaking.models import (
    Absence,
    Block,
    Meeting,
    Participant,
    Placement,
    SchedulerRun,
)
from atrium.matchmaking.solver import Fixed, Instance, Solution
from atrium.matchmaking.solver import Meeting as SolverMeeting
from atrium.matchmaking.solver import Participant as SolverParticipant
from atrium.registration.models import Registration, SeatBooking

#: The weight of a stand-in meeting (taken off the run's figures again).
HOLD_WEIGHT = 1

#: An absence lasts "from then on": longer than any edition.
ABSENT_FOR = timedelta(days=3650)


def now() -> datetime:
    """The moment an incremental run cuts at (slots begun before it stay closed)."""
    return timezone.now()


def meeting_key(pk: int) -> str:
    return f"m{pk}"


def participant_key(registration_id: int) -> str:
    return f"r{registration_id}"


@dataclass(frozen=True)
class Slot:
    index: int
    block: Block
    start: datetime
    end: datetime
    day: int


@dataclass
class Build:
    """A solver instance and what its ids stand for."""

    instance: Instance
    slots: list[Slot]
    meetings: dict[str, Meeting]
    registrations: dict[str, Registration]
    fixed: set[str] = field(default_factory=set)
    #: meetings not given to the solver: (meeting, reason code, parameters)
    skipped: list[tuple[Meeting, str, dict]] = field(default_factory=list)
    #: things the organiser should know: {"code": ..., **parameters}
    warnings: list[dict] = field(default_factory=list)
    #: stand-in fixed meetings holding the place of meetings kept in place
    holds: int = 0


def active_blocks(conference: Conference) -> tuple[list[Block], list[dict]]:
    """The blocks the scheduler uses, in time order, and warnings about the others."""
    blocks = list(
        Block.objects.filter(
            session__conference=conference,
            session__kind=Session.Kind.BILATERAL_MEETING,
            is_active=True,
        )
        .select_related("session__room", "session__conference")
        .order_by("session__start", "session_id")
    )
    kept: list[Block] = []
    warnings: list[dict] = []
    for block in blocks:
        clash = next(
            (
                b
                for b in kept
                if b.session.start < block.session.end and block.session.start < b.session.end
            ),
            None,
        )
        if clash is not None:
            warnings.append(
                {"code": "block_overlap", "session": block.session_id, "other": clash.session_id}
            )
            continue
        if not block.slots():
            warnings.append({"code": "block_empty", "session": block.session_id})
            continue
        kept.append(block)
    return kept, warnings


def build_slots(conference: Conference, blocks: list[Block]) -> list[Slot]:
    tz = conference.tz
    pieces = [(block, start, end) for block in blocks for start, end in block.slots()]
    dates = sorted({start.astimezone(tz).date() for _b, start, _e in pieces})
    day_index = {d: i for i, d in enumerate(dates)}
    return [
        Slot(i, block, start, end, day_index[start.astimezone(tz).date()])
        for i, (block, start, end) in enumerate(pieces)
    ]


def busy_intervals(conference: Conference) -> tuple[dict[int, list], dict[int, list]]:
    """(by person id, by registration id): the (start, end) of every session someone has a
    part in and every session they hold a confirmed seat for. B2B sessions themselves do
    not count. Two queries, whatever the size of the edition."""
    by_person: dict[int, list] = defaultdict(list)
    roles = (
        SessionRole.objects.filter(session__conference=conference)
        .exclude(session__kind=Session.Kind.BILATERAL_MEETING)
        .values_list("person_id", "session__start", "session__end")
    )
    for person_id, start, end in roles:
        by_person[person_id].append((start, end))
    by_registration: dict[int, list] = defaultdict(list)
    bookings = (
        SeatBooking.objects.filter(
            session__conference=conference, status=SeatBooking.Status.CONFIRMED
        )
        .exclude(session__kind=Session.Kind.BILATERAL_MEETING)
        .values_list("registration_id", "session__start", "session__end")
    )
    for registration_id, start, end in bookings:
        by_registration[registration_id].append((start, end))
    absences = Absence.objects.filter(conference=conference).values_list("registration_id", "since")
    for registration_id, since in absences:
        by_registration[registration_id].append((since, since + ABSENT_FOR))
    return by_person, by_registration


def free_slots(intervals: list, slots: list[Slot]) -> tuple[int, ...]:
    """The indexes of the slots that overlap none of ``intervals``."""
    return tuple(s.index for s in slots if not any(a < s.end and s.start < b for a, b in intervals))


def active_meetings(conference: Conference):
    return (
        Meeting.objects.filter(conference=conference, status=Meeting.Status.ACTIVE)
        .select_related("block")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("registration__person__organisation"),
            )
        )
        .order_by("id")
    )


def build_instance(
    conference: Conference, *, incremental: bool = False, now: datetime | None = None
) -> Build:
    """The solver instance of ``conference``; ``incremental``: nothing published moves and
    nothing new goes into a slot that has begun at ``now``."""
    blocks, warnings = active_blocks(conference)
    slots = build_slots(conference, blocks)
    slot_at = {(s.block.pk, s.start): s for s in slots}
    by_person, by_registration = busy_intervals(conference)

    meetings: dict[str, Meeting] = {}
    members: dict[str, list[Registration]] = {}
    registrations: dict[str, Registration] = {}
    skipped: list[tuple[Meeting, str, dict]] = []
    for meeting in active_meetings(conference):
        people = list(meeting.participants.all())
        gone = [
            p
            for p in people
            if not p.is_colleague and p.registration.status != Registration.Status.CONFIRMED
        ]
        if gone:
            skipped.append((meeting, "not_confirmed", {"who": gone[0].registration_id}))
            continue
        here = []
        for p in people:
            if p.registration.status != Registration.Status.CONFIRMED:
                warnings.append(
                    {"code": "colleague_left", "meeting": meeting.pk, "who": p.registration_id}
                )
                continue
            here.append(p.registration)
            registrations[participant_key(p.registration_id)] = p.registration
        key = meeting_key(meeting.pk)
        meetings[key] = meeting
        members[key] = here

    available: dict[str, tuple[int, ...]] = {}
    for key, registration in registrations.items():
        intervals = by_person.get(registration.person_id, []) + by_registration.get(
            registration.pk, []
        )
        available[key] = free_slots(intervals, slots)

    tables = [s.block.table_count for s in slots]
    fixed: dict[str, Fixed] = {}
    taken_tables: set[tuple[int, int]] = set()
    busy: set[tuple[str, int]] = set()
    holds: list[SolverMeeting] = []
    published = sorted(
        (m for m in meetings.values() if m.is_published),
        key=lambda m: (m.published_at, m.pk),
    )
    for meeting in published:
        key = meeting_key(meeting.pk)
        slot = slot_at.get((meeting.block_id, meeting.start))
        people = [participant_key(r.pk) for r in members[key]]
        problem = None
        if slot is None or meeting.table is None or meeting.table > tables[slot.index]:
            problem = "published_gone"
        elif (slot.index, meeting.table - 1) in taken_tables:
            problem = "published_table_taken"
        else:
            for who in people:
                if slot.index not in available[who] or (who, slot.index) in busy:
                    problem = "published_clash"
                    warnings.append(
                        {
                            "code": problem,
                            "meeting": meeting.pk,
                            "who": registrations[who].pk,
                        }
                    )
                    break
        if problem is None:
            fixed[key] = Fixed(slot=slot.index, table=meeting.table - 1)
            taken_tables.add((slot.index, meeting.table - 1))
            busy.update((who, slot.index) for who in people)
            continue
        if problem != "published_clash":
            warnings.append({"code": problem, "meeting": meeting.pk})
        if meeting.locked or incremental:
            # Stays where it is: not given to the solver, so no run moves it; its table and
            # the people still free then are held by a stand-in fixed meeting.
            del meetings[key]
            skipped.append((meeting, "kept_in_place", {}))
            if problem == "published_clash":
                here = [
                    w for w in people if slot.index in available[w] and (w, slot.index) not in busy
                ]
                hold = f"k{meeting.pk}"
                stand_ins = [f"{hold}-{i}" for i in range(max(0, 2 - len(here)))]
                for who in stand_ins:
                    available[who] = (slot.index,)
                holds.append(
                    SolverMeeting(
                        id=hold,
                        participants=tuple(here + stand_ins),
                        weight=HOLD_WEIGHT,
                        fixed=Fixed(slot=slot.index, table=meeting.table - 1),
                    )
                )
                taken_tables.add((slot.index, meeting.table - 1))
                busy.update((who, slot.index) for who in here)

    if incremental:
        begun = {s.index for s in slots if now is not None and s.start < now}
        for who, slot_list in available.items():
            available[who] = tuple(s for s in slot_list if s not in begun or (who, s) in busy)

    solver_meetings = [
        SolverMeeting(
            id=key,
            participants=tuple(participant_key(r.pk) for r in members[key]),
            weight=max(1, meeting.priority),
            fixed=fixed.get(key),
        )
        for key, meeting in meetings.items()
    ] + holds
    instance = Instance(
        slots=max(1, len(slots)),
        tables=tuple(tables) if slots else (0,),
        participants=tuple(
            SolverParticipant(id=key, available=available[key])
            for key in sorted(registrations) + sorted(available.keys() - registrations.keys())
        ),
        meetings=tuple(solver_meetings),
        day_of_slot=tuple(s.day for s in slots) if slots else (0,),
    )
    return Build(
        instance=instance,
        slots=slots,
        meetings=meetings,
        registrations=registrations,
        fixed=set(fixed),
        skipped=skipped,
        warnings=warnings,
        holds=len(holds),
    )


# --------------------------------------------------------------------------- reasons

_PID = r"r(?P<who>\d+)"
_REASONS = [
    (re.compile(rf"^participant {_PID} has no common free slot with the others$"), "no_common"),
    (re.compile(r"^the participants have no slot in which they are all available$"), "no_shared"),
    (re.compile(r"^the slots the participants share are all taken by their fixed"), "fixed_taken"),
    (re.compile(r"^no table free in the slots where the participants are all free$"), "no_table"),
    (
        re.compile(
            rf"^{_PID} is fully booked \((?P<meetings>\d+) meetings for (?P<slots>\d+) available"
        ),
        "fully_booked",
    ),
    (re.compile(rf"^{_PID} is busy in every slot the participants share"), "busy"),
    (re.compile(r"^no slot where all participants are free at once"), "no_slot_all_free"),
]


def parse_reason(text: str) -> tuple[str, dict]:
    """The solver's reason as (code, parameters); ``("other", {})`` if it is not known."""
    for pattern, code in _REASONS:
        match = pattern.match(text)
        if match:
            return code, {k: int(v) for k, v in match.groupdict().items()}
    return "other", {}


def write_back(run: SchedulerRun, build: Build, solution: Solution) -> list[Placement]:
    """Store ``solution`` as the run's placements and figures (call inside a transaction)."""
    placed = {a.meeting: a for a in solution.assignments}
    reasons = {u.meeting: u.reason for u in solution.unscheduled}
    rows = []
    for key, meeting in build.meetings.items():
        assignment = placed.get(key)
        if assignment is not None:
            slot = build.slots[assignment.slot]
            rows.append(
                Placement(
                    run=run,
                    meeting=meeting,
                    block=slot.block,
                    start=slot.start,
                    end=slot.end,
                    table=assignment.table + 1,
                    fixed=key in build.fixed,
                )
            )
        else:
            text = reasons.get(key, "")
            code, params = parse_reason(text)
            rows.append(
                Placement(
                    run=run,
                    meeting=meeting,
                    reason_code=code,
                    reason_params=params,
                    reason_text=text,
                )
            )
    for meeting, code, params in build.skipped:
        rows.append(Placement(run=run, meeting=meeting, reason_code=code, reason_params=params))
    Placement.objects.bulk_create(rows, batch_size=1000)
    run.meeting_count = len(rows)
    run.scheduled_count = sum(1 for key in build.meetings if key in placed)
    run.fixed_count = len(build.fixed)
    run.objective = float(solution.objective) - HOLD_WEIGHT * build.holds
    run.upper_bound = float(solution.upper_bound) - HOLD_WEIGHT * build.holds
    run.solver_status = solution.status
    run.seconds = solution.seconds
    run.idle_slots = solution.idle_slots
    run.warnings = build.warnings
    return rows
