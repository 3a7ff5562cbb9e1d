"""B2B matchmaking rules: every change to a profile, a request, a meeting, a block's
settings, and every scheduler run and publication.

Each function is one transaction, takes keyword arguments, writes the audit trail and
queues its e-mails (in the recipient's language) and webhooks only after it commits.
A refusal is a ``ValidationError`` naming the field where there is one; nothing is
written then.

Concurrency: a new request locks the rows of both registrations (in id order, so two
delegates asking each other at the same moment cannot both succeed, nor deadlock), and
the asking delegate's limit is counted under that lock; changes to one request or
meeting lock that row; starting a run and publishing lock the edition's
:class:`MatchmakingSettings` row, so two runs or two publications cannot interleave.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.mail import send_email_on_commit
from atrium.core.runs import run_after_commit, run_claim, run_failed
from atrium.core.runs import run_in_progress as core_run_in_progress
from atrium.events.models import Conference, Session
from atrium.matchmaking import scheduling
from atrium.matchmaking.models import (
    Absence,
    Block,
    Language,
    MatchmakingSettings,
    Meeting,
    MeetingRequest,
    Participant,
    PartnershipKind,
    Placement,
    Profile,
    SchedulerRun,
)
from atrium.matchmaking.solver import solve
from atrium.network.models import Organisation, Sector
from atrium.registration.models import Registration
from atrium.webhooks import events as webhook_events
from atrium.webhooks.services import webhook_emit

logger = logging.getLogger(__name__)

MAX_TEXT = 1000
MAX_PARTICIPANTS = 6
MIN_SLOT_MINUTES = 5
MAX_SLOT_MINUTES = 240
MAX_TABLES = 500
#: A run still queued or running after this long is considered lost (a worker died).


# --- reading helpers -------------------------------------------------------------------


def settings_for(conference: Conference) -> MatchmakingSettings:
    found, _created = MatchmakingSettings.objects.get_or_create(conference=conference)
    return found


def _lock_settings(conference: Conference) -> MatchmakingSettings:
    """The edition's settings row, locked until the transaction ends."""
    settings_for(conference)
    return MatchmakingSettings.objects.select_for_update().get(conference=conference)


def open_requests_sent(registration: Registration) -> int:
    return MeetingRequest.objects.filter(
        requester=registration, status__in=MeetingRequest.OPEN
    ).count()


def b2b_url(conference: Conference) -> str:
    return django_settings.ATRIUM_SITE_URL + reverse("matchmaking:home", args=[conference.slug])


def _mail(registration: Registration, template: str, **context) -> None:
    send_email_on_commit(
        to=registration.person.contact_email,
        template=f"matchmaking/email/{template}",
        context={
            "registration": registration,
            "conference": registration.conference,
            "url": b2b_url(registration.conference),
            **context,
        },
        language=registration.language,
    )


def _person_label(registration: Registration) -> str:
    return registration.person.name


def _confirmed(registration: Registration) -> bool:
    return registration.status == Registration.Status.CONFIRMED


def _check_confirmed(registration: Registration) -> None:
    if not _confirmed(registration):
        raise ValidationError(
            _("Only delegates with a confirmed registration take part in B2B meetings.")
        )


def _clean_choices(values: Iterable[str], choices, field_name: str) -> list[str]:
    """``values`` in the order of ``choices``, without repeats; an unknown value is refused."""
    values = list(values or [])
    known = [value for value, _label in choices]
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ValidationError(
            {field_name: _("%(value)s is not one of the choices.") % {"value": unknown[0]}}
        )
    return [v for v in known if v in values]


