"""Receipts and certificates of attendance: numbering (gapless, per edition, rollbacks,
parallel payments on PostgreSQL, the backfill), what the PDFs say, who may have which."""

from __future__ import annotations

import datetime as dt
import importlib
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import override_settings
from PIL import Image
from pypdf import PdfReader

from atrium.checkin import certificates
from atrium.core.models import AuditEntry
from atrium.registration import receipts as papers
from atrium.registration import services
from atrium.registration.models import Order, Registration
from tests.factories import (
    ConferenceFactory,
    LetterheadFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
    SessionFactory,
    UserFactory,
    VoucherFactory,
)
from tests.registration.factories_organiser import OrderFactory
from tests.registration.factories_papers import CheckInFactory

pytestmark = pytest.mark.django_db

backfill_migration = importlib.import_module("atrium.registration.migrations.0008_receipts")


def _text(pdf: bytes) -> str:
    # See tests/registration/test_badges.py: pypdf puts a NUL before each character of the
    # CJK font's two-byte codes; dropping the NULs leaves the text as printed.
    return "\n".join(p.extract_text().replace("\x00", "") for p in PdfReader(io.BytesIO(pdf)).pages)


def _flat(text: str) -> str:
    """The text without line breaks and doubled spaces (wrapping differs by width)."""
    return " ".join(text.split())


@pytest.fixture
def conference():
    conference = ConferenceFactory(
        slug="beijing-2025",
        name="42nd IASP World Conference, Beijing 2025",
        name_zh="第42届国际科技园区协会(IASP)世界大会",
    )
    RegistrationPolicyFactory(conference=conference)
    LetterheadFactory(conference=conference)
    return conference


@pytest.fixture
def rtype(conference):
    return RegistrationTypeFactory(
        conference=conference,
        name="Delegate, non-member",
        name_zh="代表(非会员)",
        price_usd=Decimal("1050.00"),
        price_cny=Decimal("7500.00"),
    )


@pytest.fixture
def majun():
    organisation = OrganisationFactory(name="Zhongguancun Science Park", name_zh="中关村科技园")
    return PersonFactory(
        name="Ma Jun", name_zh="马骏", organisation=organisation, user=UserFactory()
    )


def _submit(conference, rtype, person=None, **kwargs) -> Order:
    registration = services.registration_submit(
        conference=conference, person=person or PersonFactory(), rtype=rtype, **kwargs
    )
    return registration.order


def _pay(order: Order) -> Order:
    services.payment_confirm(
        order=order,
        provider="test",
        amount=order.total,
        currency=order.currency,
        provider_reference=f"test-{order.pk}",
    )
    order.refresh_from_db()
    return order


def _paid(conference, rtype, person=None, **kwargs) -> Order:
    return _pay(_submit(conference, rtype, person, **kwargs))


# --- numbering -----------------------------------------------------------------------------


def test_numbers_follow_payments_per_edition_each_starting_at_one(conference, rtype):
    other = ConferenceFactory()
    RegistrationPolicyFactory(conference=other)
    other_type = RegistrationTypeFactory(conference=other)
    # Registered in one order, paid in another: the number follows the payment.
    first, second, third = (_submit(conference, rtype) for _i in range(3))
    _pay(third)
    elsewhere = [_paid(other, other_type) for _i in range(2)]
    _pay(first)
    _pay(second)
    for order in (first, second, third):
        order.refresh_from_db()
    assert [third.receipt_number, first.receipt_number, second.receipt_number] == [1, 2, 3]
    assert [o.receipt_number for o in elsewhere] == [1, 2]
    assert third.receipt_label == "BJ25-R-0001"
    assert elsewhere[0].receipt_label == "R-0001"  # no letterhead: the default prefix
    assert third.receipt_issued_at == third.paid_at


def test_bank_transfer_marked_paid_by_an_organiser_gets_the_next_number(conference, rtype):
    _paid(conference, rtype)
    order = _submit(conference, rtype)
    services.order_mark_paid(order=order, actor=UserFactory())
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.receipt_number == 2
    entry = AuditEntry.objects.filter(action="order.paid").order_by("-id").first()
    assert entry.data["receipt"] == "BJ25-R-0002"


