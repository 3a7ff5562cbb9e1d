"""Registration rules: every state change of a registration, order, delegation or seat.

Views, the API and the CLI call these functions; each is one transaction, writes
the audit trail, and queues e-mails and webhooks only after it commits.

Concurrency. Anything that is counted against a limit is decided while holding a
row lock on the row that *owns* the limit, taken with ``select_for_update()``
before the count:

- seats of a session (visit bus, gala dinner): the ``Session`` row;
- capacity of a registration type: the ``RegistrationType`` row;
- uses of a voucher: the ``Voucher`` row (plus a CHECK constraint used <= max_uses);
- receipt numbers of an edition (gapless): the edition's ``RegistrationPolicy`` row,
  taken after the order's row (``payment_confirm``).

Every writer of the limited rows takes the same lock first, so the count it reads
cannot change until it commits: no oversell, and the waiting list is ordered by
the moment each request got the lock. We chose row locks over optimistic
retries (version columns) or SERIALIZABLE isolation because a sign-up rush is
exactly the high-contention case where retries thrash, and because locking the
owner row keeps unrelated sessions fully parallel. Locks are always taken in the
order registration → type → voucher → sessions (by id), so two transactions
cannot deadlock. SQLite has no row locks; there ``transaction_mode=IMMEDIATE``
(settings) makes every transaction take the database write lock at BEGIN, which
serialises writers the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.mail import send_email_on_commit
from atrium.events.models import Conference, Session
from atrium.network.models import Person
from atrium.network.slugs import unique_person_slug
from atrium.registration.hooks import registration_withdrawn
from atrium.registration.models import (
    Answer,
    Currency,
    Delegation,
    DelegationInvitation,
    Order,
    Payment,
    Question,
    Registration,
    RegistrationPolicy,
    RegistrationType,
    SeatBooking,
    Voucher,
    new_feed_token,
)
from atrium.webhooks import events as webhook_events
from atrium.webhooks.services import webhook_emit

ACTIVE_BOOKING = SeatBooking.ACTIVE
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


class AlreadyRegistered(Exception):
    """The person has a registration for this edition already (shown instead of a new one)."""

    def __init__(self, registration: Registration):
        super().__init__(str(registration))
        self.registration = registration


# --- reading helpers used by the rules -------------------------------------------------


def policy_for(conference: Conference) -> RegistrationPolicy:
    policy = getattr(conference, "_registration_policy_cache", None)
    if policy is None:
        policy, _created = RegistrationPolicy.objects.get_or_create(conference=conference)
        conference._registration_policy_cache = policy
    return policy


def questions_for(conference: Conference, rtype: RegistrationType | None) -> list[Question]:
    """The edition's questions that apply to ``rtype`` (a question with no types applies to all)."""
    questions = conference.questions.prefetch_related("types")
    return [q for q in questions if not q.types.all() or (rtype and rtype in q.types.all())]


def refund_for(
    *, registration: Registration, at: dt.datetime, visa_refused: bool
) -> tuple[Decimal, str]:
    """The amount returned on cancellation at ``at`` under the edition's refund policy."""
    order = getattr(registration, "order", None)
    if order is None or order.status != Order.Status.PAID or not order.total:
        return Decimal(0), ""
    policy = policy_for(registration.conference)
    if visa_refused:
        return order.total, _("Visa refused (proof attached)")
    if policy.full_refund_until and at < policy.full_refund_until:
        return order.total, _("Full refund")
    if policy.half_refund_until and at < policy.half_refund_until:
        return (order.total / 2).quantize(Decimal("0.01")), _("Half refund")
    return Decimal(0), _("No refund after the deadline")


def _new_reference(conference: Conference) -> str:
    prefix = policy_for(conference).reference_prefix or "ATR"
    while True:
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _i in range(6))
        reference = f"{prefix}-{code}"
        if not Order.objects.filter(reference=reference).exists():
            return reference


def _registration_payload(registration: Registration) -> dict:
    person = registration.person
    return {
        "registration": registration.pk,
        "reference": registration.reference,
        "status": registration.status,
        "type": registration.type.code if registration.type else None,
        "person": webhook_events.person_ref(person),
        "delegation": registration.delegation_id,
    }


