"""The registration rules, called as the views and the API call them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from atrium.core.models import AuditEntry
from atrium.registration import delegations, seats, selectors, services
from atrium.registration.models import (
    Delegation,
    DelegationInvitation,
    Order,
    Question,
    Registration,
    SeatBooking,
    Voucher,
)
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    QuestionFactory,
    RegistrationFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
    SessionFactory,
    VoucherFactory,
    local,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    conference = ConferenceFactory()
    RegistrationPolicyFactory(conference=conference)
    return conference


class Committed:
    """The services, each call followed by its on-commit work (mail, webhooks), as in a request."""

    def __getattr__(self, name):
        module = next(m for m in (services, seats, delegations) if hasattr(m, name))
        function = getattr(module, name)

        def call(**kwargs):
            with TestCase.captureOnCommitCallbacks(execute=True):
                return function(**kwargs)

        return call


svc = Committed()


def submit(conference, rtype, person=None, **kwargs):
    return svc.registration_submit(
        conference=conference, person=person or PersonFactory(), rtype=rtype, **kwargs
    )


def test_paid_type_waits_for_payment_then_confirms(conference):
    rtype = RegistrationTypeFactory(conference=conference)
    registration = submit(conference, rtype, currency="CNY")
    assert registration.status == Registration.Status.PENDING
    order = registration.order
    assert order.reference.startswith("BJ25-") and len(order.reference) == 11
    assert (order.currency, order.total, order.status) == ("CNY", Decimal("5800.00"), "pending")
    assert "BJ25-" in mail.outbox[-1].subject

    svc.order_mark_paid(order=order, actor=None)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.order.status == Order.Status.PAID
    assert [e.action for e in AuditEntry.objects.order_by("id")] == [
        "registration.submitted",
        "order.paid",
        "registration.confirmed",
    ]
    assert "confirmed" in mail.outbox[-1].subject


def test_free_type_is_confirmed_at_once(conference):
    rtype = RegistrationTypeFactory(conference=conference, price_usd=0, price_cny=0)
    registration = submit(conference, rtype)
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.order.status == Order.Status.FREE


def test_early_bird_price_before_the_deadline(conference):
    policy = conference.registration_policy
    policy.early_bird_until = timezone.now() + timedelta(days=1)
    policy.save()
    rtype = RegistrationTypeFactory(conference=conference, early_price_usd=Decimal("600"))
    assert submit(conference, rtype).order.total == Decimal("600")
    policy.early_bird_until = timezone.now() - timedelta(days=1)
    policy.save()
    conference._registration_policy_cache = None
    assert submit(conference, rtype).order.total == Decimal("800")


def test_payment_must_match_the_total_and_counts_once(conference):
    registration = submit(conference, RegistrationTypeFactory(conference=conference))
    with pytest.raises(ValidationError) as error:
        svc.payment_confirm(
            order=registration.order, provider="test", amount=Decimal("1"), currency="USD"
        )
    assert "amount" in error.value.message_dict
    first = svc.payment_confirm(
        order=registration.order,
        provider="test",
        amount=Decimal("800"),
        currency="USD",
        provider_reference="tx-1",
    )
    again = svc.payment_confirm(
        order=registration.order,
        provider="test",
        amount=Decimal("800"),
        currency="USD",
        provider_reference="tx-1",
    )
    assert first.pk == again.pk
    assert registration.order.payments.count() == 1


def test_approval_is_needed_before_confirmation(conference):
    rtype = RegistrationTypeFactory(
        conference=conference, requires_approval=True, price_usd=0, price_cny=0
    )
    registration = submit(conference, rtype)
    assert (registration.status, registration.approval) == ("pending", "pending")
    svc.registration_approve(registration=registration, actor=None)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_reject_needs_a_reason_and_mails_it(conference):
    rtype = RegistrationTypeFactory(conference=conference, requires_approval=True)
    registration = submit(conference, rtype, language="zh-hans")
    with pytest.raises(ValidationError) as error:
        svc.registration_reject(registration=registration, actor=None, reason=" ")
    assert "reason" in error.value.message_dict
    svc.registration_reject(registration=registration, actor=None, reason="Press passes are full")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REJECTED
    assert registration.order.status == Order.Status.CANCELLED
    assert "Press passes are full" in mail.outbox[-1].body
    assert "理由" in mail.outbox[-1].body or "原因" in mail.outbox[-1].body


def test_second_submit_returns_the_first_registration(conference):
    person = PersonFactory()
    rtype = RegistrationTypeFactory(conference=conference)
    first = submit(conference, rtype, person=person)
    with pytest.raises(services.AlreadyRegistered) as exists:
        submit(conference, rtype, person=person)
    assert exists.value.registration.pk == first.pk
    assert Registration.objects.count() == 1
    assert Order.objects.count() == 1


def test_closed_period_refuses_and_writes_nothing(conference):
    policy = conference.registration_policy
    policy.closes_at = timezone.now() - timedelta(minutes=1)
    policy.save()
    with pytest.raises(ValidationError, match="closed"):
        submit(conference, RegistrationTypeFactory(conference=conference))
    assert Registration.objects.count() == 0


def test_full_type_refuses_with_the_type_named(conference):
    rtype = RegistrationTypeFactory(conference=conference, capacity=1, name="Student")
    submit(conference, rtype)
    with pytest.raises(ValidationError) as error:
        submit(conference, rtype)
    assert "Student" in error.value.message_dict["type"][0]
    assert Registration.objects.count() == 1


def test_members_only_type(conference):
    rtype = RegistrationTypeFactory(conference=conference, members_only=True)
    outsider = PersonFactory(organisation__member_since=None)
    with pytest.raises(ValidationError) as error:
        submit(conference, rtype, person=outsider)
    assert "type" in error.value.message_dict
    assert submit(conference, rtype, person=PersonFactory()).type == rtype


@pytest.mark.parametrize(
    ("kind", "fields", "total"),
    [
        (Voucher.Kind.PERCENT, {"percent": 25}, Decimal("600.00")),
        (Voucher.Kind.FIXED, {"amount_usd": Decimal("300")}, Decimal("500.00")),
        (Voucher.Kind.FREE, {}, Decimal("0")),
    ],
)
def test_vouchers(conference, kind, fields, total):
    rtype = RegistrationTypeFactory(conference=conference)
    VoucherFactory(conference=conference, code="ZGC2025", kind=kind, **fields)
    registration = submit(conference, rtype, voucher_code=" zgc2025 ")
    assert registration.order.total == total
    assert registration.order.list_price == Decimal("800")
    assert Voucher.objects.get().used == 1
    if total == 0:
        assert registration.status == Registration.Status.CONFIRMED


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"valid_until": datetime(2025, 8, 1, tzinfo=UTC)}, "expired"),
        ({"max_uses": 1, "used": 1}, "used up"),
        ({"code": "OTHER"}, "no voucher"),
    ],
)
def test_bad_vouchers_change_nothing(conference, setup, message):
    rtype = RegistrationTypeFactory(conference=conference)
    VoucherFactory(conference=conference, **{"code": "ZGC2025", **setup})
    with pytest.raises(ValidationError) as error:
        submit(conference, rtype, voucher_code="ZGC2025")
    assert message in error.value.message_dict["voucher"][0]
    assert Registration.objects.count() == 0
    assert Order.objects.count() == 0


def test_voucher_for_another_type(conference):
    rtype = RegistrationTypeFactory(conference=conference)
    voucher = VoucherFactory(conference=conference, code="PRESS")
    voucher.types.add(RegistrationTypeFactory(conference=conference, name="Press"))
    with pytest.raises(ValidationError, match="not valid"):
        submit(conference, rtype, voucher_code="press")


def test_answers_are_checked_per_kind(conference):
    rtype = RegistrationTypeFactory(conference=conference)
    diet = QuestionFactory(
        conference=conference,
        kind=Question.Kind.CHOICE,
        options="None|无\nVegetarian|素食\nHalal|清真",
        required=True,
    )
    arrival = QuestionFactory(conference=conference, kind=Question.Kind.DATE)
    other_type_only = QuestionFactory(conference=conference, required=True)
    other_type_only.types.add(RegistrationTypeFactory(conference=conference))
    with pytest.raises(ValidationError) as error:
        submit(conference, rtype, answers={diet.pk: "Pizza", arrival.pk: "16/09/2025"})
    assert set(error.value.message_dict) == {f"q_{diet.pk}", f"q_{arrival.pk}"}
    registration = submit(conference, rtype, answers={diet.pk: "Halal", arrival.pk: "2025-09-15"})
    assert {a.question_id: a.value for a in registration.answers.all()} == {
        diet.pk: "Halal",
        arrival.pk: "2025-09-15",
    }


def paid_registration(conference):
    registration = submit(conference, RegistrationTypeFactory(conference=conference))
    svc.order_mark_paid(order=registration.order, actor=None)
    registration.refresh_from_db()
    return registration


def test_refund_policy(conference):
    policy = conference.registration_policy
    now = timezone.now()
    policy.full_refund_until = now + timedelta(days=10)
    policy.half_refund_until = now + timedelta(days=20)
    policy.save()
    full = svc.registration_cancel(registration=paid_registration(conference), actor=None)
    assert (full.order.status, full.order.refund_amount) == ("refunded", Decimal("800"))
    half = svc.registration_cancel(
        registration=paid_registration(conference), actor=None, at=now + timedelta(days=15)
    )
    assert half.order.refund_amount == Decimal("400")
    late = svc.registration_cancel(
        registration=paid_registration(conference), actor=None, at=now + timedelta(days=30)
    )
    assert (late.order.status, late.order.refund_amount) == ("cancelled", Decimal("0"))


def test_visa_refusal_refunds_in_full_with_proof(conference):
    registration = paid_registration(conference)
    with pytest.raises(ValidationError) as error:
        svc.registration_cancel(registration=registration, actor=None, visa_refused=True)
    assert "proof" in error.value.message_dict
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    proof = SimpleUploadedFile("refusal.pdf", b"%PDF-1.4 refusal", "application/pdf")
    cancelled = svc.registration_cancel(
        registration=registration, actor=None, visa_refused=True, proof=proof
    )
    assert cancelled.order.refund_amount == Decimal("800")
    assert cancelled.visa_refusal_proof.name.endswith(".pdf")


# --- seats -----------------------------------------------------------------------------


@pytest.fixture
def visit(conference):
    return SessionFactory(conference=conference, kind="technical_visit", seats=2, room=None)


def confirmed(conference, **kwargs):
    return RegistrationFactory(conference=conference, **kwargs)


def test_seats_then_waiting_list_then_promotion(conference, visit):
    people = [confirmed(conference) for _i in range(4)]
    bookings = [svc.seat_signup(registration=r, session=visit) for r in people]
    assert [b.status for b in bookings] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [selectors.waitlist_position(b) for b in bookings] == [None, None, 1, 2]
    # Signing up again is harmless.
    assert svc.seat_signup(registration=people[0], session=visit).pk == bookings[0].pk

    mail.outbox.clear()
    promoted = svc.seat_cancel(booking=bookings[1])
    assert [b.pk for b in promoted] == [bookings[2].pk]
    bookings[3].refresh_from_db()
    assert selectors.waitlist_position(bookings[3]) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [people[2].person.email]
    # Cancelling a waiting-list place frees no seat.
    assert svc.seat_cancel(booking=bookings[3]) == []
    assert visit.bookings.filter(status="confirmed").count() == 2


def test_overlapping_sign_up_refused(conference, visit):
    dinner = SessionFactory(
        conference=conference,
        seats=10,
        start=visit.start + timedelta(minutes=30),
        end=visit.end + timedelta(hours=1),
        title="Gala dinner",
    )
    registration = confirmed(conference)
    svc.seat_signup(registration=registration, session=visit)
    with pytest.raises(ValidationError, match="overlaps"):
        svc.seat_signup(registration=registration, session=dinner)
    assert not dinner.bookings.exists()


def test_only_confirmed_registrations_sign_up(conference, visit):
    pending = confirmed(conference, status=Registration.Status.PENDING)
    with pytest.raises(ValidationError, match="confirmed"):
        svc.seat_signup(registration=pending, session=visit)
    open_session = SessionFactory(conference=conference, seats=None)
    with pytest.raises(ValidationError, match="does not take"):
        svc.seat_signup(registration=confirmed(conference), session=open_session)


def test_organiser_moves_someone_up_out_of_turn(conference, visit):
    bookings = [svc.seat_signup(registration=confirmed(conference), session=visit) for _ in "abcd"]
    with pytest.raises(ValidationError, match="seats are taken"):
        svc.seat_promote(booking=bookings[3], actor=None)
    visit.seats = 3
    visit.save()
    svc.seat_promote(booking=bookings[3], actor=None)
    bookings[2].refresh_from_db()
    assert bookings[2].status == SeatBooking.Status.WAITLISTED
    assert selectors.waitlist_position(bookings[2]) == 1


def test_more_seats_fill_from_the_waiting_list(conference, visit):
    bookings = [svc.seat_signup(registration=confirmed(conference), session=visit) for _ in "abcd"]
    visit.seats = 4
    visit.save()
    assert len(svc.quota_fill(session=visit)) == 2
    assert {b.status for b in SeatBooking.objects.filter(pk__in=[b.pk for b in bookings])} == {
        "confirmed"
    }


def test_cancelling_a_registration_frees_its_seats(conference, visit):
    first = paid_registration(conference)
    svc.seat_signup(registration=first, session=visit)
    svc.seat_signup(registration=confirmed(conference), session=visit)
    waiting = svc.seat_signup(registration=confirmed(conference), session=visit)
    svc.registration_cancel(registration=first, actor=None)
    waiting.refresh_from_db()
    assert waiting.status == SeatBooking.Status.CONFIRMED


# --- delegations -----------------------------------------------------------------------


def test_delegation_invitation_round_trip(conference):
    rtype = RegistrationTypeFactory(conference=conference, price_usd=0, price_cny=0)
    head = PersonFactory(name="Ma Jun", name_zh="马骏")
    submit(conference, rtype, person=head)
    delegation = svc.delegation_create(
        conference=conference,
        head=head,
        name="Beijing Municipal Government",
        basis="city",
        city="Beijing",
        member_kind="government",
    )
    invitation = svc.delegation_invite(
        delegation=delegation,
        email="Member@Example.org",
        rtype=rtype,
        join_url="https://atrium.test/join/{token}/",
        language="zh-hans",
    )
    assert invitation.token not in invitation.token_hash
    message = mail.outbox[-1]
    assert message.to == ["member@example.org"]
    assert f"https://atrium.test/join/{invitation.token}/" in message.body
    assert "马骏" in message.body

    assert delegations.invitation_for_token("forged-token") is None
    found = delegations.invitation_for_token(invitation.token)
    assert found.pk == invitation.pk
    member = submit(conference, rtype, invitation=found)
    assert member.delegation == delegation
    found.refresh_from_db()
    assert found.status == DelegationInvitation.Status.ACCEPTED
    assert delegations.invitation_for_token(invitation.token) is None
    with pytest.raises(ValidationError, match="used or withdrawn"):
        submit(conference, rtype, invitation=found)


def test_a_withdrawn_delegation_invitation_opens_nothing_and_is_withdrawn_once(conference):
    rtype = RegistrationTypeFactory(conference=conference, price_usd=0, price_cny=0)
    head = PersonFactory()
    submit(conference, rtype, person=head)
    delegation = svc.delegation_create(
        conference=conference, head=head, name="Nairobi", basis="city", city="Nairobi"
    )
    invitation = svc.delegation_invite(
        delegation=delegation,
        email="someone@example.org",
        rtype=rtype,
        join_url="https://atrium.test/join/{token}/",
        language="en",
    )
    delegations.invitation_revoke(invitation=invitation, actor=None)
    invitation.refresh_from_db()
    assert invitation.status == DelegationInvitation.Status.REVOKED
    assert delegations.invitation_for_token(invitation.token) is None
    assert AuditEntry.objects.filter(
        action="delegation.invitation_revoked", data__email="someone@example.org"
    ).exists()
    with pytest.raises(ValidationError, match="Only an open invitation"):
        delegations.invitation_revoke(invitation=invitation, actor=None)


def test_delegation_needs_a_registered_head_and_a_city(conference):
    head = PersonFactory()
    with pytest.raises(ValidationError, match="Register"):
        svc.delegation_create(conference=conference, head=head, name="X", basis="city")
    RegistrationFactory(conference=conference, person=head)
    with pytest.raises(ValidationError) as error:
        svc.delegation_create(conference=conference, head=head, name="X", basis="city")
    assert "city" in error.value.message_dict


def test_signup_times_are_local(conference):
    # The factories' local() helper puts sessions on the edition's clock.
    assert local(conference, 0, 9).utcoffset() == timedelta(hours=8)


def test_cancelling_calls_off_b2b_requests(conference):
    from atrium.matchmaking.models import MeetingRequest
    from tests.matchmaking.factories_web import MeetingRequestFactory, ProfileFactory

    leaving = paid_registration(conference)
    ProfileFactory(registration=leaving)
    request = MeetingRequestFactory(requester=leaving)
    svc.registration_cancel(registration=leaving, actor=None)
    request.refresh_from_db()
    assert request.status == MeetingRequest.Status.CANCELLED


def _delegation(conference, rtype, *, confirmed=True):
    head = PersonFactory(name="Ma Jun", name_zh="马骏")
    registration = submit(conference, rtype, person=head)
    if not confirmed:
        Registration.objects.filter(pk=registration.pk).update(status="pending")
    return svc.delegation_create(
        conference=conference,
        head=head,
        name="Beijing Municipal Government",
        basis="city",
        city="Beijing",
        member_kind="government",
    )


def _invite(delegation, n):
    return svc.delegation_invite(
        delegation=delegation,
        email=f"member{n}@example.org",
        join_url="https://atrium.test/join/{token}/",
    )


def test_a_pending_head_cannot_invite(conference):
    rtype = RegistrationTypeFactory(conference=conference, price_usd=0, price_cny=0)
    delegation = _delegation(conference, rtype, confirmed=False)
    with pytest.raises(ValidationError, match="once your own registration is confirmed"):
        _invite(delegation, 1)
    assert delegation.invitations.count() == 0
    assert not [m for m in mail.outbox if "member1@example.org" in m.to]


def test_invitations_are_limited_per_head_per_day_and_per_delegation(conference, settings):
    rtype = RegistrationTypeFactory(conference=conference, price_usd=0, price_cny=0)
    delegation = _delegation(conference, rtype)
    settings.ATRIUM_DELEGATION_INVITES_PER_DAY = 3
    settings.ATRIUM_DELEGATION_INVITES_MAX = 100
    for n in range(3):
        _invite(delegation, n)
    with pytest.raises(ValidationError, match="in 24 hours"):
        _invite(delegation, 3)
    DelegationInvitation.objects.update(created=timezone.now() - timedelta(days=2))
    _invite(delegation, 4)  # a day later the head may send more
    settings.ATRIUM_DELEGATION_INVITES_MAX = 4
    with pytest.raises(ValidationError, match="the most allowed"):
        _invite(delegation, 5)
    assert delegation.invitations.count() == 4


def test_organisers_stop_a_delegation_from_inviting(conference, admin_client):
    rtype = RegistrationTypeFactory(conference=conference, price_usd=0, price_cny=0)
    delegation = _delegation(conference, rtype)
    _invite(delegation, 1)
    Delegation.objects.filter(pk=delegation.pk).update(invitations_stopped=True)
    delegation.refresh_from_db()
    with pytest.raises(ValidationError, match="stopped invitations"):
        _invite(delegation, 2)
    changelist = admin_client.get("/admin/registration/delegation/").content.decode()
    assert "invitations sent" in changelist.lower()
