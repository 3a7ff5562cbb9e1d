"""B2B matchmaking rules: every change a delegate makes to a profile, a request or a
meeting. The organiser's side (settings, blocks, scheduler runs) is in
:mod:`atrium.matchmaking.planning`, changes on the day in :mod:`atrium.matchmaking.onsite`.

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
from collections.abc import Iterable

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.mail import send_email_on_commit
from atrium.events.models import Conference, Session
from atrium.matchmaking.models import (
    Absence,
    Block,
    Language,
    MatchmakingSettings,
    Meeting,
    MeetingRequest,
    Participant,
    PartnershipKind,
    Profile,
)
from atrium.network.models import Organisation, Sector
from atrium.registration.models import Registration

logger = logging.getLogger(__name__)

MAX_TEXT = 1000
MAX_PARTICIPANTS = 6


# --- reading helpers -------------------------------------------------------------------


def settings_for(conference: Conference) -> MatchmakingSettings:
    found, _created = MatchmakingSettings.objects.get_or_create(conference=conference)
    return found


def lock_settings(conference: Conference) -> MatchmakingSettings:
    """The edition's settings row, locked until the transaction ends."""
    settings_for(conference)
    return MatchmakingSettings.objects.select_for_update().get(conference=conference)


def open_requests_sent(registration: Registration) -> int:
    return MeetingRequest.objects.filter(
        requester=registration, status__in=MeetingRequest.OPEN
    ).count()


def b2b_url(conference: Conference) -> str:
    return django_settings.ATRIUM_SITE_URL + reverse("matchmaking:home", args=[conference.slug])


def mail_to(registration: Registration, template: str, **context) -> None:
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


def clean_text(value: str, field_name: str) -> str:
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
            cleaned[name] = clean_text(value, name)
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
    message = clean_text(message, "message")
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
    mail_to(recipient, "request_received", request=request, other=requester)
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
    answer = clean_text(answer, "answer")
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
    mail_to(request.requester, "request_accepted", request=request, other=request.recipient)
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
    request.answer = clean_text(answer, "answer")
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answer", "answered_at"])
    log_action(
        actor=actor, action="b2b.request_declined", obj=request, conference=request.conference
    )
    mail_to(request.requester, "request_declined", request=request, other=request.recipient)
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
        mail_to(request.recipient, "request_withdrawn", request=request, other=request.requester)
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
        mail_to(
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
    mail_to(colleague, "colleague_added", meeting=meeting, other=by)
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
