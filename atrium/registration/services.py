"""Registration rules: every state change of a registration and its order.

Views, the API and the CLI call these functions; each is one transaction, writes
the audit trail, and queues e-mails and webhooks only after it commits. Seats and
waiting lists are in ``seats``, delegations in ``delegations``; how limits are held
under concurrency is written down in ``locking``.
"""

from __future__ import annotations

import datetime as dt
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
from atrium.core.money import money
from atrium.events.models import Conference
from atrium.network.models import Person
from atrium.network.services import organisation_add_by_delegate
from atrium.network.slugs import unique_person_slug
from atrium.registration.delegations import _lock_open_invitation, _mark_accepted
from atrium.registration.hooks import registration_withdrawn
from atrium.registration.locking import lock_registration
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
from atrium.registration.notices import mail_registration
from atrium.registration.phones import phone_e164
from atrium.registration.seats import seat_cancel
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
        policy.conference = conference  # is_open() reads it: no second query for the row
        conference._registration_policy_cache = policy
    return policy


def questions_for(
    conference: Conference,
    rtype: RegistrationType | None,
    questions: list[Question] | None = None,
) -> list[Question]:
    """The edition's questions that apply to ``rtype`` (a question with no types applies to all).

    ``questions``: the edition's questions with their types prefetched, when the caller has
    read them already (the registration form has); read here otherwise.
    """
    if questions is None:
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


# --- answers ---------------------------------------------------------------------------


#: Free-text answers to the edition's questions are kept to this many characters.
MAX_ANSWER = 1000
#: Date answers (arrival, departure…) fall within this window around the edition.
DAYS_BEFORE, DAYS_AFTER = 60, 30


def answer_date_window(conference: Conference) -> tuple[dt.date, dt.date]:
    """The first and last date a date answer may take: 60 days before the edition's first
    day to 30 days after its last."""
    return (
        conference.start_date - dt.timedelta(days=DAYS_BEFORE),
        conference.end_date + dt.timedelta(days=DAYS_AFTER),
    )


def date_window_message(question: Question, first: dt.date, last: dt.date) -> str:
    return _(
        "%(field)s: enter a date between %(first)s and %(last)s (around the edition's dates)."
    ) % {"field": question.label_i18n, "first": first.isoformat(), "last": last.isoformat()}


def answers_clean(
    *,
    conference: Conference,
    rtype: RegistrationType,
    raw: Mapping[int, str],
    questions: list[Question] | None = None,
) -> dict[Question, str]:
    """Check the answers to the custom questions; errors are keyed ``q_<id>`` like the form.

    ``questions``: as for ``questions_for``."""
    errors: dict[str, str] = {}
    cleaned: dict[Question, str] = {}
    for question in questions_for(conference, rtype, questions):
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
                day = dt.date.fromisoformat(value)
            except ValueError:
                errors[key] = _("%(field)s: enter a date as YYYY-MM-DD.") % {
                    "field": question.label_i18n
                }
                continue
            first, last = answer_date_window(conference)
            if not first <= day <= last:
                errors[key] = date_window_message(question, first, last)
                continue
            value = day.isoformat()
        elif len(value) > MAX_ANSWER:
            errors[key] = _("%(field)s: keep it to %(max)s characters (this is %(length)s).") % {
                "field": question.label_i18n,
                "max": MAX_ANSWER,
                "length": len(value),
            }
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
    if profile.get("phone"):
        country = profile.get("country", person.country)
        profile = {**profile, "phone": phone_e164(profile["phone"], country=str(country or ""))}
    changed = [f for f in PROFILE_FIELDS if f in profile and _differs(person, f, profile[f])]
    for field in changed:
        setattr(person, field, profile[field])
    if changed:
        # What changed is checked; the rest is as it was saved (and its organisation is
        # not looked up again).
        person.full_clean(exclude=[f.name for f in Person._meta.fields if f.name not in changed])
        person.save(update_fields=[*changed, "updated"])


def _differs(person: Person, field: str, value) -> bool:
    if field == "organisation":  # by id: the person's organisation is not loaded for it
        return person.organisation_id != (value.pk if value is not None else None)
    return getattr(person, field) != value