def test_a_rolled_back_payment_consumes_no_number(conference, rtype):
    order = _submit(conference, rtype)
    with pytest.raises(RuntimeError), transaction.atomic():
        _pay(order)
        assert Order.objects.get(pk=order.pk).receipt_number == 1
        raise RuntimeError("the request failed after the payment was recorded")
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING and order.receipt_number is None
    # A refused payment (wrong amount) takes no number either.
    with pytest.raises(ValidationError):
        services.payment_confirm(
            order=order, provider="test", amount=Decimal("1"), currency=order.currency
        )
    assert _pay(order).receipt_number == 1
    assert _paid(conference, rtype).receipt_number == 2


def test_a_free_order_gets_no_receipt(conference):
    free = RegistrationTypeFactory(conference=conference, price_usd=0, price_cny=0)
    order = _submit(conference, free)
    assert order.status == Order.Status.FREE and order.receipt_number is None
    voucher = VoucherFactory(conference=conference, code="ALLFREE", kind="free")
    rtype = RegistrationTypeFactory(conference=conference)
    by_voucher = _submit(conference, rtype, voucher_code=voucher.code)
    assert by_voucher.status == Order.Status.FREE and by_voucher.receipt_number is None
    with pytest.raises(ValidationError, match="free registration has no receipt"):
        papers.receipt_pdf(order=order)
    assert _paid(conference, rtype).receipt_number == 1


def test_an_unpaid_order_has_no_receipt(conference, rtype):
    order = _submit(conference, rtype)
    with pytest.raises(ValidationError, match="once the payment is received"):
        papers.receipt_pdf(order=order)
    assert not AuditEntry.objects.filter(action="receipt.downloaded").exists()


def test_cancelled_after_payment_keeps_its_receipt_with_the_refund(conference, rtype, majun):
    policy = conference.registration_policy
    policy.full_refund_until = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    policy.save()
    order = _paid(conference, rtype, majun)
    services.registration_cancel(registration=order.registration, actor=None)
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED and order.receipt_number == 1
    text = _flat(_text(papers.receipt_pdf(order=order, language="en")))
    assert "BJ25-R-0001" in text
    assert "Refunded" in text and "$1,050.00 USD (Full refund)" in text
    # The refund did not free the number: the next payment gets 2.
    assert _paid(conference, rtype).receipt_number == 2


def test_migration_backfills_paid_orders_in_the_order_they_were_paid():
    first_edition, second_edition = ConferenceFactory(), ConferenceFactory()
    at = dt.datetime(2025, 6, 1, 9, tzinfo=dt.UTC)

    def order(conference, status, paid_at=None, total=Decimal("800")):
        return OrderFactory(
            registration=RegistrationFactory(conference=conference),
            status=status,
            paid_at=paid_at,
            total=total,
        )

    late = order(first_edition, "paid", at + dt.timedelta(days=3))
    early = order(first_edition, "paid", at)
    refunded = order(first_edition, "refunded", at + dt.timedelta(days=1))
    cancelled_after_paying = order(first_edition, "cancelled", at + dt.timedelta(days=2))
    never_paid = order(first_edition, "cancelled")
    pending = order(first_edition, "pending")
    free = order(first_edition, "free", total=Decimal(0))
    other = order(second_edition, "paid", at + dt.timedelta(days=9))

    backfill_migration.number_paid_orders(apps, None)

    numbers = {o.pk: o.receipt_number for o in Order.objects.all()}
    assert numbers[early.pk] == 1
    assert numbers[refunded.pk] == 2
    assert numbers[cancelled_after_paying.pk] == 3
    assert numbers[late.pk] == 4
    assert numbers[other.pk] == 1
    assert numbers[never_paid.pk] is numbers[pending.pk] is numbers[free.pk] is None
    assert Order.objects.get(pk=late.pk).receipt_issued_at == late.paid_at


