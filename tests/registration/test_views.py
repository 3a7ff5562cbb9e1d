"""The delegate's pages, driven through the test client as a browser would."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from atrium.registration import seats, services
from atrium.registration.models import (
    Delegation,
    Order,
    Question,
    Registration,
    SeatBooking,
)
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    QuestionFactory,
    RegistrationFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
    SessionFactory,
    UserFactory,
    VoucherFactory,
    local,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    conference = ConferenceFactory(slug="beijing-2025")
    RegistrationPolicyFactory(conference=conference)
    return conference


@pytest.fixture
def delegate():
    user = UserFactory(email="cecile@example.org")
    PersonFactory(user=user, name="Cecile Harle", email=user.email)
    return user


@pytest.fixture
def browser(client, delegate):
    client.force_login(delegate)
    return client


def form_data(rtype, **extra):
    return {
        "type": rtype.pk,
        "currency": "USD",
        "name": "Cecile Harle",
        "country": "FR",
        **extra,
    }


def test_register_needs_an_account(client, conference):
    response = client.get(reverse("registration:register", args=[conference.slug]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_register_shows_types_with_both_currencies(browser, conference):
    RegistrationTypeFactory(
        conference=conference, name="Delegate (member)", price_usd=800, price_cny=5800
    )
    RegistrationTypeFactory(conference=conference, name="Press", price_usd=0, price_cny=0)
    RegistrationTypeFactory(conference=conference, name="Hidden", is_active=False)
    page = browser.get(reverse("registration:register", args=[conference.slug])).content.decode()
    assert "Delegate (member)" in page and "$800.00 USD · ¥5,800.00 CNY" in page
    assert "Press" in page and "Free" in page
    assert "Hidden" not in page


@override_settings(ATRIUM_PAYMENT_PROVIDERS=["bank_transfer", "test"])
def test_register_pay_and_see_it_on_me(browser, conference, django_capture_on_commit_callbacks):
    rtype = RegistrationTypeFactory(conference=conference)
    url = reverse("registration:register", args=[conference.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(url, form_data(rtype, consent_directory="on"))
    registration = Registration.objects.get()
    reference = registration.reference
    assert response["Location"] == reverse("registration:pay", args=[conference.slug, reference])
    pay_page = browser.get(response["Location"]).content.decode()
    assert reference in pay_page
    assert "Bank of Beijing" in pay_page  # the edition's bank details
    assert registration.consent_directory is True
    assert mail.outbox[-1].to == ["cecile@example.org"]

    with django_capture_on_commit_callbacks(execute=True):
        browser.post(reverse("registration:pay-online", args=[conference.slug, reference, "test"]))
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    assert registration.order.status == Order.Status.PAID
    me = browser.get(reverse("registration:me")).content.decode()
    assert reference in me and "Confirmed" in me
    badge = reverse("checkin:my-badge", args=[conference.slug])
    assert badge in me
    response = browser.get(badge)
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response).startswith(b"%PDF")


def test_orders_are_private_and_bank_transfers_not_self_confirmed(browser, delegate, conference):
    rtype = RegistrationTypeFactory(conference=conference)
    theirs = services.registration_submit(
        conference=conference, person=PersonFactory(), rtype=rtype
    )
    url = reverse("registration:pay", args=[conference.slug, theirs.reference])
    assert browser.get(url).status_code == 404
    mine = services.registration_submit(conference=conference, person=delegate.person, rtype=rtype)
    url = reverse(
        "registration:pay-online", args=[conference.slug, mine.reference, "bank_transfer"]
    )
    assert browser.post(url).status_code == 404
    mine.order.refresh_from_db()
    assert mine.order.status == Order.Status.PENDING


def test_double_submit_creates_one_registration(browser, conference):
    rtype = RegistrationTypeFactory(conference=conference)
    url = reverse("registration:register", args=[conference.slug])
    first = browser.post(url, form_data(rtype))
    second = browser.post(url, form_data(rtype))
    assert Registration.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("registration:me")


def test_errors_are_shown_next_to_the_field_and_nothing_is_saved(browser, conference):
    rtype = RegistrationTypeFactory(conference=conference)
    diet = QuestionFactory(
        conference=conference,
        label="Dietary needs",
        kind=Question.Kind.CHOICE,
        options="None|无\nVegetarian|素食",
        required=True,
    )
    url = reverse("registration:register", args=[conference.slug])
    response = browser.post(url, form_data(rtype, voucher="NOPE"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "voucher" in form.errors
    assert Registration.objects.count() == 0
    VoucherFactory(conference=conference, code="NOPE", kind="free")
    response = browser.post(url, form_data(rtype, voucher="NOPE"))
    assert f"q_{diet.pk}" in response.context["form"].errors
    html = response.content.decode()
    assert html.index("This question needs an answer.") > html.index("Dietary needs")
    assert Registration.objects.count() == 0
    browser.post(url, form_data(rtype, voucher="nope", **{f"q_{diet.pk}": "Vegetarian"}))
    registration = Registration.objects.get()
    assert registration.status == "confirmed"  # free voucher
    assert registration.answers.get().value == "Vegetarian"


def test_errors_in_chinese(browser, conference):
    rtype = RegistrationTypeFactory(conference=conference)
    browser.cookies["django_language"] = "zh-hans"
    response = browser.post(
        reverse("registration:register", args=[conference.slug]),
        {"currency": "USD", "name": ""},
    )
    assert response.status_code == 200
    assert rtype.name in response.content.decode()
    assert "这个字段是必填项。" in response.content.decode()


def test_closed_registration(browser, conference):
    policy = conference.registration_policy
    policy.closes_at = timezone.now() - timedelta(days=1)
    policy.save()
    rtype = RegistrationTypeFactory(conference=conference)
    url = reverse("registration:register", args=[conference.slug])
    assert "closed" in browser.get(url).content.decode()
    browser.post(url, form_data(rtype))
    assert Registration.objects.count() == 0


def test_seat_sign_up_waiting_list_and_cancel(browser, delegate, conference):
    registration = RegistrationFactory(conference=conference, person=delegate.person)
    visit = SessionFactory(
        conference=conference, kind="technical_visit", seats=1, room=None, place="Changping Park"
    )
    other = RegistrationFactory(conference=conference)
    seats.seat_signup(registration=other, session=visit)

    page = browser.get(reverse("registration:signups", args=[conference.slug])).content.decode()
    assert visit.title in page and "Join the waiting list" in page
    response = browser.post(
        reverse("registration:seat-signup", args=[conference.slug, visit.pk]), follow=True
    )
    assert "number 1 on the waiting list" in response.content.decode()
    booking = SeatBooking.objects.get(registration=registration)
    assert booking.status == "waitlisted"

    seats.seat_cancel(booking=other.bookings.get())
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    me = browser.get(reverse("registration:me")).content.decode()
    assert "Seat confirmed" in me and visit.title in me

    browser.post(reverse("registration:seat-cancel", args=[conference.slug, booking.pk]))
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_someone_elses_booking_cannot_be_cancelled(browser, conference):
    visit = SessionFactory(conference=conference, seats=5)
    booking = seats.seat_signup(
        registration=RegistrationFactory(conference=conference), session=visit
    )
    url = reverse("registration:seat-cancel", args=[conference.slug, booking.pk])
    assert browser.post(url).status_code == 404
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_sign_up_needs_csrf(delegate, conference):
    RegistrationFactory(conference=conference, person=delegate.person)
    visit = SessionFactory(conference=conference, seats=5)
    client = Client(enforce_csrf_checks=True)
    client.force_login(delegate)
    response = client.post(reverse("registration:seat-signup", args=[conference.slug, visit.pk]))
    assert response.status_code == 403
    assert not SeatBooking.objects.exists()


def test_cancel_with_visa_refusal(browser, delegate, conference, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    registration = services.registration_submit(
        conference=conference,
        person=delegate.person,
        rtype=RegistrationTypeFactory(conference=conference),
    )
    services.order_mark_paid(order=registration.order, actor=None)
    url = reverse("registration:cancel", args=[conference.slug])
    response = browser.post(url, {"visa_refused": "on", "confirm": "on"})
    assert "proof" in response.context["form"].errors
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    proof = SimpleUploadedFile("refusal.pdf", b"%PDF-1.4", content_type="application/pdf")
    browser.post(url, {"visa_refused": "on", "confirm": "on", "proof": proof})
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert registration.order.refund_amount == Decimal("800.00")


def test_delegation_head_invites_and_member_joins(
    browser, delegate, conference, django_capture_on_commit_callbacks
):
    rtype = RegistrationTypeFactory(conference=conference, price_usd=0, price_cny=0)
    RegistrationFactory(conference=conference, person=delegate.person, type=rtype)
    response = browser.post(
        reverse("registration:delegation-new", args=[conference.slug]),
        {"name": "Sophia Antipolis", "basis": "city", "city": "", "member_kind": "park"},
    )
    assert "city" in response.context["form"].errors
    browser.post(
        reverse("registration:delegation-new", args=[conference.slug]),
        {"name": "Sophia Antipolis", "basis": "city", "city": "Antibes", "member_kind": "park"},
    )
    delegation = Delegation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(delegation.get_absolute_url(), {"email": "elif@example.org", "type": rtype.pk})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/join/" in line)
    path = link[link.index("/c/") :]

    member = UserFactory(email="elif@example.org")
    PersonFactory(user=member, name="Elif", email=member.email)
    other = Client()
    other.force_login(member)
    # A forged token changes nothing.
    forged = other.get(reverse("registration:join", args=[conference.slug, "x" * 43]))
    assert forged.status_code == 404 and "not valid" in forged.content.decode()
    # The head's page is private.
    assert other.get(delegation.get_absolute_url()).status_code == 403

    assert other.post(path)["Location"] == reverse("registration:register", args=[conference.slug])
    other.post(
        reverse("registration:register", args=[conference.slug]),
        form_data(rtype, name="Elif"),
    )
    joined = Registration.objects.get(person__user=member)
    assert joined.delegation == delegation
    roster = browser.get(delegation.get_absolute_url()).content.decode()
    assert "Elif" in roster
    # The link works once.
    assert other.get(path).status_code == 404


def test_private_agenda_feed(browser, delegate, conference):
    import icalendar

    registration = RegistrationFactory(conference=conference, person=delegate.person)
    visit = SessionFactory(conference=conference, seats=5, title="Visit to Changping Park")
    SessionFactory(conference=conference, seats=5, title="Someone else's dinner")
    seats.seat_signup(registration=registration, session=visit)
    me = browser.get(reverse("registration:me")).content.decode()
    feed_url = reverse("registration:agenda-feed", args=[conference.slug, registration.feed_token])
    assert feed_url in me
    # The feed works without a login (calendar apps have none): the token is the key.
    response = Client().get(feed_url)
    assert response["Content-Type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Visit to Changping Park"]
    # Renewing the address kills the old one.
    browser.post(reverse("registration:agenda-feed-reset", args=[conference.slug]))
    assert Client().get(feed_url).status_code == 404
    registration.refresh_from_db()
    new_url = reverse("registration:agenda-feed", args=[conference.slug, registration.feed_token])
    assert Client().get(new_url).status_code == 200


def test_sign_up_times_are_in_the_conference_time_zone(browser, delegate, conference):
    RegistrationFactory(conference=conference, person=delegate.person)
    visit = SessionFactory(conference=conference, seats=5, start=local(conference, 2, 9))
    seats.seat_signup(registration=delegate.person.registrations.get(), session=visit)
    page = browser.get(reverse("registration:signups", args=[conference.slug])).content.decode()
    assert "09:00–10:00" in page  # Beijing time, not 01:00 UTC
    assert "09:00" in browser.get(reverse("registration:me")).content.decode()


def test_organiser_link_only_for_organisers_of_that_edition(client, conference):
    from atrium.events.models import ConferenceRole

    dashboard = reverse("organiser:dashboard", args=[conference.slug])
    page = reverse("events:conference", args=[conference.slug])
    staff = UserFactory()
    client.force_login(staff)
    ConferenceRole.objects.create(conference=conference, user=staff, role="checkin")
    assert dashboard not in client.get(page).content.decode()
    ConferenceRole.objects.create(conference=conference, user=staff, role="organiser")
    assert dashboard in client.get(page).content.decode()


def test_an_account_without_a_person_gets_one_on_registering(client, conference):
    from atrium.network.models import Person

    PersonFactory(slug="ana-lopez", name="Ana López")
    user = UserFactory(email="ana@example.org", first_name="Ana", last_name="López")
    client.force_login(user)
    assert client.get(reverse("registration:register", args=[conference.slug])).status_code == 200
    assert not Person.objects.filter(user=user).exists()  # not on GET: when registering
    rtype = RegistrationTypeFactory(conference=conference)
    registration = services.registration_submit(conference=conference, user=user, rtype=rtype)
    person = Person.objects.get(user=user)
    assert registration.person == person
    assert (person.name, person.slug, person.email) == ("Ana López", "ana-lopez-2", user.email)


def test_the_register_page_writes_nothing_on_get(client):
    from atrium.network.models import Person
    from tests.factories import ConferenceFactory
    from tests.registration.factories_organiser import AccountFactory

    conference = ConferenceFactory(slug="bj-get")
    user = AccountFactory()
    client.force_login(user)
    people = Person.objects.count()
    response = client.get(reverse("registration:register", args=[conference.slug]))
    assert response.status_code == 200
    assert Person.objects.count() == people  # no person made from the account on a GET
    assert not Person.objects.filter(user=user).exists()