def _with_new_organisation(profile: Mapping, *, actor) -> Mapping:
    """The profile with ``organisation`` set from ``organisation_name`` when none was picked.

    The delegate's organisation is not listed: it is added (non-member, kind other, flagged
    for the organisers) in the registration's transaction, so a refused registration leaves
    no organisation behind.
    """
    name = (profile.get("organisation_name") or "").strip()
    if profile.get("organisation") or not name:
        return profile
    organisation = organisation_add_by_delegate(
        name=name, country=str(profile.get("country") or ""), actor=actor
    )
    return {**profile, "organisation": organisation}


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
    mail_registration(registration, "confirmed")
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
    questions: list[Question] | None = None,
) -> Registration:
    """Register ``person`` for ``conference`` with type ``rtype``; returns the new registration.

    Raises ``AlreadyRegistered`` if the person has one (a second click, a second tab),
    and ``ValidationError`` keyed by form field for every other refusal; nothing is
    written then. ``profile`` updates the person's own details (name, position,
    organisation, country, phone) in the same transaction. ``by_organiser`` lets an
    organiser register someone outside the registration period and with a type that
    is not on sale; limits still hold. Without ``person``, the person behind ``user`` (made
    from the account if it has none yet, in this transaction: a refused registration leaves
    no new person behind). ``questions``: the edition's questions, when the caller has them
    (see ``questions_for``).

    Everything that does not need the type's row lock is done before it is taken (checks,
    answers, the person's details, the order's reference); under it, the count and the
    inserts only; the e-mail is rendered and queued after the commit.
    """
    if person is None:
        person = person_for_user(user)
    existing = Registration.objects.filter(conference=conference, person=person).first()
    if existing:
        raise AlreadyRegistered(existing)
    policy = policy_for(conference)
    if conference.has_ended():
        raise ValidationError(
            _("%(edition)s has ended: registration is closed.") % {"edition": conference.name_i18n}
        )
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
        profile = _with_new_organisation(profile, actor=actor)
        _person_update(person, profile)
    # Every problem with the input is reported at once, each next to its field.
    errors: dict[str, list] = {}
    try:
        cleaned_answers = answers_clean(
            conference=conference, rtype=rtype, raw=answers or {}, questions=questions
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if invitation is not None:
        invitation = _lock_open_invitation(invitation)
        delegation = invitation.delegation
    if delegation is not None and delegation.conference_id != conference.pk:
        raise ValidationError({"delegation": _("This delegation belongs to another edition.")})
    reference = _new_reference(conference) if not errors else ""

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
        reference=reference,
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
    # ``registration`` holds its person, edition, type and (since its creation) its order.
    if registration.status == Registration.Status.PENDING:
        mail_registration(registration, "received")
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

    Idempotent per provider reference: a provider calling back twice pays once. An online
    provider must bring exactly the total (in the order's currency).
    """
    order = Order.objects.select_for_update().select_related("registration").get(pk=order.pk)
    if provider_reference:
        done = order.payments.filter(provider=provider, provider_reference=provider_reference)
        if done.exists():
            return done.get()
    if order.status != Order.Status.PENDING:
        raise ValidationError(_("This order is not awaiting payment."))
    amount = _amount_received(amount)
    if currency != order.currency or amount != order.total:
        raise ValidationError(
            {
                "amount": _("The payment (%(paid)s) does not match the order total (%(total)s).")
                % {"paid": money(amount, currency), "total": money(order.total, order.currency)}
            }
        )
    return _payment_record(
        order=order,
        actor=actor,
        payment=Payment(
            order=order,
            provider=provider,
            amount=amount,
            currency=currency,
            provider_reference=provider_reference,
        ),
    )


def _amount_received(amount) -> Decimal:
    """``amount`` as a Decimal of cents, above 0; a ValidationError on ``amount`` otherwise."""
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (ArithmeticError, ValueError, TypeError):
        raise ValidationError({"amount": _("Enter the amount received as a number.")}) from None
    if not value.is_finite() or value <= 0:
        raise ValidationError({"amount": _("The amount received must be more than 0.")})
    if value >= Decimal("100000000"):
        raise ValidationError({"amount": _("The amount received is too large.")})
    return value


def _payment_record(*, order: Order, actor, payment: Payment) -> Payment:
    """Save a confirmed ``payment`` of the locked ``order``: paid, numbered receipt, settled."""
    now = timezone.now()
    payment.status = Payment.Status.CONFIRMED
    payment.confirmed_at = now
    payment.full_clean(exclude=["order", "recorded_by"])
    payment.save()
    order.status = Order.Status.PAID
    order.paid_at = now
    order.received_amount = payment.amount
    order.received_currency = payment.currency
    order.receipt_number = _next_receipt_number(order.conference_id)
    order.receipt_issued_at = now
    order.save(
        update_fields=[
            "status",
            "paid_at",
            "received_amount",
            "received_currency",
            "receipt_number",
            "receipt_issued_at",
        ]
    )
    registration = Registration.objects.select_related("order", "person", "conference").get(
        pk=order.registration_id
    )
    data = {
        "provider": payment.provider,
        "amount": str(payment.amount),
        "currency": payment.currency,
        "receipt": registration.order.receipt_label,
    }
    if payment.received_on:
        data["received_on"] = payment.received_on.isoformat()
    if payment.bank_reference:
        data["bank_reference"] = payment.bank_reference
    if order.payment_flag:
        data["flag"] = order.payment_flag
        data["total"] = str(order.total)
    log_action(
        actor=actor,
        action="order.paid",
        obj=registration,
        conference=registration.conference,
        data=data,
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


@transaction.atomic
def order_mark_paid(
    *,
    order: Order,
    actor,
    amount: Decimal | None = None,
    currency: str | None = None,
    received_on: dt.date | None = None,
    reference: str = "",
) -> Payment:
    """An organiser saw a bank transfer arrive, and records what arrived.

    ``amount`` and ``currency`` are what the bank statement shows (the order's total and
    currency when not given), ``received_on`` the day it arrived (today when not given),
    ``reference`` the bank's reference. An amount other than the total, or another
    currency, is accepted and flagged on the order (``Order.payment_flag``): under- or
    over-payment is for the organiser to settle with the delegate.
    """
    order = Order.objects.select_for_update().select_related("registration").get(pk=order.pk)
    if order.status != Order.Status.PENDING:
        raise ValidationError(_("This order is not awaiting payment."))
    errors: dict[str, str] = {}
    try:
        amount = order.total if amount is None else _amount_received(amount)
    except ValidationError as error:
        errors.update(error.message_dict)
    currency = currency or order.currency
    if currency not in Currency.values:
        errors["currency"] = _("Choose USD or CNY.")
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        errors["received_on"] = _("The day received cannot be in the future.")
    elif received_on < timezone.localtime(order.created).date() - dt.timedelta(days=1):
        errors["received_on"] = _("The day received cannot be before the order was made.")
    reference = (reference or "").strip()
    if len(reference) > 100:
        errors["reference"] = _("The bank reference has at most 100 characters.")
    if errors:
        raise ValidationError(errors)
    if amount == 0:
        raise ValidationError(_("This order costs nothing: there is no payment to record."))
    return _payment_record(
        order=order,
        actor=actor,
        payment=Payment(
            order=order,
            provider="bank_transfer",
            amount=amount,
            currency=currency,
            received_on=received_on,
            bank_reference=reference,
            recorded_by=actor if actor is not None and actor.is_authenticated else None,
        ),
    )


@transaction.atomic
def registration_approve(*, registration: Registration, actor) -> Registration:
    registration = lock_registration(registration)
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
        mail_registration(registration, "approved")
    _settle(registration, actor=actor)
    return registration


@transaction.atomic
def registration_reject(*, registration: Registration, actor, reason: str) -> Registration:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the delegate a reason.")})
    registration = lock_registration(registration)
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
    mail_registration(registration, "rejected", reason=reason)
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
    registration = lock_registration(registration)
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
    mail_registration(registration, "cancelled", refund=refund, refund_reason=reason)
    webhook_emit(
        conference=registration.conference,
        event=webhook_events.REGISTRATION_CANCELLED,
        payload=_registration_payload(registration),
    )
    return registration


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


def agenda_sessions(*, registration: Registration):
    """My agenda: the sessions I have a seat in, those I speak at or chair, and those I
    starred on the programme."""
    from atrium.events.selectors import programme_sessions, starred_session_ids

    mine = Q(bookings__registration=registration, bookings__status=SeatBooking.Status.CONFIRMED)
    mine |= Q(roles__person=registration.person)
    mine |= Q(pk__in=starred_session_ids(registration.person, registration.conference))
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