def test_backfill_service_continues_after_the_highest_number(conference, rtype):
    _paid(conference, rtype)
    _paid(conference, rtype)
    bulk = OrderFactory(
        registration=RegistrationFactory(conference=conference),
        status="paid",
        paid_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
    )
    assert papers.receipt_numbers_backfill(conference=conference) == 1
    bulk.refresh_from_db()
    assert bulk.receipt_number == 3
    assert papers.receipt_numbers_backfill(conference=conference) == 0
    assert AuditEntry.objects.filter(action="receipt.backfilled").count() == 1


# --- the receipt ---------------------------------------------------------------------------


def test_money_has_the_symbol_separators_and_code():
    assert papers.money(Decimal("1050"), "USD") == "$1,050.00 USD"
    assert papers.money(Decimal("1234567.5"), "CNY") == "¥1,234,567.50 CNY"
    assert papers.money(Decimal("-200"), "USD") == "−$200.00 USD"


def test_receipt_text_in_chinese_yuan(conference, rtype, majun):
    voucher = VoucherFactory(
        conference=conference,
        code="ZGC-PARTNER",
        kind="fixed",
        amount_usd=Decimal(200),
        amount_cny=Decimal(1400),
    )
    order = _paid(conference, rtype, majun, currency="CNY", voucher_code=voucher.code)
    actor = UserFactory()
    pdf = papers.receipt_pdf(order=order, actor=actor, language="en")
    assert pdf.startswith(b"%PDF")
    text = _flat(_text(pdf))
    for expected in (
        "Receipt",
        "BJ25-R-0001",
        "PAID",
        "Ma Jun",
        "马骏",
        "Zhongguancun Science Park",
        "中关村科技园",
        order.reference,
        "Delegate, non-member",
        "代表(非会员)",
        "¥7,500.00 CNY",  # the price
        "Voucher ZGC-PARTNER",
        "−¥1,400.00 CNY",  # the discount
        "¥6,100.00 CNY",  # the total paid
        "Test payment",  # the provider, with its reference
        f"test-{order.pk}",
        "中关村科技园区管理委员会",  # the issuer in Chinese
        "Zhongguancun Science Park Administrative Committee",
        "91110000000000000X",  # the tax number
        "Wang Lei",
    ):
        assert expected in text, expected
    entry = AuditEntry.objects.get(action="receipt.downloaded")
    assert entry.actor == actor and entry.object_id == str(order.registration_id)
    assert entry.data == {"receipt": "BJ25-R-0001"} and entry.conference == conference


def test_receipt_in_us_dollars_with_thousands_separator(conference, rtype):
    order = _paid(conference, rtype, currency="USD")
    text = _flat(_text(papers.receipt_pdf(order=order, language="en")))
    assert "$1,050.00 USD" in text and "¥" not in text


def test_receipt_prints_the_stamp_image(conference, rtype, tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), (200, 30, 30)).save(buffer, format="PNG")
    with override_settings(MEDIA_ROOT=tmp_path):
        letterhead = conference.letterhead
        letterhead.stamp.save("stamp.png", ContentFile(buffer.getvalue()))
        pdf = papers.receipt_pdf(order=_paid(conference, rtype))
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1


# --- the certificate of attendance ---------------------------------------------------------


@pytest.fixture
def attendee(conference, rtype, majun):
    registration = _paid(conference, rtype, majun).registration
    visit = SessionFactory(
        conference=conference, title="Technical visit to Zhongguancun", kind="technical_visit"
    )
    CheckInFactory(registration=registration)  # the entrance
    CheckInFactory(registration=registration, session=visit)
    return registration


def test_certificate_before_the_end_is_refused_with_the_date(conference, attendee):
    last_minute = conference.ends_at - dt.timedelta(seconds=1)
    with pytest.raises(ValidationError) as refused:
        certificates.certificate_pdf(registration=attendee, at=last_minute, language="en")
    assert "available once the conference has ended, from 19 September 2025" in str(refused.value)
    assert not AuditEntry.objects.filter(action="certificate.downloaded").exists()


def test_the_end_is_midnight_in_the_editions_time_zone(conference):
    ends = conference.ends_at
    assert ends == dt.datetime(2025, 9, 18, 16, 0, tzinfo=dt.UTC)  # 00:00 in Beijing


