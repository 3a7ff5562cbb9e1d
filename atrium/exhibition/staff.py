"""Exhibitor staff passes: invitations within the booth's quota, acceptance, revocation.

Part of the exhibition's rules (see ``services``): keyword-only, one transaction each,
audit-logged; bad input raises ``ValidationError`` naming the field."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.invitations import token_hash
from atrium.core.mail import send_email_on_commit
from atrium.core.money import money
from atrium.events.models import Conference
from atrium.exhibition.models import (
    BoothBooking,
    Exhibitor,
    StaffPass,
)
from atrium.network.models import Person
from atrium.registration.models import Registration, RegistrationType
from atrium.registration.services import registration_submit

# --- staff passes -----------------------------------------------------------------------


def pass_quota(exhibitor: Exhibitor) -> int:
    """Passes the booked booths bring, plus extra passes bought."""
    booked = BoothBooking.objects.filter(exhibitor=exhibitor, status=BoothBooking.Status.BOOKED)
    return (booked.aggregate(n=Sum("booth__staff_passes"))["n"] or 0) + exhibitor.extra_passes


def extra_pass_price(exhibitor: Exhibitor) -> str:
    booking = (
        BoothBooking.objects.filter(exhibitor=exhibitor, status=BoothBooking.Status.BOOKED)
        .select_related("booth")
        .first()
    )
    if booking is None:
        return money(Decimal(150), "USD")
    booth = booking.booth
    return f"{money(booth.extra_pass_usd, 'USD')} / {money(booth.extra_pass_cny, 'CNY')}"


@transaction.atomic
def staff_invite(
    *,
    exhibitor: Exhibitor,
    email: str,
    name: str = "",
    role: str = StaffPass.Role.SCAN,
    join_url: str = "/",
    language: str = "en",
    actor=None,
) -> StaffPass:
    """Invite a member of the booth staff by e-mail, within the exhibitor's pass quota."""
    exhibitor = Exhibitor.objects.select_for_update().get(pk=exhibitor.pk)
    email = (email or "").strip().lower()
    if role not in StaffPass.Role.values:
        raise ValidationError({"role": _("Choose scanning only, or scanning and leads.")})
    probe = StaffPass(exhibitor=exhibitor, email=email, name=name.strip(), role=role)
    probe.clean_fields(exclude=["token_hash", "person"])
    if exhibitor.passes.filter(email=email, status__in=StaffPass.ACTIVE).exists():
        raise ValidationError({"email": _("This address has a pass already.")})
    used = exhibitor.passes.filter(status__in=StaffPass.ACTIVE).count()
    quota = pass_quota(exhibitor)
    if used >= quota:
        raise ValidationError(
            {
                "email": _(
                    "All %(quota)s staff passes are used. An extra pass costs %(price)s: "
                    "ask the organisers for one."
                )
                % {"quota": quota, "price": extra_pass_price(exhibitor)}
            }
        )
    token = secrets.token_urlsafe(32)
    probe.token_hash = token_hash(token)
    probe.save()
    log_action(
        actor=actor,
        action="exhibition.staff.invited",
        obj=probe,
        conference=exhibitor.conference,
        data={"email": email, "role": role},
    )
    send_email_on_commit(
        to=email,
        template="exhibition/email/staff_invitation",
        context={
            "exhibitor_name": str(exhibitor),
            "conference_name": exhibitor.conference.name,
            "url": join_url.format(token=token),
        },
        language=language,
    )
    probe.token = token  # for the caller (tests, API); never stored
    return probe


def staff_pass_for_token(token: str) -> StaffPass | None:
    if not token or len(token) > 100:
        return None
    return (
        StaffPass.objects.select_related("exhibitor__conference")
        .filter(token_hash=token_hash(token), status=StaffPass.Status.INVITED)
        .first()
    )


def _staff_registration(conference: Conference, person: Person, user) -> None:
    """Booth staff get a registration of the edition's free exhibitor type (a type whose
    code starts with ``exhibitor``: its badge has the exhibitor band) and then a badge and
    check-in like delegates. Someone already registered keeps their registration; without
    such a type nothing is made (the organisers register the staff themselves)."""
    if Registration.objects.filter(conference=conference, person=person).exists():
        return
    types = RegistrationType.objects.filter(
        conference=conference, code__istartswith="exhibitor"
    ).order_by("pk")
    rtype = next((t for t in types if t.is_free), None)
    if rtype is not None:
        registration_submit(
            conference=conference, person=person, rtype=rtype, by_organiser=True, actor=user
        )


@transaction.atomic
def staff_accept(*, token: str, user) -> StaffPass:
    """The invited person (logged in) takes up the pass."""
    staff_pass = staff_pass_for_token(token)
    if staff_pass is None:
        raise ValidationError(_("This invitation is not valid any more."))
    staff_pass = StaffPass.objects.select_for_update().get(pk=staff_pass.pk)
    person = Person.objects.filter(user=user).first()
    if person is None:
        raise ValidationError(_("Complete your profile first, then open the invitation again."))
    _staff_registration(staff_pass.exhibitor.conference, person, user)
    staff_pass.person = person
    staff_pass.status = StaffPass.Status.ACCEPTED
    staff_pass.accepted_at = timezone.now()
    staff_pass.save(update_fields=["person", "status", "accepted_at"])
    log_action(
        actor=user,
        action="exhibition.staff.accepted",
        obj=staff_pass,
        conference=staff_pass.exhibitor.conference,
    )
    return staff_pass


@transaction.atomic
def staff_revoke(*, staff_pass: StaffPass, actor=None) -> StaffPass:
    staff_pass = StaffPass.objects.select_for_update().get(pk=staff_pass.pk)
    staff_pass.status = StaffPass.Status.REVOKED
    staff_pass.save(update_fields=["status"])
    log_action(
        actor=actor,
        action="exhibition.staff.revoked",
        obj=staff_pass,
        conference=staff_pass.exhibitor.conference,
    )
    return staff_pass


@transaction.atomic
def extra_passes_set(*, exhibitor: Exhibitor, count: int, actor=None) -> Exhibitor:
    """Organisers grant extra staff passes (paid outside the booth booking)."""
    if count < 0:
        raise ValidationError({"count": _("The number cannot be negative.")})
    exhibitor = Exhibitor.objects.select_for_update().get(pk=exhibitor.pk)
    exhibitor.extra_passes = count
    exhibitor.save(update_fields=["extra_passes"])
    log_action(
        actor=actor,
        action="exhibition.staff.extra_passes",
        obj=exhibitor,
        conference=exhibitor.conference,
        data={"count": count},
    )
    return exhibitor