def _clean_text(value: str, field_name: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise ValidationError(
            {
                field_name: _("Keep it to %(max)s characters (this is %(length)s).")
                % {"max": MAX_TEXT, "length": len(value)}
            }
        )
    return value


# --- profiles --------------------------------------------------------------------------


@transaction.atomic
def profile_save(
    *,
    registration: Registration,
    offers: str = "",
    seeks: str = "",
    offer_kinds: Iterable[str] = (),
    seek_kinds: Iterable[str] = (),
    partner_kinds: Iterable[str] = (),
    languages: Iterable[str] = (),
    sectors: Iterable[Sector] = (),
    directory_listed: bool = False,
    is_active: bool = True,
    actor=None,
) -> Profile:
    """Create or update ``registration``'s matchmaking profile (taking part or not)."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    _check_confirmed(registration)
    errors: dict[str, list] = {}
    cleaned: dict = {}
    for name, value in (("offers", offers), ("seeks", seeks)):
        try:
            cleaned[name] = _clean_text(value, name)
        except ValidationError as error:
            errors.update(error.message_dict)
    for name, value, choices in (
        ("offer_kinds", offer_kinds, PartnershipKind.choices),
        ("seek_kinds", seek_kinds, PartnershipKind.choices),
        ("partner_kinds", partner_kinds, Organisation.Kind.choices),
        ("languages", languages, Language.choices),
    ):
        try:
            cleaned[name] = _clean_choices(value, choices, name)
        except ValidationError as error:
            errors.update(error.message_dict)
    sectors = list(sectors)
    if (
        is_active
        and not errors
        and not (sectors or cleaned["offer_kinds"] or cleaned["seek_kinds"])
    ):
        errors["sectors"] = [
            _(
                "Choose at least one sector, or something you offer or look for, so that we "
                "can suggest partners."
            )
        ]
    if errors:
        raise ValidationError(errors)
    profile = Profile.objects.select_for_update().filter(
        registration=registration
    ).first() or Profile(registration=registration, conference_id=registration.conference_id)
    created = profile.pk is None
    for name, value in cleaned.items():
        setattr(profile, name, value)
    profile.is_active = is_active
    profile.directory_listed = directory_listed
    profile.save()
    profile.sectors.set(sectors)
    log_action(
        actor=actor,
        action="b2b.profile_created" if created else "b2b.profile_updated",
        obj=profile,
        conference=registration.conference,
        data={"taking_part": is_active},
    )
    return profile


# --- requests --------------------------------------------------------------------------


def requests_close_at(conference: Conference):
    """When meeting requests close: as the edition's last active B2B block starts
    (no meeting can be scheduled after that), or as the edition ends without blocks."""
    last = (
        Block.objects.filter(session__conference=conference, is_active=True)
        .order_by("-session__start")
        .values_list("session__start", flat=True)
        .first()
    )
    return last or conference.ends_at


def _active_profile(registration: Registration) -> Profile | None:
    return Profile.objects.filter(registration=registration, is_active=True).first()


@transaction.atomic
def request_create(
    *,
    requester: Registration,
    recipient: Registration,
    message: str = "",
    actor=None,
) -> MeetingRequest:
    """``requester`` asks ``recipient`` for a meeting.

    Refused for oneself, for someone of one's own organisation, for a delegate who is not
    confirmed or not taking part, when a request between the two is open already (either
    way), when requests are closed, and beyond the edition's limit of open requests.
    """
    if recipient.pk == requester.pk:
        raise ValidationError(_("You cannot ask yourself for a meeting."))
    # The limit is counted, and an open request between the two looked for, under the
    # row locks of both registrations, taken in id order (module docstring).
    locked = {
        r.pk: r
        for r in Registration.objects.select_for_update(of=("self",))
        .select_related("person__organisation", "conference")
        .filter(pk__in=[requester.pk, recipient.pk])
        .order_by("pk")
    }
    requester, recipient = locked[requester.pk], locked[recipient.pk]
    conference = requester.conference
    _check_confirmed(requester)
    if recipient.conference_id != conference.pk:
        raise ValidationError(_("This delegate is registered for another edition."))
    if not _confirmed(recipient):
        raise ValidationError(
            _("%(name)s is not a confirmed delegate of this edition.")
            % {"name": _person_label(recipient)}
        )
    rules = settings_for(conference)
    if not rules.requests_open:
        raise ValidationError(_("The organisers have closed meeting requests for this edition."))
    if timezone.now() >= requests_close_at(conference):
        raise ValidationError(
            _("Meeting requests closed when the last B2B meeting block of %(edition)s started.")
            % {"edition": conference.name_i18n}
        )
    if _active_profile(requester) is None:
        raise ValidationError(
            _("Fill in your B2B profile and take part before asking for meetings.")
        )
    if _active_profile(recipient) is None:
        raise ValidationError(
            _("%(name)s does not take part in B2B meetings.") % {"name": _person_label(recipient)}
        )
    organisation = requester.person.organisation_id
    if organisation is not None and organisation == recipient.person.organisation_id:
        raise ValidationError(
            _("%(name)s is a colleague: add them to one of your meetings instead.")
            % {"name": _person_label(recipient)}
        )
    existing = MeetingRequest.objects.filter(
        Q(requester=requester, recipient=recipient) | Q(requester=recipient, recipient=requester),
        status__in=MeetingRequest.OPEN,
    ).first()
    if existing is not None:
        if existing.requester_id == requester.pk:
            raise ValidationError(
                _("You have asked %(name)s already.") % {"name": recipient.person.name}
            )
        raise ValidationError(
            _("%(name)s has asked you already: answer their request.")
            % {"name": _person_label(recipient)}
        )
    if rules.request_limit is not None and open_requests_sent(requester) >= rules.request_limit:
        raise ValidationError(
            _(
                "You have %(limit)s open requests, the most this edition allows. Cancel one "
                "to ask someone else."
            )
            % {"limit": rules.request_limit}
        )
    message = _clean_text(message, "message")
    request = MeetingRequest(
        conference=conference, requester=requester, recipient=recipient, message=message
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:  # the same pair at the same moment: one wins
        raise ValidationError(
            _("You have asked %(name)s already.") % {"name": _person_label(recipient)}
        ) from None
    log_action(
        actor=actor,
        action="b2b.request_sent",
        obj=request,
        conference=conference,
        data={"requester": requester.pk, "recipient": recipient.pk},
    )
    _mail(recipient, "request_received", request=request, other=requester)
    return request


def _lock_request(request: MeetingRequest) -> MeetingRequest:
    return (
        MeetingRequest.objects.select_for_update(of=("self",))
        .select_related("requester__person", "recipient__person", "conference")
        .get(pk=request.pk)
    )


@transaction.atomic
def request_accept(
    *, request: MeetingRequest, by: Registration, answer: str = "", actor=None
) -> Meeting:
    """The asked delegate says yes: the meeting exists, waiting for a time and a table."""
    request = _lock_request(request)
    if by.pk != request.recipient_id:
        raise ValidationError(_("Only the delegate who was asked can accept."))
    if request.status != MeetingRequest.Status.PENDING:
        raise ValidationError(_("This request is no longer waiting for an answer."))
    _check_confirmed(request.recipient)
    if not _confirmed(request.requester):
        raise ValidationError(
            _("%(name)s's registration is no longer confirmed.")
            % {"name": _person_label(request.requester)}
        )
    answer = _clean_text(answer, "answer")
    request.status = MeetingRequest.Status.ACCEPTED
    request.answer = answer
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answer", "answered_at"])
    meeting = Meeting.objects.create(conference=request.conference, request=request)
    Participant.objects.bulk_create(
        [
            Participant(
                meeting=meeting, registration=request.requester, side=Participant.Side.REQUESTER
            ),
            Participant(
                meeting=meeting, registration=request.recipient, side=Participant.Side.RECIPIENT
            ),
        ]
    )
    log_action(
        actor=actor, action="b2b.request_accepted", obj=request, conference=request.conference
    )
    log_action(
        actor=actor, action="b2b.meeting_created", obj=meeting, conference=request.conference
    )
    _mail(request.requester, "request_accepted", request=request, other=request.recipient)
    return meeting


@transaction.atomic
def request_decline(
    *, request: MeetingRequest, by: Registration, answer: str = "", actor=None
) -> MeetingRequest:
    request = _lock_request(request)
    if by.pk != request.recipient_id:
        raise ValidationError(_("Only the delegate who was asked can decline."))
    if request.status != MeetingRequest.Status.PENDING:
        raise ValidationError(_("This request is no longer waiting for an answer."))
    request.status = MeetingRequest.Status.DECLINED
    request.answer = _clean_text(answer, "answer")
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answer", "answered_at"])
    log_action(
        actor=actor, action="b2b.request_declined", obj=request, conference=request.conference
    )
    _mail(request.requester, "request_declined", request=request, other=request.recipient)
    return request


@transaction.atomic
def request_cancel(*, request: MeetingRequest, by: Registration, actor=None) -> MeetingRequest:
    """Withdraw a request (the asking delegate), or call off an accepted meeting (either
    delegate). The people left are told; a published meeting frees its table."""
    request = _lock_request(request)
    if by.pk not in (request.requester_id, request.recipient_id):
        raise PermissionDenied("not a party to this request")
    if request.status == MeetingRequest.Status.PENDING:
        if by.pk != request.requester_id:
            raise ValidationError(_("Decline the request instead."))
    elif request.status != MeetingRequest.Status.ACCEPTED:
        raise ValidationError(_("This request is already closed."))
    now = timezone.now()
    was_accepted = request.status == MeetingRequest.Status.ACCEPTED
    request.status = MeetingRequest.Status.CANCELLED
    request.cancelled_at = now
    request.cancelled_by = by
    request.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    log_action(
        actor=actor,
        action="b2b.request_cancelled",
        obj=request,
        conference=request.conference,
        data={"by": by.pk},
    )
    canceller = request.requester if by.pk == request.requester_id else request.recipient
    if not was_accepted:
        _mail(request.recipient, "request_withdrawn", request=request, other=request.requester)
        return request
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("block__session")
        .get(request=request)
    )
    _meeting_cancel(meeting, canceller=canceller, actor=actor, when=now)
    return request


def _meeting_cancel(meeting: Meeting, *, canceller: Registration | None, actor, when) -> None:
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_at = when
    fields = ["status", "cancelled_at", "updated"]
    if meeting.is_published:
        meeting.sequence += 1
        fields.append("sequence")
    meeting.save(update_fields=fields)
    log_action(
        actor=actor, action="b2b.meeting_cancelled", obj=meeting, conference=meeting.conference
    )
    others = meeting.participants.select_related("registration__person", "registration__conference")
    for participant in others:
        if canceller is not None and participant.registration_id == canceller.pk:
            continue
        _mail(
            participant.registration,
            "meeting_cancelled",
            meeting=meeting,
            other=canceller,
        )


# --- colleagues ------------------------------------------------------------------------


def busy_reason(
    registration: Registration, start, end, *, exclude_meeting: int | None = None
) -> str:
    """Why ``registration`` cannot be in a meeting from ``start`` to ``end`` ('' if free)."""
    other = (
        Meeting.objects.filter(
            status=Meeting.Status.ACTIVE,
            participants__registration=registration,
            start__lt=end,
            end__gt=start,
            published_at__isnull=False,
        )
        .exclude(pk=exclude_meeting)
        .exists()
    )
    if other:
        return _("%(name)s has another B2B meeting at that time.") % {
            "name": _person_label(registration)
        }
    if Absence.objects.filter(registration=registration, since__lt=end).exists():
        return _("%(name)s is marked absent at that time.") % {"name": _person_label(registration)}
    overlapping = Q(start__lt=end, end__gt=start, conference=registration.conference_id) & ~Q(
        kind=Session.Kind.BILATERAL_MEETING
    )
    session = (
        Session.objects.filter(overlapping)
        .filter(
            Q(roles__person=registration.person_id)
            | Q(bookings__registration=registration, bookings__status="confirmed")
        )
        .first()
    )
    if session is not None:
        return _("%(name)s is at %(session)s at that time.") % {
            "name": _person_label(registration),
            "session": session.title_i18n,
        }
    return ""


def _lock_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("request", "block__session", "conference")
        .get(pk=meeting.pk)
    )


@transaction.atomic
def meeting_add_colleague(
    *, meeting: Meeting, by: Registration, colleague: Registration, actor=None
) -> Participant:
    """A delegate brings a colleague (same organisation, confirmed) to their meeting."""
    meeting = _lock_meeting(meeting)
    if meeting.status != Meeting.Status.ACTIVE:
        raise ValidationError(_("This meeting is cancelled."))
    mine = meeting.participants.filter(registration=by).first()
    if mine is None:
        raise PermissionDenied("not a participant of this meeting")
    colleague = Registration.objects.select_related("person__organisation", "conference").get(
        pk=colleague.pk
    )
    by = Registration.objects.select_related("person").get(pk=by.pk)
    if colleague.conference_id != meeting.conference_id:
        raise ValidationError({"colleague": _("This person is registered for another edition.")})
    if not _confirmed(colleague):
        raise ValidationError(
            {
                "colleague": _("%(name)s is not a confirmed delegate of this edition.")
                % {"name": _person_label(colleague)}
            }
        )
    organisation = by.person.organisation_id
    if organisation is None or colleague.person.organisation_id != organisation:
        raise ValidationError(
            {"colleague": _("Only a colleague from your own organisation can be added.")}
        )
    if meeting.participants.filter(registration=colleague).exists():
        raise ValidationError(
            {
                "colleague": _("%(name)s is in this meeting already.")
                % {"name": _person_label(colleague)}
            }
        )
    if meeting.participants.count() >= MAX_PARTICIPANTS:
        raise ValidationError(
            {"colleague": _("A meeting has at most %(max)s people.") % {"max": MAX_PARTICIPANTS}}
        )
    if meeting.is_published:
        reason = busy_reason(colleague, meeting.start, meeting.end, exclude_meeting=meeting.pk)
        if reason:
            raise ValidationError({"colleague": reason})
    participant = Participant.objects.create(
        meeting=meeting,
        registration=colleague,
        side=mine.side,
        is_colleague=True,
        added_by=by,
    )
    if meeting.is_published:
        meeting.sequence += 1
        meeting.save(update_fields=["sequence", "updated"])
    log_action(
        actor=actor,
        action="b2b.colleague_added",
        obj=meeting,
        conference=meeting.conference,
        data={"registration": colleague.pk, "by": by.pk},
    )
    _mail(colleague, "colleague_added", meeting=meeting, other=by)
    return participant


@transaction.atomic
def meeting_remove_colleague(*, participant: Participant, by: Registration, actor=None) -> None:
    """Take an added colleague out again: anyone on their side, or the colleague."""
    meeting = _lock_meeting(participant.meeting)
    participant = Participant.objects.select_related("registration__person").get(pk=participant.pk)
    if not participant.is_colleague:
        raise ValidationError(_("Cancel the meeting instead."))
    mine = meeting.participants.filter(registration=by).first()
    if mine is None or (mine.side != participant.side and mine.pk != participant.pk):
        raise PermissionDenied("not on this colleague's side of the meeting")
    participant.delete()
    if meeting.is_published:
        meeting.sequence += 1
        meeting.save(update_fields=["sequence", "updated"])
    log_action(
        actor=actor,
        action="b2b.colleague_removed",
        obj=meeting,
        conference=meeting.conference,
        data={"registration": participant.registration_id, "by": by.pk},
    )


@transaction.atomic
def withdraw_registration(*, registration: Registration, actor=None) -> int:
    """A delegate leaves the edition: their open requests close and their meetings are
    called off (a colleague just leaves the meeting). Returns how many were closed."""
    closed = 0
    requests = MeetingRequest.objects.filter(
        Q(requester=registration) | Q(recipient=registration), status__in=MeetingRequest.OPEN
    )
    for request in requests:
        request = _lock_request(request)
        request.status = MeetingRequest.Status.CANCELLED
        request.cancelled_at = timezone.now()
        request.cancelled_by = registration
        request.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        meeting = Meeting.objects.filter(request=request, status=Meeting.Status.ACTIVE).first()
        if meeting is not None:
            _meeting_cancel(meeting, canceller=registration, actor=actor, when=timezone.now())
        closed += 1
    Participant.objects.filter(
        registration=registration, is_colleague=True, meeting__status=Meeting.Status.ACTIVE
    ).delete()
    if closed:
        log_action(
            actor=actor,
            action="b2b.withdrawn",
            obj=registration,
            conference=registration.conference,
            data={"closed": closed},
        )
    return closed


# --- organiser: settings and blocks --------------------------------------------------------


@transaction.atomic
def settings_update(
    *, conference: Conference, request_limit: int | None, requests_open: bool, actor=None
) -> MatchmakingSettings:
    rules = _lock_settings(conference)
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
    _lock_settings(conference)
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
    _lock_settings(conference)
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
            _mail(
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