def _mail_registration(registration: Registration, template: str, **extra) -> None:
    send_email_on_commit(
        to=registration.person.contact_email,
        template=f"registration/email/{template}",
        context={"registration": registration, "conference": registration.conference, **extra},
        language=registration.language,
    )


# --- answers ---------------------------------------------------------------------------


def answers_clean(
    *, conference: Conference, rtype: RegistrationType, raw: Mapping[int, str]
) -> dict[Question, str]:
    """Check the answers to the custom questions; errors are keyed ``q_<id>`` like the form."""
    errors: dict[str, str] = {}
    cleaned: dict[Question, str] = {}
    for question in questions_for(conference, rtype):
        value = (raw.get(question.pk) or "").strip()
        key = f"q_{question.pk}"
        if not value:
            if question.required:
                errors[key] = _("This question needs an answer.")
            continue
        if question.kind == Question.Kind.CHOICE:
            if value not in {v for v, _en, _zh in question.option_pairs()}:
                errors[key] = _("Choose one of the options.")
                continue
        elif question.kind == Question.Kind.YES_NO:
            if value not in {"yes", "no"}:
                errors[key] = _("Answer yes or no.")
                continue
        elif question.kind == Question.Kind.DATE:
            try:
                value = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                errors[key] = _("Enter a date as YYYY-MM-DD.")
                continue
        cleaned[question] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- registration ----------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    list_price: Decimal
    total: Decimal
    currency: str
    early: bool


def quote(
    *,
    conference: Conference,
    rtype: RegistrationType,
    currency: str,
    voucher: Voucher | None = None,
    at: dt.datetime | None = None,
) -> Quote:
    early = policy_for(conference).is_early(at)
    price = rtype.price(currency, early=early)
    total = voucher.discounted(price, currency) if voucher else price
    return Quote(list_price=price, total=total, currency=currency, early=early)


PROFILE_FIELDS = ("name", "name_zh", "position", "organisation", "country", "phone")


def _person_update(person: Person, profile: Mapping) -> None:
    changed = [f for f in PROFILE_FIELDS if f in profile and getattr(person, f) != profile[f]]
    for field in changed:
        setattr(person, field, profile[field])
    if changed:
        person.full_clean(exclude=["slug", "user"])
        person.save(update_fields=[*changed, "updated"])


@transaction.atomic
def person_for_user(user) -> Person:
    """The person behind an account, created from the account if it has none yet."""
    person = Person.objects.filter(user=user).first()
    if person is not None:
        return person
    name = user.get_full_name() or user.email or user.get_username()
    return Person.objects.create(
        user=user, name=name, slug=unique_person_slug(name), email=user.email
    )


def _voucher_check(voucher: Voucher | None, rtype: RegistrationType, code: str) -> Voucher:
    if voucher is None:
        raise ValidationError({"voucher": _("There is no voucher with the code %s.") % code})
    if voucher.valid_until and timezone.now() >= voucher.valid_until:
        raise ValidationError({"voucher": _("This voucher has expired.")})
    if voucher.used >= voucher.max_uses:
        raise ValidationError({"voucher": _("This voucher has been used up.")})
    if voucher.types.exists() and not voucher.types.filter(pk=rtype.pk).exists():
        raise ValidationError({"voucher": _("This voucher is not valid for %s.") % rtype.name_i18n})
    return voucher


def _settle(registration: Registration, *, actor) -> None:
    """Confirm a pending registration once paid (or free) and approved (or not needing it)."""
    if registration.status != Registration.Status.PENDING:
        return
    order = registration.order
    if not order.is_settled:
        return
    if registration.approval not in (
        Registration.Approval.NOT_NEEDED,
        Registration.Approval.APPROVED,
    ):
        return
    registration.status = Registration.Status.CONFIRMED
    registration.save(update_fields=["status", "updated"])
    log_action(
        actor=actor,
        action="registration.confirmed",
        obj=registration,
        conference=registration.conference,
    )
    _mail_registration(registration, "confirmed")
    webhook_emit(
        conference=registration.conference,
        event=webhook_events.REGISTRATION_CONFIRMED,
        payload=_registration_payload(registration),
    )


