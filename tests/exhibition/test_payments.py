"""Paying for a booth online through registration's providers, and its numbered receipt."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from atrium.core.audit import AuditEntry
from atrium.exhibition import payments, services
from atrium.exhibition.models import BoothBooking, BoothPayment, StaffPass
from atrium.registration.models import Order
from tests.exhibition.factories import BoothFactory, ExhibitorFactory, HallFactory, staff_member
from tests.factories import ConferenceFactory, LetterheadFactory, UserFactory
from tests.registration.factories_organiser import ConferenceRoleFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("_online_payments"),
]


@pytest.fixture
def _online_payments(settings):
    settings.ATRIUM_PAYMENT_PROVIDERS = ["bank_transfer", "test"]


@pytest.fixture
def conference():
    return ConferenceFactory(slug="beijing-2025")


@pytest.fixture
def hall(conference):
    return HallFactory(conference=conference, code="A", name="Hall A", name_zh="A馆")


@pytest.fixture
def exhibitor(conference):
    return ExhibitorFactory(conference=conference)


def _hold(hall, exhibitor, **kwargs):
    return services.booth_hold(booth=BoothFactory(hall=hall), exhibitor=exhibitor, **kwargs)


# --- the service --------------------------------------------------------------------------


def test_online_payment_books_the_held_booth_with_numbered_receipts(conference, hall):
    LetterheadFactory(conference=conference, receipt_prefix="BJ25-R")
    first = _hold(hall, ExhibitorFactory(conference=conference), currency="CNY")
    second = _hold(hall, ExhibitorFactory(conference=conference))
    paid = payments.booking_pay_online(
        booking=first, provider_code="test", provider_reference="test-1"
    )
    payments.booking_pay_online(booking=second, provider_code="test", provider_reference="test-2")
    first.refresh_from_db()
    assert first.status == BoothBooking.Status.BOOKED
    assert first.held_until is None
    assert (paid.amount, paid.currency, paid.provider) == (first.amount, "CNY", "test")
    assert paid.conference == conference
    numbers = list(BoothPayment.objects.order_by("receipt_number").values_list("receipt_number"))
    assert numbers == [(1,), (2,)]
    assert paid.receipt_label == "BJ25-R-B-0001"
    assert AuditEntry.objects.filter(action="exhibition.booth.booked").count() == 2


def test_booth_receipts_are_their_own_series_per_edition(conference, hall):
    """Registration orders keep their numbers; another edition starts again at 1."""
    _hold(hall, ExhibitorFactory(conference=conference))
    other = ConferenceFactory()
    other_booking = _hold(HallFactory(conference=other), ExhibitorFactory(conference=other))
    payment = payments.booking_pay_online(
        booking=other_booking, provider_code="test", provider_reference="t-9"
    )
    assert payment.receipt_number == 1
    assert not Order.objects.filter(receipt_number__isnull=False).exists()


def test_an_organisers_bank_transfer_also_gets_a_receipt(hall, exhibitor):
    booking = services.booking_pay(booking=_hold(hall, exhibitor), reference="TT-7")
    payment = booking.payments.get()
    assert (payment.provider, payment.reference, payment.receipt_number) == (
        "bank_transfer",
        "TT-7",
        1,
    )


def test_a_free_booth_is_booked_without_a_receipt(hall, exhibitor):
    booking = services.booth_hold(
        booth=BoothFactory(hall=hall, price_usd=0, price_cny=0), exhibitor=exhibitor
    )
    payment = payments.booking_pay_online(
        booking=booking, provider_code="test", provider_reference="t-0"
    )
    assert payment.receipt_number is None
    assert payments.receipt_payment(booking) is None


def test_an_expired_hold_cannot_be_paid_and_nothing_changes(hall, exhibitor):
    start = timezone.now()
    booking = _hold(hall, exhibitor, now=start)
    late = start + dt.timedelta(minutes=15, seconds=1)
    with pytest.raises(ValidationError) as error:
        payments.booking_pay_online(
            booking=booking, provider_code="test", provider_reference="t-1", now=late
        )
    assert "ran out at" in error.value.messages[0]
    booking.refresh_from_db()
    assert booking.status == BoothBooking.Status.HELD
    assert not BoothPayment.objects.exists()
    # Just in time still pays.
    payments.booking_pay_online(
        booking=booking,
        provider_code="test",
        provider_reference="t-2",
        now=start + dt.timedelta(minutes=14, seconds=59),
    )
    booking.refresh_from_db()
    assert booking.status == BoothBooking.Status.BOOKED


def test_a_released_hold_cannot_be_paid(hall, exhibitor):
    booking = services.booking_release(booking=_hold(hall, exhibitor))
    with pytest.raises(ValidationError):
        payments.booking_pay_online(booking=booking, provider_code="test", provider_reference="x")
    assert not BoothPayment.objects.exists()


def test_a_provider_calling_back_twice_pays_once(hall, exhibitor):
    booking = _hold(hall, exhibitor)
    one = payments.booking_pay_online(booking=booking, provider_code="test", provider_reference="r")
    two = payments.booking_pay_online(booking=booking, provider_code="test", provider_reference="r")
    assert one.pk == two.pk
    assert BoothPayment.objects.count() == 1
    with pytest.raises(ValidationError, match="paid already"):
        payments.booking_pay_online(booking=booking, provider_code="test", provider_reference="s")


def test_only_an_enabled_online_provider_pays(hall, exhibitor, settings):
    booking = _hold(hall, exhibitor)
    with pytest.raises(ValidationError) as error:
        payments.booking_pay_online(
            booking=booking, provider_code="bank_transfer", provider_reference="b"
        )
    assert "provider" in error.value.message_dict
    settings.ATRIUM_PAYMENT_PROVIDERS = ["bank_transfer"]
    with pytest.raises(ValidationError):
        payments.booking_pay_online(booking=booking, provider_code="test", provider_reference="t")
    assert not BoothPayment.objects.exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_receipt_pdf_in_both_languages(conference, hall, exhibitor, language):
    LetterheadFactory(conference=conference)
    booking = _hold(hall, exhibitor)
    payments.booking_pay_online(booking=booking, provider_code="test", provider_reference="p")
    data = payments.receipt_pdf(booking=booking, language=language)
    assert data.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="exhibition.receipt.downloaded").exists()


def test_no_receipt_before_payment(hall, exhibitor):
    with pytest.raises(ValidationError):
        payments.receipt_pdf(booking=_hold(hall, exhibitor))


# --- the pages ----------------------------------------------------------------------------


def _url(name, booking, *extra):
    exhibitor = booking.exhibitor
    return reverse(
        f"exhibition:{name}", args=[exhibitor.conference.slug, exhibitor.pk, booking.pk, *extra]
    )


def test_hold_pay_and_download_the_receipt_through_the_pages(client, hall, exhibitor):
    booth = BoothFactory(hall=hall, code="A05")
    client.force_login(exhibitor.contact)
    response = client.post(
        reverse("exhibition:hold", args=[hall.conference.slug, exhibitor.pk]),
        {"booth": booth.pk, "currency": "USD"},
    )
    booking = BoothBooking.objects.get(booth=booth)
    assert response.status_code == 302
    assert response["Location"] == _url("pay", booking)

    page = client.get(_url("pay", booking))
    assert page.status_code == 200
    text = page.content.decode()
    assert _url("pay-online", booking, "test") in text
    assert booking.reference in text  # the bank transfer's reference

    response = client.post(_url("pay-online", booking, "test"), follow=True)
    booking.refresh_from_db()
    assert booking.status == BoothBooking.Status.BOOKED
    assert _url("receipt", booking) in response.content.decode()

    receipt = client.get(_url("receipt", booking))
    assert receipt.status_code == 200
    assert receipt["Content-Type"] == "application/pdf"
    assert "R-B-0001" in receipt["Content-Disposition"]


def test_the_pay_page_of_an_expired_hold_offers_no_button(client, clock, hall, exhibitor):
    booking = _hold(hall, exhibitor)
    clock.move_to(timezone.now() + dt.timedelta(minutes=16))
    client.force_login(exhibitor.contact)
    with translation.override("en"):
        page = client.get(_url("pay", booking))
    assert page.status_code == 200
    assert _url("pay-online", booking, "test") not in page.content.decode()
    assert "ran out" in page.content.decode()
    response = client.post(_url("pay-online", booking, "test"))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status != BoothBooking.Status.BOOKED
    assert client.get(_url("receipt", booking)).status_code == 404


def test_a_provider_that_is_not_online_is_not_found(client, hall, exhibitor):
    booking = _hold(hall, exhibitor)
    client.force_login(exhibitor.contact)
    assert client.post(_url("pay-online", booking, "bank_transfer")).status_code == 404
    assert client.post(_url("pay-online", booking, "nope")).status_code == 404


def test_who_may_pay_and_see_the_receipt(client, conference, hall, exhibitor):
    booking = _hold(hall, exhibitor)
    payments.booking_pay_online(booking=booking, provider_code="test", provider_reference="p")
    expected = {
        None: "login",
        UserFactory(): 404,
        ExhibitorFactory(conference=conference).contact: 404,
        staff_member(exhibitor, StaffPass.Role.LEADS): 403,
        ConferenceRoleFactory(conference=conference).user: 200,
        ConferenceRoleFactory(conference=ConferenceFactory()).user: 404,
        exhibitor.contact: 200,
    }
    for user, status in expected.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for name in ("pay", "receipt"):
            response = client.get(_url(name, booking))
            if status == "login":
                assert "/accounts/login/" in response["Location"]
            else:
                assert response.status_code == status, (user, name)


def test_a_booking_booked_without_a_receipt_says_so_calmly(client, hall, exhibitor):
    booking = services.booth_hold(
        booth=BoothFactory(hall=hall, price_usd=0, price_cny=0), exhibitor=exhibitor
    )
    payments.booking_pay_online(booking=booking, provider_code="test", provider_reference="z")
    client.force_login(exhibitor.contact)
    html = client.get(_url("pay", booking)).content.decode()
    assert "paid already" in html
    assert 'role="alert"' not in html
    assert _url("receipt", booking) not in html
