"""Check-in at the entrance or at a session: by a badge's QR token, or by a person found by name.

Every scan carries a ``client_id`` made by the scanning device: the unique constraint on
``CheckIn.client_id`` makes a scan sent twice count once (the second call returns the
first check-in). A revoked badge, a forged token or a cancelled registration checks
nobody in; an unpaid order, a second check-in at the same point, or a session the person
has not signed up for checks in with a warning for the staff to act on.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atrium.checkin.models import Badge, CheckIn
from atrium.checkin.selectors import check_point
from atrium.checkin.tokens import parse_short_code, short_code, unsign_badge_token
from atrium.core.audit import log_action
from atrium.core.i18n import local_moment
from atrium.events.models import Conference, Session
from atrium.registration.models import Registration, SeatBooking
from atrium.webhooks import events as webhook_events
from atrium.webhooks.services import webhook_emit


@dataclass
class CheckInResult:
    """What the check-in page shows: who, whether they are in, and what to look at."""

    registration: Registration | None = None
    checkin: CheckIn | None = None
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    created: bool = False

    @property
    def checked_in(self) -> bool:
        return self.checkin is not None

    @property
    def state(self) -> str:
        """``ok``, ``warning`` (in, but look) or ``refused`` (not in)."""
        if not self.checked_in:
            return "refused"
        return "warning" if self.warnings else "ok"


def _local(conference: Conference, moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, conference.tz)


def _staff_name(user) -> str:
    if user is None:
        return _("someone")
    return user.get_full_name() or user.get_username()


def _payload(checkin: CheckIn) -> dict:
    registration = checkin.registration
    person = registration.person
    return {
        "checkin": checkin.pk,
        "registration": registration.pk,
        "reference": registration.reference,
        "type": registration.type.code if registration.type else None,
        "person": webhook_events.person_ref(person),
        "session": checkin.session_id,
        "at": checkin.created,
    }


def _status_problems(registration: Registration) -> tuple[list[str], bool]:
    """(warnings, refused) from the registration's status and its order."""
    status = registration.status
    warnings: list[str] = []
    refused = status != Registration.Status.CONFIRMED
    if status == Registration.Status.CANCELLED:
        warnings.append(_("Cancelled registration: do not let in."))
    elif status == Registration.Status.REJECTED:
        warnings.append(_("Rejected registration: do not let in."))
    elif status == Registration.Status.WAITLISTED:
        warnings.append(_("On the waiting list, not confirmed."))
    elif status == Registration.Status.PENDING:
        warnings.append(_("Registration not confirmed yet."))
    order = getattr(registration, "order", None)
    if order is not None and order.status == order.Status.PENDING:
        warnings.append(_("Not paid."))
    return warnings, refused


def _earlier(registration: Registration, session: Session | None, exclude=None):
    earlier = CheckIn.objects.filter(registration=registration, session=session).select_related(
        "actor"
    )
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude.pk)
    return earlier.order_by("created").first()


def _already_warning(conference: Conference, earlier: CheckIn) -> str:
    at = _local(conference, earlier.created)
    when = (
        at.strftime("%H:%M")
        if at.date() == _local(conference, timezone.now()).date()
        else local_moment(earlier.created, conference.tz)
    )
    return _("Already checked in at %(time)s by %(staff)s.") % {
        "time": when,
        "staff": _staff_name(earlier.actor),
    }


def _session_warning(registration: Registration, session: Session | None) -> list[str]:
    if session is None or not session.seats:
        return []
    booked = SeatBooking.objects.filter(
        session=session, registration=registration, status=SeatBooking.Status.CONFIRMED
    ).exists()
    return [] if booked else [_("Not signed up for this session.")]


def _replay(conference: Conference, existing: CheckIn) -> CheckInResult:
    if existing.conference_id != conference.pk:
        raise ValidationError({"client_id": _("This client id was used in another edition.")})
    registration = existing.registration
    warnings, _refused = _status_problems(registration)
    earlier = _earlier(registration, existing.session, exclude=existing)
    if earlier and earlier.created < existing.created:
        warnings.append(_already_warning(conference, earlier))
    warnings += _session_warning(registration, existing.session)
    return CheckInResult(registration=registration, checkin=existing, warnings=warnings)


@transaction.atomic
def checkin_person(
    *,
    conference: Conference,
    registration: Registration,
    client_id: uuid.UUID,
    point: Session | None,
    actor,
    badge: Badge | None = None,
) -> CheckInResult:
    """Check ``registration`` in at ``point`` (None: the entrance), once per ``client_id``."""
    check_point(conference, point)
    if registration.conference_id != conference.pk:
        raise ValidationError({"registration": _("This registration is not for this edition.")})
    existing = CheckIn.objects.filter(client_id=client_id).select_related(
        "registration__person", "registration__type", "registration__order", "session"
    )
    if existing := existing.first():
        return _replay(conference, existing)
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("person", "type", "order")
        .get(pk=registration.pk)
    )
    warnings, refused = _status_problems(registration)
    if refused:
        return CheckInResult(registration=registration, warnings=warnings)
    earlier = _earlier(registration, point)
    if earlier:
        warnings.append(_already_warning(conference, earlier))
    warnings += _session_warning(registration, point)
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                conference=conference,
                registration=registration,
                badge=badge,
                session=point,
                client_id=client_id,
                actor=actor if actor is not None and actor.is_authenticated else None,
            )
    except IntegrityError:
        # The same scan arrived twice at once: the other request saved it.
        return _replay(conference, CheckIn.objects.get(client_id=client_id))
    log_action(
        actor=actor,
        action="registration.checked_in",
        obj=registration,
        conference=conference,
        data={"checkin": checkin.pk, "session": point.pk if point else None},
    )
    webhook_emit(
        conference=conference, event=webhook_events.CHECKIN_CREATED, payload=_payload(checkin)
    )
    return CheckInResult(
        registration=registration, checkin=checkin, warnings=warnings, created=True
    )


def checkin_scan(
    *,
    conference: Conference,
    token: str,
    client_id: uuid.UUID,
    point: Session | None,
    actor,
) -> CheckInResult:
    """Check in the holder of the badge whose QR code reads ``token``."""
    check_point(conference, point)
    badges = Badge.objects.select_related("registration__person", "registration__type").filter(
        registration__conference=conference
    )
    key = unsign_badge_token(token)
    badge = None
    if key:
        badge = badges.filter(key=key).first()
    elif (prefix := parse_short_code(token)) is not None:
        # The code printed under the QR code: the key's first characters, typed by hand.
        found = list(badges.filter(key__startswith=prefix)[:2])
        if len(found) > 1:
            return CheckInResult(
                error=_("The code %(code)s fits more than one badge: scan the QR code instead.")
                % {"code": short_code(prefix)}
            )
        badge = found[0] if found else None
    if badge is None:
        return CheckInResult(error=_("Not a valid badge of this edition."))
    if badge.is_revoked:
        return CheckInResult(
            registration=badge.registration,
            error=_("This badge was replaced by a newer one and no longer counts."),
        )
    return checkin_person(
        conference=conference,
        registration=badge.registration,
        client_id=client_id,
        point=point,
        actor=actor,
        badge=badge,
    )
