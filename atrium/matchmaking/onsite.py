"""What organisers change on site, once a schedule is published: move or lock one
meeting, unpublish a run, mark a delegate absent (their later meetings are freed and the
other side is offered someone else), and the delegates' feedback after each meeting.

Same house rules as ``services.py``: keyword-only, one transaction each, a refusal is a
``ValidationError`` naming its field and writes nothing; every change goes to the audit
log, to the people it moves by e-mail (in their language, after commit), to the
edition's webhooks, and raises the meeting's ``sequence`` so calendar apps update it.

Moves and locks carry the *version* the organiser saw (:func:`meeting_version`, the
meeting's ``updated`` time posted with the form): if someone changed the meeting in
between, nothing is written and the form says so. Every change here locks the edition's
settings row first, like runs and publications, so two organisers cannot interleave.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.matchmaking import planning, selectors, services
from atrium.matchmaking.models import (
    Absence,
    Block,
    Feedback,
    Meeting,
    MeetingRequest,
    Participant,
    SchedulerRun,
)
from atrium.registration.models import Registration
from atrium.webhooks import events as webhook_events
from atrium.webhooks.services import webhook_emit

#: How many suggested partners are tried for a freed slot.
OFFER_CANDIDATES = 10


def meeting_version(meeting: Meeting) -> str:
    """What a form posts back to prove it saw the meeting as it is now."""
    return meeting.updated.isoformat() if meeting.updated else ""


def _people():
    return Prefetch(
        "participants",
        queryset=Participant.objects.select_related(
            "registration__person__organisation", "registration__conference"
        ),
    )


def _locked(meeting: Meeting) -> Meeting:
    services.lock_settings(meeting.conference)
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("request", "block__session", "conference")
        .prefetch_related(_people())
        .get(pk=meeting.pk)
    )


def _place(meeting: Meeting) -> dict:
    if not meeting.is_published:
        return {}
    return {
        "block": meeting.block_id,
        "start": meeting.start.isoformat(),
        "end": meeting.end.isoformat(),
        "table": meeting.table_name,
    }


def _check_version(meeting: Meeting, version: str) -> None:
    if version != meeting_version(meeting):
        raise ValidationError(
            _(
                "Someone else changed this meeting after you opened this page. Nothing was "
                "changed: the page now shows the meeting as it is; decide again."
            ),
            code="stale",
        )


def _check_active(meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.ACTIVE:
        raise ValidationError(_("This meeting is cancelled."))


def _emit(meeting: Meeting, event: str, **extra) -> None:
    payload = planning.meeting_payload(meeting)
    payload["meeting"].update(extra)
    webhook_emit(conference=meeting.conference, event=event, payload=payload)


# --- move and lock -------------------------------------------------------------------------


def slot_end(block: Block, start: datetime) -> datetime | None:
    """The end of the slot of ``block`` that begins at ``start`` (None: no such slot)."""
    return dict(block.slots()).get(start)


@transaction.atomic
def meeting_move(
    *,
    meeting: Meeting,
    block: Block,
    start: datetime,
    table: int,
    version: str,
    actor=None,
    notify: bool = True,
) -> Meeting:
    """Put one meeting in another slot or at another table by hand (or give an unplaced
    meeting its place). The rules of a run hold: the slot exists, the table exists and is
    free, and every participant is confirmed and free then (no other meeting, no part in
    a session, no confirmed seat at a visit or dinner, not marked absent)."""
    meeting = _locked(meeting)
    _check_version(meeting, version)
    _check_active(meeting)
    block = Block.objects.select_related("session").get(pk=block.pk)
    if block.session.conference_id != meeting.conference_id or not block.is_active:
        raise ValidationError({"slot": _("This B2B block is not used in this edition.")})
    end = slot_end(block, start)
    if end is None:
        raise ValidationError({"slot": _("This block has no slot at that time.")})
    if not 1 <= table <= block.table_count:
        raise ValidationError(
            {
                "table": _("%(block)s has tables 1 to %(count)s.")
                % {"block": block.session.title_i18n, "count": block.table_count}
            }
        )
    if meeting.is_published and (meeting.block_id, meeting.start, meeting.table) == (
        block.pk,
        start,
        table,
    ):
        raise ValidationError({"slot": _("The meeting is already there.")})
    taken = (
        Meeting.objects.filter(block=block, start=start, table=table, status=Meeting.Status.ACTIVE)
        .exclude(pk=meeting.pk)
        .exists()
    )
    if taken:
        raise ValidationError(
            {"table": _("%(table)s is taken in that slot.") % {"table": block.table_name(table)}}
        )
    for participant in meeting.participants.all():
        registration = participant.registration
        if registration.status != Registration.Status.CONFIRMED:
            raise ValidationError(
                {
                    "slot": _("%(name)s is no longer a confirmed delegate.")
                    % {"name": registration.person.name}
                }
            )
        reason = services.busy_reason(registration, start, end, exclude_meeting=meeting.pk)
        if reason:
            raise ValidationError({"slot": reason})
    before = _place(meeting)
    moved = meeting.is_published
    meeting.block = block
    meeting.start = start
    meeting.end = end
    meeting.table = table
    if meeting.published_at is None:
        meeting.published_at = timezone.now()
    meeting.sequence += 1
    meeting.save(
        update_fields=["block", "start", "end", "table", "published_at", "sequence", "updated"]
    )
    log_action(
        actor=actor,
        action="b2b.meeting_moved_by_hand",
        obj=meeting,
        conference=meeting.conference,
        data={"from": before, "to": _place(meeting)},
    )
    if notify:
        people = list(meeting.participants.all())
        for p in people:
            services.mail_to(
                p.registration,
                "meeting_scheduled",
                meeting=meeting,
                others=[q.registration for q in people if q.pk != p.pk],
                moved=moved,
            )
        _emit(meeting, webhook_events.MEETING_MOVED, previous=before or None)
    return meeting


@transaction.atomic
def meeting_lock(*, meeting: Meeting, locked: bool, version: str, actor=None) -> Meeting:
    """Lock a placed meeting where it is (later runs keep it, unpublishing leaves it), or
    unlock it."""
    meeting = _locked(meeting)
    _check_version(meeting, version)
    _check_active(meeting)
    if locked and not meeting.is_published:
        raise ValidationError(_("Only a meeting with a time and a table can be locked."))
    if meeting.locked == locked:
        return meeting
    meeting.locked = locked
    meeting.save(update_fields=["locked", "updated"])
    log_action(
        actor=actor,
        action="b2b.meeting_locked" if locked else "b2b.meeting_unlocked",
        obj=meeting,
        conference=meeting.conference,
        data=_place(meeting),
    )
    _emit(meeting, webhook_events.MEETING_LOCKED, locked=locked)
    return meeting


# --- unpublish -----------------------------------------------------------------------------


@transaction.atomic
def run_unpublish(*, run: SchedulerRun, actor=None, notify: bool = True) -> list[Meeting]:
    """Take a published run's schedule back: every meeting still where this run put it
    loses its time and table (its people get an e-mail, the ``meeting.unscheduled``
    webhook fires). Locked meetings and meetings moved by hand since stay."""
    conference = run.conference
    services.lock_settings(conference)
    run = SchedulerRun.objects.select_for_update().get(pk=run.pk)
    if not run.is_published:
        raise ValidationError(_("This run is not published."))
    placements = {
        p.meeting_id: p
        for p in run.placements.filter(start__isnull=False).only(
            "meeting_id", "block_id", "start", "table"
        )
    }
    meetings = (
        Meeting.objects.select_for_update(of=("self",))
        .filter(
            pk__in=list(placements),
            status=Meeting.Status.ACTIVE,
            published_at__isnull=False,
            locked=False,
        )
        .select_related("block__session", "conference")
        .prefetch_related(_people())
        .order_by("start", "table", "pk")
    )
    taken_back = []
    for meeting in meetings:
        placement = placements[meeting.pk]
        if (meeting.block_id, meeting.start, meeting.table) != (
            placement.block_id,
            placement.start,
            placement.table,
        ):
            continue
        before = _place(meeting)
        was = {"was_start": meeting.start, "was_end": meeting.end, "was_table": meeting.table_name}
        was_location = meeting.block.session.location_i18n if meeting.block else ""
        meeting.block = None
        meeting.start = meeting.end = meeting.table = None
        meeting.published_at = None
        meeting.sequence += 1
        meeting.save(
            update_fields=["block", "start", "end", "table", "published_at", "sequence", "updated"]
        )
        log_action(
            actor=actor,
            action="b2b.meeting_unscheduled",
            obj=meeting,
            conference=conference,
            data={"run": run.pk, "from": before},
        )
        taken_back.append(meeting)
        if not notify:
            continue
        people = list(meeting.participants.all())
        for p in people:
            services.mail_to(
                p.registration,
                "meeting_unscheduled",
                meeting=meeting,
                others=[q.registration for q in people if q.pk != p.pk],
                was_location=was_location,
                **was,
            )
        _emit(meeting, webhook_events.MEETING_UNSCHEDULED, previous=before)
    run.unpublished_at = timezone.now()
    run.unpublished_by = actor if actor is not None and actor.is_authenticated else None
    run.save(update_fields=["unpublished_at", "unpublished_by"])
    log_action(
        actor=actor,
        action="b2b.schedule_unpublished",
        obj=run,
        conference=conference,
        data={"unscheduled": len(taken_back)},
    )
    return taken_back


# --- absences ------------------------------------------------------------------------------


@dataclass
class Offer:
    """A partner suggested to someone whose meeting was freed, free at that time."""

    registration: Registration
    start: datetime
    end: datetime
    table: str
    url: str


@dataclass
class AbsenceResult:
    absence: Absence
    freed: list[Meeting] = field(default_factory=list)
    #: colleagues taken out of meetings that still take place
    left: list[Meeting] = field(default_factory=list)
    #: registration id → the partner offered to them (if any was free)
    offers: dict[int, Offer] = field(default_factory=dict)


def person_url(conference, registration: Registration) -> str:
    return django_settings.ATRIUM_SITE_URL + reverse(
        "matchmaking:person", args=[conference.slug, registration.person_id]
    )


def offer_for(*, registration: Registration, meeting: Meeting) -> Offer | None:
    """Someone ``registration`` could meet instead, in the freed slot of ``meeting`` (at
    its table, free again): the best suggested partner who is free then."""
    profile = selectors.profile_of(registration)
    if profile is None or not profile.is_active or not meeting.is_published:
        return None
    if services.busy_reason(registration, meeting.start, meeting.end, exclude_meeting=meeting.pk):
        return None
    for suggestion in selectors.suggestions(
        registration=registration, profile=profile, limit=OFFER_CANDIDATES
    ):
        other = suggestion.profile.registration
        if other.status != Registration.Status.CONFIRMED:
            continue
        if services.busy_reason(other, meeting.start, meeting.end):
            continue
        return Offer(
            registration=other,
            start=meeting.start,
            end=meeting.end,
            table=meeting.table_name,
            url=person_url(registration.conference, other),
        )
    return None


@transaction.atomic
def absence_mark(
    *,
    registration: Registration,
    since: datetime,
    note: str = "",
    actor=None,
    notify: bool = True,
) -> AbsenceResult:
    """``registration`` will not be at B2B meetings from ``since`` on. Their published
    meetings from then are freed: a meeting they asked for or were asked for is cancelled
    (its request too, so either side may ask someone else), and the others in it are told,
    with a partner free in that slot if one fits; where they were an added colleague they
    just leave it. Later runs treat them as busy from ``since``. Marking again moves the
    time."""
    conference = registration.conference
    services.lock_settings(conference)
    registration = Registration.objects.select_related("person", "conference").get(
        pk=registration.pk
    )
    note = services.clean_text(note, "note")
    absence, _created = Absence.objects.update_or_create(
        registration=registration,
        defaults={"conference": conference, "since": since, "note": note, "created_by": actor},
    )
    result = AbsenceResult(absence=absence)
    meetings = (
        Meeting.objects.select_for_update(of=("self",))
        .filter(
            conference=conference,
            status=Meeting.Status.ACTIVE,
            published_at__isnull=False,
            start__gte=since,
            participants__registration=registration,
        )
        .select_related("request", "block__session", "conference")
        .prefetch_related(_people())
        .order_by("start", "pk")
    )
    now = timezone.now()
    for meeting in meetings:
        people = list(meeting.participants.all())
        mine = next(p for p in people if p.registration_id == registration.pk)
        if mine.is_colleague:
            mine.delete()
            meeting.sequence += 1
            meeting.save(update_fields=["sequence", "updated"])
            log_action(
                actor=actor,
                action="b2b.colleague_absent",
                obj=meeting,
                conference=conference,
                data={"registration": registration.pk},
            )
            result.left.append(meeting)
            if notify:
                _emit(meeting, webhook_events.MEETING_MOVED, previous=_place(meeting))
            continue
        request = MeetingRequest.objects.select_for_update().get(pk=meeting.request_id)
        if request.status in MeetingRequest.OPEN:
            request.status = MeetingRequest.Status.CANCELLED
            request.cancelled_at = now
            request.cancelled_by = registration
            request.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        meeting.status = Meeting.Status.CANCELLED
        meeting.cancelled_at = now
        meeting.sequence += 1
        meeting.save(update_fields=["status", "cancelled_at", "sequence", "updated"])
        log_action(
            actor=actor,
            action="b2b.meeting_freed",
            obj=meeting,
            conference=conference,
            data={"absent": registration.pk, **_place(meeting)},
        )
        result.freed.append(meeting)
        if not notify:
            continue
        for p in people:
            if p.registration_id == registration.pk:
                continue
            offer = None
            if not p.is_colleague:
                offer = offer_for(registration=p.registration, meeting=meeting)
                if offer is not None:
                    result.offers[p.registration_id] = offer
            services.mail_to(
                p.registration,
                "meeting_freed",
                meeting=meeting,
                absent=registration,
                offer=offer,
            )
        _emit(meeting, webhook_events.MEETING_CANCELLED, reason="absence")
    log_action(
        actor=actor,
        action="b2b.absence_marked",
        obj=registration,
        conference=conference,
        data={
            "since": since.isoformat(),
            "freed": [m.pk for m in result.freed],
            "left": [m.pk for m in result.left],
        },
    )
    if notify:
        webhook_emit(
            conference=conference,
            event=webhook_events.DELEGATE_ABSENT,
            payload={
                "person": webhook_events.person_ref(registration.person),
                "since": since,
                "freed_meetings": [m.pk for m in result.freed],
            },
        )
    return result


@transaction.atomic
def absence_clear(*, registration: Registration, actor=None) -> None:
    """The delegate is back: later runs may place them again (freed meetings stay freed)."""
    deleted, _rows = Absence.objects.filter(registration=registration).delete()
    if deleted:
        log_action(
            actor=actor,
            action="b2b.absence_cleared",
            obj=registration,
            conference=registration.conference,
        )


# --- feedback ------------------------------------------------------------------------------


@transaction.atomic
def feedback_save(
    *,
    meeting: Meeting,
    registration: Registration,
    took_place: bool,
    rating: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Feedback:
    """One participant's word on a meeting that has begun: did it take place, a rating
    from 1 to 5 (only if it did), a note. Given again, it replaces the earlier one."""
    meeting = Meeting.objects.select_related("conference").get(pk=meeting.pk)
    if not meeting.participants.filter(registration=registration).exists():
        raise PermissionDenied("not a participant of this meeting")
    _check_active(meeting)
    if not meeting.is_published or meeting.start > (now or timezone.now()):
        raise ValidationError(_("Feedback opens when the meeting begins."))
    if rating is not None and not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Rate from 1 to 5.")})
    if rating is not None and not took_place:
        raise ValidationError({"rating": _("Rate only a meeting that took place.")})
    note = services.clean_text(note, "note")
    feedback, created = Feedback.objects.update_or_create(
        meeting=meeting,
        registration=registration,
        defaults={"took_place": took_place, "rating": rating, "note": note},
    )
    log_action(
        actor=None,
        action="b2b.feedback_given",
        obj=meeting,
        conference=meeting.conference,
        data={"registration": registration.pk, "took_place": took_place, "rating": rating},
    )
    return feedback
