"""A booth is never booked twice: 20 concurrent holds on PostgreSQL, one winner."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from atrium.exhibition import services
from atrium.exhibition.models import BoothBooking
from tests.exhibition.factories import BoothFactory, ExhibitorFactory
from tests.factories import ConferenceFactory
from tests.registration.test_concurrency import run_together

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
    ),
]


def test_twenty_concurrent_holds_on_one_booth_have_exactly_one_winner():
    conference = ConferenceFactory()
    booth = BoothFactory(hall__conference=conference)
    exhibitors = [ExhibitorFactory(conference=conference) for _i in range(20)]

    results = run_together(
        [lambda e=e: services.booth_hold(booth=booth, exhibitor=e) for e in exhibitors]
    )

    winners = [r for r in results if isinstance(r, BoothBooking)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(winners) == 1
    assert len(refused) == 19
    assert all("held by another exhibitor" in str(r) for r in refused)
    assert BoothBooking.objects.filter(booth=booth, status__in=BoothBooking.LIVE).count() == 1


def test_concurrent_holds_on_twenty_booths_all_succeed():
    conference = ConferenceFactory()
    booths = [BoothFactory(hall__conference=conference) for _i in range(20)]
    for booth in booths[1:]:
        booth.hall = booths[0].hall
        booth.save()
    exhibitors = [ExhibitorFactory(conference=conference) for _i in range(20)]
    results = run_together(
        [
            lambda b=b, e=e: services.booth_hold(booth=b, exhibitor=e)
            for b, e in zip(booths, exhibitors, strict=True)
        ]
    )
    assert all(isinstance(r, BoothBooking) for r in results), results


@pytest.fixture
def _online_payments(settings):
    settings.ATRIUM_PAYMENT_PROVIDERS = ["bank_transfer", "test"]


@pytest.mark.usefixtures("_online_payments")
def test_ten_concurrent_payments_of_one_hold_pay_once():
    from atrium.exhibition import payments
    from atrium.exhibition.models import BoothPayment

    conference = ConferenceFactory()
    booking = services.booth_hold(
        booth=BoothFactory(hall__conference=conference),
        exhibitor=ExhibitorFactory(conference=conference),
    )
    results = run_together(
        [
            lambda i=i: payments.booking_pay_online(
                booking=booking, provider_code="test", provider_reference=f"test-{i}"
            )
            for i in range(10)
        ]
    )
    assert len([r for r in results if isinstance(r, BoothPayment)]) == 1
    assert all("paid already" in str(r) for r in results if isinstance(r, ValidationError))
    assert BoothPayment.objects.get().receipt_number == 1


@pytest.mark.usefixtures("_online_payments")
def test_concurrent_payments_of_twenty_booths_get_gapless_receipt_numbers():
    from atrium.exhibition import payments
    from atrium.exhibition.models import BoothPayment

    conference = ConferenceFactory()
    first = BoothFactory(hall__conference=conference)
    bookings = [services.booth_hold(booth=first, exhibitor=ExhibitorFactory(conference=conference))]
    for _i in range(19):
        bookings.append(
            services.booth_hold(
                booth=BoothFactory(hall=first.hall),
                exhibitor=ExhibitorFactory(conference=conference),
            )
        )
    results = run_together(
        [
            lambda b=b: payments.booking_pay_online(
                booking=b, provider_code="test", provider_reference=f"test-{b.pk}"
            )
            for b in bookings
        ]
    )
    assert all(isinstance(r, BoothPayment) for r in results), results
    numbers = sorted(BoothPayment.objects.values_list("receipt_number", flat=True))
    assert numbers == list(range(1, 21))