@transaction.atomic
def registration_submit(
    *,
    conference: Conference,
    person: Person | None = None,
    user=None,
    rtype: RegistrationType,
    currency: str = Currency.USD,
    answers: Mapping[int, str] | None = None,
    consent_directory: bool = False,
    consent_photos: bool = False,
    voucher_code: str = "",
    invitation: DelegationInvitation | None = None,
    delegation: Delegation | None = None,
    language: str = "en",
    actor=None,
    by_organiser: bool = False,
    profile: Mapping | None = None,
) -> Registration:
    """Register ``person`` for ``conference`` with type ``rtype``; returns the new registration.

    Raises ``AlreadyRegistered`` if the person has one (a second click, a second tab),
    and ``ValidationError`` keyed by form field for every other refusal; nothing is
    written then. ``profile`` updates the person's own details (name, position,
    organisation, country, phone) in the same transaction. ``by_organiser`` lets an
    organiser register someone outside the registration period and with a type that
    is not on sale; limits still hold. Without ``person``, the person behind ``user`` (made
    from the account if it has none yet, in this transaction: a refused registration leaves
    no new person behind).
    """
    if person is None:
        person = person_for_user(user)
    existing = Registration.objects.filter(conference=conference, person=person).first()
    if existing:
        raise AlreadyRegistered(existing)
    policy = policy_for(conference)
    if not by_organiser and not policy.is_open():
        raise ValidationError(_("Registration for this edition is closed."))
    if rtype.conference_id != conference.pk:
        raise ValidationError({"type": _("This registration type belongs to another edition.")})
    if not by_organiser and not rtype.is_active:
        raise ValidationError({"type": _("This registration type is not on sale.")})
    if rtype.members_only and not (person.organisation and person.organisation.is_member):
        raise ValidationError(
            {"type": _("This type is for people of member organisations of the association.")}
        )
    if currency not in Currency.values:
        raise ValidationError({"currency": _("Choose USD or CNY.")})
    if profile:
        _person_update(person, profile)
    # Every problem with the input is reported at once, each next to its field.
    errors: dict[str, list] = {}
    try:
        cleaned_answers = answers_clean(conference=conference, rtype=rtype, raw=answers or {})
    except ValidationError as error:
        errors.update(error.message_dict)
    if invitation is not None:
        invitation = _lock_open_invitation(invitation)
        delegation = invitation.delegation
    if delegation is not None and delegation.conference_id != conference.pk:
        raise ValidationError({"delegation": _("This delegation belongs to another edition.")})

    # The type's capacity: counted under the type's row lock (see the module docstring).
    rtype = RegistrationType.objects.select_for_update().get(pk=rtype.pk)
    if rtype.capacity is not None:
        taken = rtype.registrations.filter(status__in=Registration.ACTIVE).count()
        if taken >= rtype.capacity:
            errors.setdefault("type", []).append(_("%s is fully booked.") % rtype.name_i18n)
    voucher = None
    if voucher_code.strip():
        code = voucher_code.strip().upper()
        try:
            voucher = _voucher_check(
                Voucher.objects.select_for_update()
                .filter(conference=conference, code=code)
                .first(),
                rtype,
                code,
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    price = quote(conference=conference, rtype=rtype, currency=currency, voucher=voucher)

    registration = Registration(
        conference=conference,
        person=person,
        type=rtype,
        status=Registration.Status.PENDING,
        approval=(
            Registration.Approval.PENDING
            if rtype.requires_approval and not by_organiser
            else Registration.Approval.NOT_NEEDED
        ),
        delegation=delegation,
        voucher=voucher,
        consent_directory=consent_directory,
        consent_photos=consent_photos,
        language=language if language in {"en", "zh-hans"} else "en",
    )
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        # Two submits of the same person at the same moment: the unique constraint
        # lets one through; the other shows it (and rolls back as it leaves).
        raise AlreadyRegistered(
            Registration.objects.get(conference=conference, person=person)
        ) from None
    if voucher is not None:
        Voucher.objects.filter(pk=voucher.pk).update(used=F("used") + 1)
    Order.objects.create(
        conference=conference,
        registration=registration,
        reference=_new_reference(conference),
        currency=currency,
        list_price=price.list_price,
        total=price.total,
        status=Order.Status.FREE if price.total == 0 else Order.Status.PENDING,
    )
    Answer.objects.bulk_create(
        Answer(registration=registration, question=q, value=v) for q, v in cleaned_answers.items()
    )
    if invitation is not None:
        _mark_accepted(invitation, registration)
    log_action(
        actor=actor,
        action="registration.submitted",
        obj=registration,
        conference=conference,
        data={"type": rtype.code, "total": str(price.total), "currency": currency},
    )
    registration = Registration.objects.select_related("order", "person", "conference", "type").get(
        pk=registration.pk
    )
    if registration.status == Registration.Status.PENDING:
        _mail_registration(registration, "received")
    _settle(registration, actor=actor)
    return registration


@transaction.atomic
def payment_confirm(
    *,
    order: Order,
    provider: str,
    amount: Decimal,
    currency: str,
    provider_reference: str = "",
    actor=None,
) -> Payment:
    """Record a confirmed payment for ``order``; confirms the registration when it is due.

    Idempotent per provider reference: a provider calling back twice pays once.
    """
    order = Order.objects.select_for_update().select_related("registration").get(pk=order.pk)
    if provider_reference:
        done = order.payments.filter(provider=provider, provider_reference=provider_reference)
        if done.exists():
            return done.get()
    if order.status != Order.Status.PENDING:
        raise ValidationError(_("This order is not awaiting payment."))
    if currency != order.currency or Decimal(amount) != order.total:
        raise ValidationError(
            {
                "amount": _("The payment (%(paid)s) does not match the order total (%(total)s).")
                % {"paid": f"{amount} {currency}", "total": f"{order.total} {order.currency}"}
            }
        )
    now = timezone.now()
    payment = Payment.objects.create(
        order=order,
        provider=provider,
        amount=amount,
        currency=currency,
        status=Payment.Status.CONFIRMED,
        provider_reference=provider_reference,
        confirmed_at=now,
    )
    order.status = Order.Status.PAID
    order.paid_at = now
    order.receipt_number = _next_receipt_number(order.conference_id)
    order.receipt_issued_at = now
    order.save(update_fields=["status", "paid_at", "receipt_number", "receipt_issued_at"])
    registration = Registration.objects.select_related("order", "person", "conference").get(
        pk=order.registration_id
    )
    log_action(
        actor=actor,
        action="order.paid",
        obj=registration,
        conference=registration.conference,
        data={
            "provider": provider,
            "amount": str(amount),
            "currency": currency,
            "receipt": registration.order.receipt_label,
        },
    )
    _settle(registration, actor=actor)
    return payment


def lock_receipt_numbers(conference_id: int) -> None:
    """Take the lock that every assignment of an edition's receipt numbers holds.

    The row is the edition's ``RegistrationPolicy`` (created if missing). Call inside a
    transaction; the numbers read after it cannot change until the transaction ends.
    """
    locked = RegistrationPolicy.objects.select_for_update().filter(conference_id=conference_id)
    if locked.first() is None:
        RegistrationPolicy.objects.get_or_create(conference_id=conference_id)
        locked.get()


def _next_receipt_number(conference_id: int) -> int:
    """The edition's next receipt number: one more than the highest, under the edition's lock.

    Called inside the transaction that marks the order paid, so a rollback returns the
    number (nothing else can have taken a later one meanwhile): no gaps, no duplicates.
    """
    lock_receipt_numbers(conference_id)
    highest = Order.objects.filter(conference_id=conference_id).aggregate(n=Max("receipt_number"))
    return (highest["n"] or 0) + 1


def order_mark_paid(*, order: Order, actor) -> Payment:
    """An organiser saw the bank transfer arrive."""
    return payment_confirm(
        order=order,
        provider="bank_transfer",
        amount=order.total,
        currency=order.currency,
        actor=actor,
    )


@transaction.atomic
def registration_approve(*, registration: Registration, actor) -> Registration:
    registration = _lock_registration(registration)
    if registration.approval != Registration.Approval.PENDING:
        raise ValidationError(_("This registration is not waiting for approval."))
    registration.approval = Registration.Approval.APPROVED
    registration.save(update_fields=["approval", "updated"])
    log_action(
        actor=actor,
        action="registration.approved",
        obj=registration,
        conference=registration.conference,
    )
    if not registration.order.is_settled:
        _mail_registration(registration, "approved")
    _settle(registration, actor=actor)
    return registration


@transaction.atomic
def registration_reject(*, registration: Registration, actor, reason: str) -> Registration:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the delegate a reason.")})
    registration = _lock_registration(registration)
    if registration.status not in Registration.ACTIVE:
        raise ValidationError(_("Only a pending or confirmed registration can be rejected."))
    registration.approval = Registration.Approval.REJECTED
    registration.status = Registration.Status.REJECTED
    registration.decision_reason = reason
    registration.cancelled_at = timezone.now()
    registration.save(
        update_fields=["approval", "status", "decision_reason", "cancelled_at", "updated"]
    )
    _close_order(registration, refund=registration.order.total, reason=_("Rejected"))
    _release_seats(registration, actor=actor)
    registration_withdrawn.send(registration=registration, actor=actor)
    log_action(
        actor=actor,
        action="registration.rejected",
        obj=registration,
        conference=registration.conference,
        data={"reason": reason},
    )
    _mail_registration(registration, "rejected", reason=reason)
    webhook_emit(
        conference=registration.conference,
        event=webhook_events.REGISTRATION_CANCELLED,
        payload=_registration_payload(registration),
    )
    return registration


#: The visa-refusal letter: at most this size, and a PDF, JPEG or PNG by its content.
MAX_PROOF_BYTES = 5 * 1024 * 1024
PROOF_SIGNATURES = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpeg", b"\x89PNG\r\n\x1a\n": "png"}


def refusal_proof_check(proof) -> None:
    """Refuse a visa-refusal letter that is too large or not a PDF, JPEG or PNG.

    Checked by its first bytes, never by its name (a renamed file is refused), and by its
    size before anything reads it. The rule for the delegate's form, the organisers' form
    and the API alike.
    """
    if proof.size is not None and proof.size > MAX_PROOF_BYTES:
        raise ValidationError({"proof": _("The file is larger than 5 MB.")})
    proof.seek(0)
    head = proof.read(8)
    proof.seek(0)
    if not any(head.startswith(signature) for signature in PROOF_SIGNATURES):
        raise ValidationError(
            {"proof": _("Upload the letter as a PDF, JPEG or PNG file (this file is not one).")}
        )


@transaction.atomic
def registration_cancel(
    *,
    registration: Registration,
    actor,
    visa_refused: bool = False,
    proof=None,
    at: dt.datetime | None = None,
) -> Registration:
    """The delegate (or an organiser for them) cancels; refund by the edition's policy.

    A full refund for a refused visa needs the refusal letter (``proof``).
    """
    at = at or timezone.now()
    if proof:
        refusal_proof_check(proof)
    registration = _lock_registration(registration)
    if registration.status not in Registration.ACTIVE:
        raise ValidationError(_("This registration is already cancelled."))
    if visa_refused and not proof:
        raise ValidationError(
            {"proof": _("Attach the letter refusing the visa to get a full refund.")}
        )
    refund, reason = refund_for(registration=registration, at=at, visa_refused=visa_refused)
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = at
    fields = ["status", "cancelled_at", "updated"]
    if proof:
        registration.visa_refusal_proof = proof
        fields.append("visa_refusal_proof")
    registration.save(update_fields=fields)
    _close_order(registration, refund=refund, reason=reason)
    _release_seats(registration, actor=actor)
    registration_withdrawn.send(registration=registration, actor=actor)
    log_action(
        actor=actor,
        action="registration.cancelled",
        obj=registration,
        conference=registration.conference,
        data={"refund": str(refund), "visa_refused": visa_refused},
    )
    _mail_registration(registration, "cancelled", refund=refund, refund_reason=reason)
    webhook_emit(
        conference=registration.conference,
        event=webhook_events.REGISTRATION_CANCELLED,
        payload=_registration_payload(registration),
    )
    return registration


def _lock_registration(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("order", "person", "conference", "type")
        .get(pk=registration.pk)
    )


def _close_order(registration: Registration, *, refund: Decimal, reason: str) -> None:
    order = registration.order
    if order.status == Order.Status.PAID and refund:
        order.status = Order.Status.REFUNDED
        order.refund_amount = refund
        order.refund_reason = reason
    else:
        order.status = Order.Status.CANCELLED
        order.refund_reason = reason
    order.save(update_fields=["status", "refund_amount", "refund_reason"])


def _release_seats(registration: Registration, *, actor) -> None:
    """A delegate leaves: their seats go to the waiting lists.

    What other apps hold for the registration (B2B meetings, visa requests) is let go by
    their receivers of ``hooks.registration_withdrawn``, sent right after this.
    """
    bookings = registration.bookings.filter(status__in=ACTIVE_BOOKING).order_by("session_id")
    for booking in bookings:
        seat_cancel(booking=booking, actor=actor)


# --- seat quotas -----------------------------------------------------------------------


def _lock_session(session: Session) -> Session:
    """The quota lock: every change to a session's bookings holds it (module docstring)."""
    return Session.objects.select_for_update().get(pk=session.pk)


@transaction.atomic
def seat_signup(*, registration: Registration, session: Session, actor=None) -> SeatBooking:
    """A seat if one is free, else a place at the end of the waiting list.

    Signing up twice returns the existing booking.
    """
    if registration.status != Registration.Status.CONFIRMED:
        raise ValidationError(_("Sign-ups are open to confirmed registrations only."))
    if session.conference_id != registration.conference_id or session.seats is None:
        raise ValidationError(_("This session does not take sign-ups."))
    session = _lock_session(session)
    existing = SeatBooking.objects.filter(
        session=session, registration=registration, status__in=ACTIVE_BOOKING
    ).first()
    if existing:
        return existing
    clash = (
        SeatBooking.objects.filter(
            registration=registration,
            status__in=ACTIVE_BOOKING,
            session__start__lt=session.end,
            session__end__gt=session.start,
        )
        .select_related("session")
        .first()
    )
    if clash:
        raise ValidationError(
            _("This overlaps with %(title)s, which you signed up for. Cancel that first.")
            % {"title": clash.session.title_i18n}
        )
    taken = session.bookings.filter(status=SeatBooking.Status.CONFIRMED).count()
    status = (
        SeatBooking.Status.CONFIRMED if taken < session.seats else SeatBooking.Status.WAITLISTED
    )
    booking = SeatBooking.objects.create(
        session=session, registration=registration, status=status, created=timezone.now()
    )
    log_action(
        actor=actor,
        action=f"seat.{status}",
        obj=booking,
        conference=registration.conference,
        data={"session": session.pk},
    )
    return booking


@transaction.atomic
def seat_cancel(*, booking: SeatBooking, actor=None) -> list[SeatBooking]:
    """Give up a seat or a waiting-list place; returns the bookings moved up into freed seats."""
    session = _lock_session(booking.session)
    booking = SeatBooking.objects.select_related("registration__conference").get(pk=booking.pk)
    if booking.status == SeatBooking.Status.CANCELLED:
        return []
    was_confirmed = booking.status == SeatBooking.Status.CONFIRMED
    booking.status = SeatBooking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    log_action(
        actor=actor,
        action="seat.cancelled",
        obj=booking,
        conference=booking.registration.conference,
        data={"session": session.pk},
    )
    return _fill_free_seats(session, actor=actor) if was_confirmed else []


@transaction.atomic
def quota_fill(*, session: Session, actor=None) -> list[SeatBooking]:
    """Move people up from the waiting list into free seats (after seats were added)."""
    return _fill_free_seats(_lock_session(session), actor=actor)


def _fill_free_seats(session: Session, *, actor) -> list[SeatBooking]:
    """With the session locked: give each free seat to the first on the waiting list."""
    if session.seats is None:
        free = None
    else:
        taken = session.bookings.filter(status=SeatBooking.Status.CONFIRMED).count()
        free = session.seats - taken
        if free <= 0:
            return []
    waiting = (
        session.bookings.filter(status=SeatBooking.Status.WAITLISTED)
        .select_related("registration__person", "registration__conference")
        .order_by("created", "id")
    )
    promoted = list(waiting if free is None else waiting[:free])
    for booking in promoted:
        _promote(booking, session=session, actor=actor)
    return promoted


def _promote(booking: SeatBooking, *, session: Session, actor) -> None:
    booking.status = SeatBooking.Status.CONFIRMED
    booking.promoted_at = timezone.now()
    booking.save(update_fields=["status", "promoted_at"])
    registration = booking.registration
    log_action(
        actor=actor,
        action="seat.promoted",
        obj=booking,
        conference=registration.conference,
        data={"session": session.pk},
    )
    _mail_registration(registration, "seat_promoted", session=session)


@transaction.atomic
def seat_promote(*, booking: SeatBooking, actor) -> SeatBooking:
    """An organiser gives a free seat to a chosen person on the waiting list (out of turn)."""
    session = _lock_session(booking.session)
    booking = SeatBooking.objects.select_related("registration__person").get(pk=booking.pk)
    if booking.status != SeatBooking.Status.WAITLISTED:
        raise ValidationError(_("Only someone on the waiting list can be moved up."))
    taken = session.bookings.filter(status=SeatBooking.Status.CONFIRMED).count()
    if session.seats is not None and taken >= session.seats:
        raise ValidationError(
            _("All %(seats)s seats are taken: add seats or remove someone first.")
            % {"seats": session.seats}
        )
    _promote(booking, session=session, actor=actor)
    return booking


def agenda_sessions(*, registration: Registration):
    """My agenda: the sessions I have a seat in, and those I speak at or chair."""
    from atrium.events.selectors import programme_sessions

    mine = Q(bookings__registration=registration, bookings__status=SeatBooking.Status.CONFIRMED)
    mine |= Q(roles__person=registration.person)
    return programme_sessions(registration.conference).filter(mine).distinct()


@transaction.atomic
def feed_token_reset(*, registration: Registration, actor=None) -> Registration:
    """A new private calendar link; the old one stops working at once."""
    registration.feed_token = new_feed_token()
    registration.save(update_fields=["feed_token", "updated"])
    log_action(
        actor=actor,
        action="registration.feed_token_reset",
        obj=registration,
        conference=registration.conference,
    )
    return registration


# --- delegations -----------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def delegation_create(
    *,
    conference: Conference,
    head: Person,
    name: str,
    basis: str,
    name_zh: str = "",
    city: str = "",
    country: str = "",
    organisation=None,
    member_kind: str = Delegation.MemberKind.MIXED,
    actor=None,
) -> Delegation:
    """A head of delegation (registered for the edition) starts a delegation."""
    registration = (
        Registration.objects.select_for_update()
        .filter(conference=conference, person=head, status__in=Registration.ACTIVE)
        .first()
    )
    if registration is None:
        raise ValidationError(_("Register for the conference first, then create your delegation."))
    if registration.delegation_id:
        raise ValidationError(_("You are already in a delegation for this edition."))
    delegation = Delegation(
        conference=conference,
        name=name.strip(),
        name_zh=name_zh.strip(),
        basis=basis,
        city=city.strip(),
        country=country,
        organisation=organisation,
        member_kind=member_kind,
        head=head,
    )
    if basis == Delegation.Basis.CITY and not delegation.city:
        raise ValidationError({"city": _("Name the city the delegation comes from.")})
    if basis == Delegation.Basis.COUNTRY and not delegation.country:
        raise ValidationError({"country": _("Choose the country the delegation comes from.")})
    if basis == Delegation.Basis.ORGANISATION and not organisation:
        raise ValidationError({"organisation": _("Choose the organisation.")})
    delegation.full_clean()
    delegation.save()
    registration.delegation = delegation
    registration.save(update_fields=["delegation", "updated"])
    log_action(actor=actor, action="delegation.created", obj=delegation, conference=conference)
    return delegation


