"""Money: never negative, payments recorded as received, one format on every page, the
confirmation e-mail naming the order reference (issue 13, "Money")."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from atrium.core.models import AuditEntry
from atrium.events.models import ConferenceRole
from atrium.registration import services
from atrium.registration.models import Order, Payment, RegistrationType, Voucher
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
    UserFactory,
    VoucherFactory,
)
from tests.registration.factories_organiser import ConferenceRoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def conference():
    conference = ConferenceFactory(slug="beijing-2025")
    RegistrationPolicyFactory(conference=conference)
    return conference


@pytest.fixture
def organiser(conference):
    return ConferenceRoleFactory(conference=conference, role=ConferenceRole.Role.ORGANISER).user


@pytest.fixture
def orga(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def submit(conference, rtype, currency="USD", person=None):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.registration_submit(
            conference=conference,
            person=person or PersonFactory(),
            rtype=rtype,
            currency=currency,
        )


def mark_paid(order, **kwargs):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.order_mark_paid(order=order, **kwargs)


def detail_url(registration, action="registration"):
    return reverse(
        f"organiser:{action}",
        kwargs={"slug": registration.conference.slug, "reference": registration.order.reference},
    )


# --- 1. never negative -------------------------------------------------------------------


def type_form(rtype: RegistrationType, **changes) -> dict:
    data = {
        "conference": rtype.conference_id,
        "code": rtype.code,
        "name": rtype.name,
        "name_zh": "",
        "description": "",
        "description_zh": "",
        "price_usd": str(rtype.price_usd),
        "price_cny": str(rtype.price_cny),
        "early_price_usd": "",
        "early_price_cny": "",
        "capacity": "",
        "is_active": "on",
        "position": "0",
    }
    if rtype.is_free:
        data["is_free"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_refuses_a_negative_price_naming_the_field(admin_client, conference):
    rtype = RegistrationTypeFactory(conference=conference)
    url = reverse("admin:registration_registrationtype_change", args=[rtype.pk])
    response = admin_client.post(url, type_form(rtype, price_usd="-1", early_price_cny="-1"))
    assert response.status_code == 200  # the form again, not "changed successfully"
    errors = response.context["adminform"].form.errors
    assert errors["price_usd"] == ["“price (USD)” cannot be negative."]
    assert errors["early_price_cny"] == ["“early-bird price (CNY)” cannot be negative."]
    rtype.refresh_from_db()
    assert rtype.price_usd == Decimal("800.00") and rtype.early_price_cny is None


def test_admin_price_of_zero_only_on_a_free_type(admin_client, conference):
    rtype = RegistrationTypeFactory(conference=conference)
    url = reverse("admin:registration_registrationtype_change", args=[rtype.pk])
    response = admin_client.post(url, type_form(rtype, price_cny="0"))
    assert response.context["adminform"].form.errors["price_cny"] == [
        "“price (CNY)” cannot be 0 unless the type is marked free."
    ]
    response = admin_client.post(url, type_form(rtype, is_free="on"))
    assert response.context["adminform"].form.errors["price_usd"] == [
        "“price (USD)” must be 0 on a free type (or untick “free”)."
    ]
    response = admin_client.post(url, type_form(rtype, is_free="on", price_usd="0", price_cny="0"))
    assert response.status_code == 302
    rtype.refresh_from_db()
    assert rtype.is_free and rtype.price_usd == 0


def test_admin_refuses_a_negative_voucher_amount(admin_client, conference):
    voucher = VoucherFactory(conference=conference, kind=Voucher.Kind.FIXED, percent=None)
    url = reverse("admin:registration_voucher_change", args=[voucher.pk])
    response = admin_client.post(
        url,
        {
            "conference": conference.pk,
            "code": voucher.code,
            "kind": "fixed",
            "amount_usd": "-200",
            "amount_cny": "1400",
            "max_uses": "1",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["amount_usd"] == [
        "“amount off (USD)” cannot be negative."
    ]
    voucher.refresh_from_db()
    assert voucher.amount_usd is None


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (RegistrationType, "price_usd"),
        (RegistrationType, "price_cny"),
        (RegistrationType, "early_price_usd"),
        (RegistrationType, "early_price_cny"),
    ],
)
def test_database_refuses_negative_prices(conference, model, field):
    rtype = RegistrationTypeFactory(conference=conference)
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=rtype.pk).update(**{field: Decimal("-1")})


def test_database_refuses_zero_on_a_paid_type_and_a_price_on_a_free_type(conference):
    paid = RegistrationTypeFactory(conference=conference)
    free = RegistrationTypeFactory(conference=conference, price_usd=0, price_cny=0)
    assert free.is_free and not paid.is_free
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationType.objects.filter(pk=paid.pk).update(price_cny=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationType.objects.filter(pk=free.pk).update(price_usd=10)


def test_database_refuses_negative_vouchers_orders_and_payments(conference):
    voucher = VoucherFactory(conference=conference)
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.filter(pk=voucher.pk).update(amount_cny=Decimal("-1"))
    order = submit(conference, RegistrationTypeFactory(conference=conference)).order
    for field in ("total", "list_price", "refund_amount"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Order.objects.filter(pk=order.pk).update(**{field: Decimal("-1")})
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(order=order, provider="test", amount=Decimal("-1"), currency="USD")


def test_services_refuse_a_negative_payment_and_write_nothing(conference):
    order = submit(conference, RegistrationTypeFactory(conference=conference)).order
    with pytest.raises(ValidationError) as refused:
        services.payment_confirm(
            order=order, provider="test", amount=Decimal("-800"), currency="USD"
        )
    assert refused.value.message_dict == {"amount": ["The amount received must be more than 0."]}
    with pytest.raises(ValidationError) as refused:
        services.order_mark_paid(order=order, actor=None, amount=Decimal("-1"))
    assert "amount" in refused.value.message_dict
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING and not order.payments.exists()
    assert order.receipt_number is None


def test_a_receipt_is_never_for_a_negative_amount(conference):
    """The one path that numbers receipts cannot be reached with a negative amount."""
    order = submit(conference, RegistrationTypeFactory(conference=conference)).order
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(total=Decimal("-1"), list_price=Decimal("-1"))
    with pytest.raises(ValidationError):
        services.payment_confirm(order=order, provider="test", amount=Decimal("-1"), currency="USD")
    assert not Order.objects.filter(receipt_number__isnull=False).exists()


# --- 2. what was received ----------------------------------------------------------------


def test_mark_paid_records_amount_currency_day_reference_and_who(conference, organiser):
    order = submit(conference, RegistrationTypeFactory(conference=conference), "CNY").order
    day = timezone.localdate() - dt.timedelta(days=1)
    payment = mark_paid(
        order,
        actor=organiser,
        amount=Decimal("5800"),
        currency="CNY",
        received_on=day,
        reference=" BOC-2025-0612-77 ",
    )
    payment.refresh_from_db()
    assert (payment.amount, payment.currency, payment.received_on) == (
        Decimal("5800.00"),
        "CNY",
        day,
    )
    assert (payment.bank_reference, payment.recorded_by) == ("BOC-2025-0612-77", organiser)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.payment_flag == ""
    entry = AuditEntry.objects.get(action="order.paid")
    assert entry.actor == organiser
    assert entry.data["bank_reference"] == "BOC-2025-0612-77"
    assert entry.data["received_on"] == day.isoformat()


@pytest.mark.parametrize(
    ("amount", "currency", "flag", "words"),
    [
        ("5775.00", "CNY", "under", "Underpaid by ¥25.00 CNY"),
        ("5900.00", "CNY", "over", "Overpaid by ¥100.00 CNY"),
        ("800.00", "USD", "currency", "Paid in another currency (due: ¥5,800.00 CNY)"),
    ],
)
def test_a_different_amount_is_flagged_on_the_list_and_the_page(
    orga, conference, organiser, amount, currency, flag, words
):
    registration = submit(conference, RegistrationTypeFactory(conference=conference), "CNY")
    mark_paid(registration.order, actor=organiser, amount=Decimal(amount), currency=currency)
    registration.order.refresh_from_db()
    assert registration.order.payment_flag == flag
    listing = orga.get(reverse("organiser:registrations", args=[conference.slug])).content.decode()
    assert f'data-payment-flag="{flag}"' in listing and words in listing
    page = orga.get(detail_url(registration)).content.decode()
    assert words in page
    assert AuditEntry.objects.get(action="order.paid").data["flag"] == flag


def test_exact_payment_is_not_flagged(orga, conference, organiser):
    registration = submit(conference, RegistrationTypeFactory(conference=conference))
    mark_paid(registration.order, actor=organiser)
    listing = orga.get(reverse("organiser:registrations", args=[conference.slug])).content.decode()
    assert "data-payment-flag" not in listing


def test_mark_paid_form_records_what_arrived(orga, conference, organiser):
    registration = submit(conference, RegistrationTypeFactory(conference=conference))
    page = orga.get(detail_url(registration)).content.decode()
    assert 'name="amount"' in page and 'value="800.00"' in page
    response = orga.post(
        detail_url(registration, "mark_paid"),
        {
            "amount": "780",
            "currency": "USD",
            "received_on": timezone.localdate().isoformat(),
            "reference": "WIRE 42",
        },
    )
    assert response.status_code == 302
    payment = registration.order.payments.get()
    assert (payment.amount, payment.bank_reference, payment.recorded_by) == (
        Decimal("780.00"),
        "WIRE 42",
        organiser,
    )
    assert "Underpaid by $20.00 USD" in orga.get(detail_url(registration)).content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "-1"}, "amount", "The amount received must be more than 0."),
        ({"amount": "0"}, "amount", "The amount received must be more than 0."),
        ({"currency": "EUR"}, "currency", None),
        ({"received_on": "2999-01-01"}, "received_on", "The day received cannot be in the future."),
        ({"received_on": ""}, "received_on", None),
    ],
)
def test_mark_paid_form_refuses_bad_input_and_changes_nothing(
    orga, conference, changes, field, message
):
    registration = submit(conference, RegistrationTypeFactory(conference=conference))
    data = {
        "amount": "800",
        "currency": "USD",
        "received_on": timezone.localdate().isoformat(),
        "reference": "",
        **changes,
    }
    response = orga.post(detail_url(registration, "mark_paid"), data)
    assert response.status_code == 400
    errors = response.context["paid_form"].errors
    assert field in errors
    if message:
        assert errors[field] == [message]
    registration.order.refresh_from_db()
    assert registration.order.status == Order.Status.PENDING
    assert not registration.order.payments.exists()


def test_another_editions_organiser_cannot_mark_paid(client, conference):
    registration = submit(conference, RegistrationTypeFactory(conference=conference))
    other = ConferenceRoleFactory(
        conference=ConferenceFactory(), role=ConferenceRole.Role.ORGANISER
    ).user
    client.force_login(other)
    response = client.post(
        detail_url(registration, "mark_paid"),
        {"amount": "800", "currency": "USD", "received_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 403
    assert not registration.order.payments.exists()


# --- 3. one format -----------------------------------------------------------------------


def render(source: str, **context) -> str:
    return Template("{% load money %}" + source).render(Context(context))


def test_money_filter():
    assert render("{{ a|money:'CNY' }}", a=Decimal("7500")) == "¥7,500.00 CNY"
    assert render("{{ a|money:'USD' }}", a=Decimal("1050")) == "$1,050.00 USD"
    assert render("{{ a|money:'USD' }}", a=0) == "$0.00 USD"
    assert render("{{ a|money:'USD' }}", a=None) == ""


RAW = re.compile(r"\b\d{4,}\.\d\d\b|\b(?:USD|CNY) \d")  # 7500.00, 281800.00, "CNY 7,500"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_delegate_pages_write_money_the_same_way_in_both_languages(client, conference, language):
    user = UserFactory()
    person = PersonFactory(user=user, email=user.email)
    rtype = RegistrationTypeFactory(
        conference=conference, price_usd=Decimal("1050"), price_cny=Decimal("7500")
    )
    client.force_login(user)
    register = client.get(
        reverse("registration:register", args=[conference.slug]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    order = submit(conference, rtype, "CNY", person=person).order
    paths = [
        reverse("registration:pay", args=[conference.slug, order.reference]),
        reverse("registration:me"),
    ]
    responses = [client.get(path, HTTP_ACCEPT_LANGUAGE=language) for path in paths]
    assert [r.status_code for r in responses] == [200, 200]
    pay, me = (r.content.decode() for r in responses)
    language_pages = [register, pay, me]
    assert "$1,050.00 USD" in register and "¥7,500.00 CNY" in register
    assert "¥7,500.00 CNY" in pay and "¥7,500.00 CNY" in me
    for page in language_pages:
        assert not RAW.search(page), RAW.search(page)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_organiser_pages_write_money_one_way(orga, conference, organiser, language):
    rtype = RegistrationTypeFactory(
        conference=conference, price_usd=Decimal("1050"), price_cny=Decimal("281800")
    )
    paid = submit(conference, rtype, "CNY")
    mark_paid(paid.order, actor=organiser)
    submit(conference, rtype, "USD")
    pages = [
        orga.get(
            reverse("organiser:dashboard", args=[conference.slug]), HTTP_ACCEPT_LANGUAGE=language
        ),
        orga.get(
            reverse("organiser:registrations", args=[conference.slug]),
            HTTP_ACCEPT_LANGUAGE=language,
        ),
        orga.get(detail_url(paid), HTTP_ACCEPT_LANGUAGE=language),
    ]
    # The history panel's raw audit data is shown in words by the "Chinese wording" part of
    # issue 13 (another change); the money written by these pages is checked here.
    texts = [
        re.sub(r'<section[^>]*"history-title".*?</section>', "", p.content.decode(), flags=re.S)
        for p in pages
    ]
    for text in texts:
        assert "¥281,800.00 CNY" in text
        assert not RAW.search(text), RAW.search(text)
    assert "$1,050.00 USD" in texts[0] and "$1,050.00 USD" in texts[1]


def test_dashboard_of_a_free_edition_shows_zero_not_nothing(orga, conference):
    submit(conference, RegistrationTypeFactory(conference=conference, price_usd=0, price_cny=0))
    page = orga.get(reverse("organiser:dashboard", args=[conference.slug])).content.decode()
    assert "0 orders · $0.00 USD" in page
    assert "0 orders · ¥0.00 CNY" in page


# --- 5. the confirmation e-mail ----------------------------------------------------------


def test_confirmation_of_a_paid_order_names_the_order_reference_and_the_receipt(conference):
    order = submit(conference, RegistrationTypeFactory(conference=conference)).order
    mail.outbox.clear()
    mark_paid(order, actor=None)
    order.refresh_from_db()
    body = mail.outbox[-1].body
    assert f"Your order reference is {order.reference}." in body
    assert f"receipt {order.receipt_label}" in body
    assert "receipt number" not in body


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_confirmation_of_a_free_registration_mentions_no_receipt(conference, language):
    person = PersonFactory()
    rtype = RegistrationTypeFactory(conference=conference, price_usd=0, price_cny=0)
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        registration = services.registration_submit(
            conference=conference, person=person, rtype=rtype, language=language
        )
    body = mail.outbox[-1].body
    assert registration.order.reference in body
    assert "receipt" not in body.lower() and "回执" not in body and "收据" not in body


# --- the migration's data check ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_marks_zero_price_types_free_and_stops_on_negative_money():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("registration", "0011_move_out_checkin_and_visas")]
    after = [("registration", "0012_money_not_negative_and_payments_received")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before[0]).apps
    conference = old.get_model("events", "Conference").objects.create(
        number=999,
        slug="old-edition",
        name="Old edition",
        city="Beijing",
        country="CN",
        time_zone="Asia/Shanghai",
        start_date=dt.date(2025, 9, 16),
        end_date=dt.date(2025, 9, 18),
    )
    Type = old.get_model("registration", "RegistrationType")
    free = Type.objects.create(conference=conference, code="press", name="Press")
    broken = Type.objects.create(
        conference=conference, code="broken", name="Broken", price_usd=-1, price_cny=100
    )
    executor = MigrationExecutor(connection)
    with pytest.raises(RuntimeError) as stopped:
        executor.migrate(after)
    assert f"RegistrationType #{broken.pk}: negative price_usd=-1" in str(stopped.value)
    Type.objects.filter(pk=broken.pk).update(price_usd=100)
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after[0]).apps
    assert new.get_model("registration", "RegistrationType").objects.get(pk=free.pk).is_free
