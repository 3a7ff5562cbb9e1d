"""B2B organiser rules: the edition's B2B settings, how each block is cut into slots and
tables, and the scheduler's runs and their publication.

Like :mod:`atrium.matchmaking.services`, each function is one transaction taking keyword
arguments; starting a run and publishing lock the edition's :class:`MatchmakingSettings`
row, so two runs or two publications cannot interleave.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.runs import run_after_commit, run_claim, run_failed
from atrium.core.runs import run_in_progress as core_run_in_progress
from atrium.events.models import Conference, Session
from atrium.matchmaking import scheduling, services
from atrium.matchmaking.models import (
    Block,
    MatchmakingSettings,
    Meeting,
    Participant,
    Placement,
    SchedulerRun,
)
from atrium.matchmaking.solver import solve
from atrium.registration.models import Registration
from atrium.webhooks import events as webhook_events
from atrium.webhooks.services import webhook_emit

logger = logging.getLogger(__name__)

MIN_SLOT_MINUTES = 5
MAX_SLOT_MINUTES = 240
MAX_TABLES = 500

# --- organiser: settings and blocks --------------------------------------------------------


@transaction.atomic
def settings_update(
    *, conference: Conference, request_limit: int | None, requests_open: bool, actor=None
) -> MatchmakingSettings:
    rules = services.lock_settings(conference)
    if request_limit is not None and (request_limit < 1 or request_limit > 500):
        raise ValidationError(
            {"request_limit": _("Enter a number from 1 to 500, or leave it empty for no limit.")}
        )
    rules.request_limit = request_limit
    rules.requests_open = requests_open
    rules.save()
    log_action(
        actor=actor,
        action="b2b.settings_updated",
        obj=rules,
        conference=conference,
        data={"request_limit": request_limit, "requests_open": requests_open},
    )
    return rules


def _published_in_block(block: Block):
    return Meeting.objects.filter(
        block=block, status=Meeting.Status.ACTIVE, published_at__isnull=False
    )


@transaction.atomic
def block_save(
    *,
    session: Session,
    slot_minutes: int,
    table_count: int,
    table_names: str = "",
    is_active: bool = True,
    actor=None,
) -> Block:
    """Set how a B2B session is cut into slots and tables.

    Refused when published meetings would no longer fit (a slot boundary or a table they
    use disappears), or when the block would overlap another active block.
    """
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("conference")
        .get(pk=session.pk)
    )
    if session.kind != Session.Kind.BILATERAL_MEETING:
        raise ValidationError(_("Only sessions of kind “bilateral meetings” are B2B blocks."))
    errors: dict[str, list] = {}
    minutes = int((session.end - session.start).total_seconds() // 60)
    if not MIN_SLOT_MINUTES <= slot_minutes <= min(MAX_SLOT_MINUTES, minutes):
        errors["slot_minutes"] = [
            _("Enter a slot length from %(min)s to %(max)s minutes.")
            % {"min": MIN_SLOT_MINUTES, "max": min(MAX_SLOT_MINUTES, minutes)}
        ]
    if not 1 <= table_count <= MAX_TABLES:
        errors["table_count"] = [
            _("Enter a number of tables from 1 to %(max)s.") % {"max": MAX_TABLES}
        ]
    names = [line.strip() for line in (table_names or "").splitlines() if line.strip()]
    if len(names) > table_count:
        errors["table_names"] = [
            _("There are %(names)s names for %(tables)s tables.")
            % {"names": len(names), "tables": table_count}
        ]
    elif len(set(names)) != len(names):
        errors["table_names"] = [_("Each table needs its own name.")]
    elif any(len(name) > 40 for name in names):
        errors["table_names"] = [_("Keep table names to 40 characters.")]
    if errors:
        raise ValidationError(errors)
    block = Block.objects.filter(session=session).first() or Block(session=session)
    block.session = session
    block.slot_minutes = slot_minutes
    block.table_count = table_count
    block.table_names = "\n".join(names)
    block.is_active = is_active
    if is_active:
        clash = (
            Block.objects.filter(
                session__conference=session.conference,
                is_active=True,
                session__start__lt=session.end,
                session__end__gt=session.start,
            )
            .exclude(session=session)
            .select_related("session")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "is_active": _("This block overlaps %(title)s, which is used already.")
                    % {"title": clash.session.title_i18n}
                }
            )
    if block.pk:
        starts = {start for start, _end in block.slots()}
        published = list(_published_in_block(block).only("start", "table"))
        if not is_active and published:
            raise ValidationError({"is_active": _("Published meetings take place in this block.")})
        if any(m.start not in starts for m in published):
            raise ValidationError(
                {
                    "slot_minutes": _(
                        "Published meetings start at times that would no longer be slots."
                    )
                }
            )
        if published and max(m.table for m in published) > table_count:
            raise ValidationError(
                {
                    "table_count": _("Published meetings use table %(table)s.")
                    % {"table": max(m.table for m in published)}
                }
            )
    block.save()
    log_action(
        actor=actor,
        action="b2b.block_saved",
        obj=block,
        conference=session.conference,
        data={"slot_minutes": slot_minutes, "tables": table_count, "active": is_active},
    )
    return block


# --- organiser: the scheduler --------------------------------------------------------------


def time_limit_setting() -> float:
    return float(getattr(django_settings, "ATRIUM_B2B_TIME_LIMIT", 10))


def inline_max_meetings() -> int:
    """Runs with at most this many meetings run right after the request; larger ones go
    to the task queue (a worker: ``manage.py db_worker``)."""
    return int(getattr(django_settings, "ATRIUM_B2B_INLINE_MAX_MEETINGS", 400))


def run_in_progress(conference: Conference) -> SchedulerRun | None:
    return core_run_in_progress(SchedulerRun.objects.filter(conference=conference))


@transaction.atomic
def scheduler_start(
    *,
    conference: Conference,
    actor=None,
    time_limit: float | None = None,
    seed: int = 0,
    incremental: bool = False,
) -> SchedulerRun:
    """Start a run: queued as a task for large editions, run right after commit otherwise.

    ``incremental`` (on site): only meetings without a place are placed, in the free
    tables of slots not yet begun; no published meeting moves."""
    services.lock_settings(conference)
    if run_in_progress(conference) is not None:
        raise ValidationError(_("A run is in progress already: wait for it to finish."))
    blocks, _warnings = scheduling.active_blocks(conference)
    if not blocks:
        raise ValidationError(
            _("Set up at least one B2B block (slot length and tables) before running.")
        )
    meetings = Meeting.objects.filter(conference=conference, status=Meeting.Status.ACTIVE).count()
    if not meetings:
        raise ValidationError(_("There is no accepted meeting to schedule yet."))
    inline = meetings <= inline_max_meetings()
    limit = time_limit or time_limit_setting()
    if inline:
        limit = min(limit, 5.0)
    run = SchedulerRun.objects.create(
        conference=conference,
        created_by=actor,
        time_limit=limit,
        seed=seed,
        incremental=incremental,
    )
    log_action(
        actor=actor,
        action="b2b.scheduler_started",
        obj=run,
        conference=conference,
        data={"meetings": meetings, "inline": inline, "incremental": incremental},
    )
    from atrium.matchmaking.tasks import run_scheduler

    run_after_commit(inline=inline, execute=scheduler_execute, task=run_scheduler, run_id=run.pk)
    return run


def scheduler_execute(*, run_id: int) -> SchedulerRun:
    """Do a queued run: build the instance, solve, store the placements.

    Not one transaction on purpose: the solver may take many seconds, so the run is
    marked running, solved outside any transaction, then stored in one transaction.
    A failure marks the run failed with the error; nothing is half-written.
    """
    run, claimed = run_claim(SchedulerRun.objects.select_related("conference"), run_id)
    if not claimed:
        return run
    try:
        build = scheduling.build_instance(
            run.conference, incremental=run.incremental, now=scheduling.now()
        )
        solution = solve(build.instance, time_limit=run.time_limit, seed=run.seed)
        with transaction.atomic():
            scheduling.write_back(run, build, solution)
            run.status = SchedulerRun.Status.DONE
            run.finished_at = timezone.now()
            run.save()
            log_action(
                actor=None,
                action="b2b.scheduler_finished",
                obj=run,
                conference=run.conference,
                data={"scheduled": run.scheduled_count, "meetings": run.meeting_count},
            )
    except Exception as error:  # a run must end, whatever happened
        logger.exception("B2B scheduler run %s failed", run_id)
        run_failed(SchedulerRun.objects, run_id, error)
        run.refresh_from_db()
    return run


@dataclass
class PublishResult:
    published: list[Meeting] = field(default_factory=list)
    unchanged: int = 0
    #: (meeting, why) for placements that no longer fit since the run
    skipped: list[tuple[Meeting, str]] = field(default_factory=list)


def meeting_payload(meeting: Meeting) -> dict:
    """The ``meeting.scheduled`` webhook payload (see docs/open-data.md)."""
    participants = []
    for p in meeting.participants.all():
        person = p.registration.person
        organisation = person.organisation
        participants.append(
            {
                "person": webhook_events.person_ref(person),
                "organisation": (
                    {"id": organisation.pk, "name": organisation.name} if organisation else None
                ),
            }
        )
    return {
        "meeting": {
            "id": meeting.pk,
            "start": meeting.start,
            "end": meeting.end,
            "table": meeting.table_name,
            "participants": participants,
        }
    }


@transaction.atomic
def scheduler_publish(*, run: SchedulerRun, actor=None, notify: bool = True) -> PublishResult:
    """Make a finished run's schedule the published one.

    Meetings published before keep their place (the run kept them fixed). Every newly
    placed or moved meeting gets its time and table, its participants an e-mail, and
    the ``meeting.scheduled`` webhook fires. A placement that no longer fits (the meeting
    was cancelled, a colleague added meanwhile is busy then) is skipped and reported.
    ``notify=False`` (loading demo data) sends neither e-mails nor webhooks.
    """
    conference = run.conference
    services.lock_settings(conference)
    run = SchedulerRun.objects.select_for_update().get(pk=run.pk)
    if run.status != SchedulerRun.Status.DONE:
        raise ValidationError(_("Only a finished run can be published."))
    if run.is_published:
        raise ValidationError(_("This run is published already."))
    latest = (
        SchedulerRun.objects.filter(conference=conference, status=SchedulerRun.Status.DONE)
        .order_by("-created", "-id")
        .first()
    )
    if latest is None or latest.pk != run.pk:
        raise ValidationError(_("A newer run exists: publish that one."))

    meetings = {
        m.pk: m
        for m in Meeting.objects.select_for_update(of=("self",))
        .filter(conference=conference, status=Meeting.Status.ACTIVE)
        .select_related("block__session")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related(
                    "registration__person__organisation", "registration__conference"
                ),
            )
        )
    }
    by_person, by_registration = scheduling.busy_intervals(conference)
    placements = list(
        run.placements.filter(start__isnull=False)
        .select_related("block")
        .order_by("start", "table")
    )
    result = PublishResult()
    moving: list[tuple[Placement, Meeting]] = []
    for placement in placements:
        meeting = meetings.get(placement.meeting_id)
        if meeting is None:
            result.skipped.append((placement.meeting, "cancelled"))
            continue
        same = (
            meeting.is_published
            and meeting.block_id == placement.block_id
            and meeting.start == placement.start
            and meeting.table == placement.table
        )
        # Locked, or changed on site (moved by hand…) after the run: it stays where it is.
        kept = meeting.is_published and (
            meeting.locked or (run.finished_at is not None and meeting.updated > run.finished_at)
        )
        if same or kept:
            result.unchanged += 1
        else:
            moving.append((placement, meeting))
    moving_ids = {m.pk for _p, m in moving}
    # Where everyone and every table is, without the meetings about to move.
    occupied_tables: set[tuple] = set()
    busy: dict[int, list] = defaultdict(list)
    for meeting in meetings.values():
        if meeting.is_published and meeting.pk not in moving_ids:
            occupied_tables.add((meeting.block_id, meeting.start, meeting.table))
            for p in meeting.participants.all():
                busy[p.registration_id].append((meeting.start, meeting.end))
    now = timezone.now()
    accepted: list[tuple[Placement, Meeting]] = []
    for placement, meeting in moving:
        people = list(meeting.participants.all())
        why = ""
        if (placement.block_id, placement.start, placement.table) in occupied_tables:
            why = "table_taken"
        for p in people:
            if why:
                break
            registration = p.registration
            if registration.status != Registration.Status.CONFIRMED:
                why = "not_confirmed"
                break
            intervals = (
                busy[registration.pk]
                + by_person.get(registration.person_id, [])
                + by_registration.get(registration.pk, [])
            )
            if any(a < placement.end and placement.start < b for a, b in intervals):
                why = "busy"
        if why:
            result.skipped.append((meeting, why))
            continue
        occupied_tables.add((placement.block_id, placement.start, placement.table))
        for p in people:
            busy[p.registration_id].append((placement.start, placement.end))
        accepted.append((placement, meeting))
    # Free the old places first, so that two meetings may swap tables.
    Meeting.objects.filter(pk__in=[m.pk for _p, m in accepted if m.is_published]).update(
        block=None, start=None, end=None, table=None
    )
    for placement, meeting in accepted:
        moved = meeting.is_published
        meeting.block = placement.block
        meeting.start = placement.start
        meeting.end = placement.end
        meeting.table = placement.table
        meeting.published_at = now
        meeting.sequence += 1
        meeting.save(
            update_fields=["block", "start", "end", "table", "published_at", "sequence", "updated"]
        )
        log_action(
            actor=actor,
            action="b2b.meeting_moved" if moved else "b2b.meeting_published",
            obj=meeting,
            conference=conference,
            data={
                "run": run.pk,
                "start": placement.start.isoformat(),
                "table": meeting.table_name,
            },
        )
        result.published.append(meeting)
        if not notify:
            continue
        for p in meeting.participants.all():
            others = [q.registration for q in meeting.participants.all() if q.pk != p.pk]
            services.mail_to(
                p.registration,
                "meeting_scheduled",
                meeting=meeting,
                others=others,
                moved=moved,
            )
        webhook_emit(
            conference=conference,
            event=webhook_events.MEETING_SCHEDULED,
            payload=meeting_payload(meeting),
        )
    run.published_at = now
    run.published_by = actor if actor is not None and actor.is_authenticated else None
    run.unpublished_at = None
    run.unpublished_by = None
    run.save(update_fields=["published_at", "published_by", "unpublished_at", "unpublished_by"])
    log_action(
        actor=actor,
        action="b2b.schedule_published",
        obj=run,
        conference=conference,
        data={
            "published": len(result.published),
            "unchanged": result.unchanged,
            "skipped": len(result.skipped),
        },
    )
    return result