def test_certificate_after_the_end_has_both_names_and_the_sessions(conference, attendee):
    actor = attendee.person.user
    pdf = certificates.certificate_pdf(
        registration=attendee,
        actor=actor,
        at=conference.ends_at,
        language="en",
    )
    text = _flat(_text(pdf))
    for expected in (
        "Certificate of attendance",
        "Ma Jun",
        "马骏",
        "Zhongguancun Science Park",
        "中关村科技园",
        "attended the 42nd IASP World Conference, Beijing 2025",
        "from 16 September 2025 to 18 September 2025",
        "Technical visit to Zhongguancun",
        "中关村科技园区管理委员会",
        "Wang Lei",
    ):
        assert expected in text, expected
    entry = AuditEntry.objects.get(action="certificate.downloaded")
    assert entry.actor == actor and entry.object_id == str(attendee.pk)


def test_certificate_in_chinese_uses_the_chinese_names_of_the_edition(conference, attendee, clock):
    clock.move_to("2025-09-20 12:00:00")  # certificates come after the edition
    text = _flat(_text(certificates.certificate_pdf(registration=attendee, language="zh-hans")))
    assert "第42届国际科技园区协会(IASP)世界大会" in text
    assert "2025年9月16日" in text and "马骏" in text and "Ma Jun" in text


def test_no_certificate_without_a_check_in(conference, rtype, clock):
    registration = _paid(conference, rtype).registration
    clock.move_to("2025-09-20 12:00:00")  # certificates come after the edition
    with pytest.raises(ValidationError, match="no record of your attendance"):
        certificates.certificate_pdf(registration=registration)
    # A check-in in another edition does not count for this one.
    elsewhere = RegistrationFactory(person=registration.person)
    CheckInFactory(registration=elsewhere)
    assert "no record" in certificates.certificate_refusal(registration)
    CheckInFactory(registration=registration)
    assert certificates.certificate_refusal(registration) is None


def test_certificate_refusal_reads_the_annotation_without_a_query(
    conference, attendee, django_assert_num_queries, clock
):
    clock.move_to("2025-09-20 12:00:00")  # certificates come after the edition
    registration = Registration.objects.select_related("conference").get(pk=attendee.pk)
    registration.has_checkin = True
    with django_assert_num_queries(0):
        assert certificates.certificate_refusal(registration) is None


# --- parallel payments (PostgreSQL) --------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL")
def test_parallel_payments_of_different_orders_number_one_to_n():
    from tests.registration.test_concurrency import run_together

    conference = ConferenceFactory()
    RegistrationPolicyFactory(conference=conference)
    rtype = RegistrationTypeFactory(conference=conference, price_usd=Decimal(100))
    orders = [_submit(conference, rtype) for _i in range(16)]
    other = ConferenceFactory()
    RegistrationPolicyFactory(conference=other)
    other_orders = [_submit(other, RegistrationTypeFactory(conference=other)) for _i in range(4)]

    def pay(order):
        return services.payment_confirm(
            order=order,
            provider="test",
            amount=order.total,
            currency=order.currency,
            provider_reference=f"par-{order.pk}",
        )

    def pay_then_fail(order):
        with transaction.atomic():
            pay(order)
            raise RuntimeError("rolled back after taking a number")

    work = [lambda o=o: pay(o) for o in orders[:12]]
    work += [lambda o=o: pay_then_fail(o) for o in orders[12:]]
    work += [lambda o=o: pay(o) for o in other_orders]
    results = run_together(work)

    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 4 and all(isinstance(f, RuntimeError) for f in failures)
    numbers = sorted(
        Order.objects.filter(conference=conference, receipt_number__isnull=False).values_list(
            "receipt_number", flat=True
        )
    )
    assert numbers == list(range(1, 13))
    assert sorted(
        Order.objects.filter(conference=other).values_list("receipt_number", flat=True)
    ) == [1, 2, 3, 4]
    assert not Order.objects.filter(pk__in=[o.pk for o in orders[12:]], status="paid").exists()