@transaction.atomic
def delegation_invite(
    *,
    delegation: Delegation,
    email: str,
    name: str = "",
    rtype: RegistrationType | None = None,
    join_url: str,
    actor=None,
    language: str = "en",
) -> DelegationInvitation:
    """Invite a member by e-mail. ``join_url`` has a ``{token}`` placeholder for the link.

    The token is random and only its SHA-256 is stored, so a leaked database
    cannot be used to join, and a forged token matches nothing.
    """
    email = email.strip().lower()
    if rtype is not None and rtype.conference_id != delegation.conference_id:
        raise ValidationError({"type": _("This registration type belongs to another edition.")})
    if delegation.registrations.filter(
        person__email__iexact=email, status__in=Registration.ACTIVE
    ).exists():
        raise ValidationError({"email": _("Someone with this e-mail is already a member.")})
    if delegation.invitations.filter(
        email=email, status=DelegationInvitation.Status.PENDING
    ).exists():
        raise ValidationError({"email": _("This address has an open invitation already.")})
    token = secrets.token_urlsafe(32)
    invitation = DelegationInvitation.objects.create(
        delegation=delegation,
        email=email,
        name=name.strip(),
        type=rtype,
        token_hash=_token_hash(token),
    )
    log_action(
        actor=actor,
        action="delegation.invited",
        obj=delegation,
        conference=delegation.conference,
        data={"email": email},
    )
    send_email_on_commit(
        to=email,
        template="registration/email/delegation_invitation",
        context={
            "delegation": delegation,
            "conference": delegation.conference,
            "invitation": invitation,
            "url": join_url.format(token=token),
        },
        language=language,
    )
    invitation.token = token  # for the caller (tests, API); never stored
    return invitation


def invitation_for_token(token: str) -> DelegationInvitation | None:
    """The open invitation with this token, or None for a forged, used or withdrawn one."""
    if not token or len(token) > 100:
        return None
    return (
        DelegationInvitation.objects.select_related("delegation__conference", "type")
        .filter(token_hash=_token_hash(token), status=DelegationInvitation.Status.PENDING)
        .first()
    )


def _lock_open_invitation(invitation: DelegationInvitation) -> DelegationInvitation:
    invitation = DelegationInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != DelegationInvitation.Status.PENDING:
        raise ValidationError(_("This invitation has been used or withdrawn."))
    return invitation


def _mark_accepted(invitation: DelegationInvitation, registration: Registration) -> None:
    invitation.status = DelegationInvitation.Status.ACCEPTED
    invitation.registration = registration
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "registration", "accepted_at"])


@transaction.atomic
def invitation_accept(
    *, invitation: DelegationInvitation, registration: Registration, actor=None
) -> Registration:
    """Someone already registered joins the delegation that invited them."""
    invitation = _lock_open_invitation(invitation)
    registration = _lock_registration(registration)
    if registration.conference_id != invitation.delegation.conference_id:
        raise ValidationError(_("This invitation is for another edition."))
    if registration.status not in Registration.ACTIVE:
        raise ValidationError(_("Your registration is cancelled."))
    if registration.delegation_id:
        raise ValidationError(_("You are already in a delegation for this edition."))
    registration.delegation = invitation.delegation
    registration.save(update_fields=["delegation", "updated"])
    _mark_accepted(invitation, registration)
    log_action(
        actor=actor,
        action="delegation.joined",
        obj=invitation.delegation,
        conference=registration.conference,
        data={"registration": registration.pk},
    )
    return registration


@transaction.atomic
def invitation_revoke(*, invitation: DelegationInvitation, actor=None) -> DelegationInvitation:
    invitation = DelegationInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != DelegationInvitation.Status.PENDING:
        raise ValidationError(_("Only an open invitation can be withdrawn."))
    invitation.status = DelegationInvitation.Status.REVOKED
    invitation.save(update_fields=["status"])
    log_action(
        actor=actor,
        action="delegation.invitation_revoked",
        obj=invitation.delegation,
        conference=invitation.delegation.conference,
        data={"email": invitation.email},
    )
    return invitation
