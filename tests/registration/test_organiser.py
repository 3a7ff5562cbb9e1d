"""The organiser pages: who may see them, the registrations list, actions, quotas, export."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from openpyxl import load_workbook

from atrium.core.models import AuditEntry
from atrium.events.models import ConferenceRole
from atrium.registration import seats, selectors, services
from atrium.registration.models import Order, Question, Registration, SeatBooking
from tests.factories import (
    ConferenceFactory,
    DelegationFactory,
    OrganisationFactory,
    PersonFactory,
    QuestionFactory,
    RegistrationFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
    SessionFactory,
)
from tests.registration.factories_organiser import (
    AccountFactory,
    AnswerFactory,
    ConferenceRoleFactory,
    OrderFactory,
)

pytestmark = pytest.mark.django_db
Role = ConferenceRole.Role


# --- set-up ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def conference():
    conference = ConferenceFactory(slug="beijing")
    RegistrationPolicyFactory(conference=conference)
    return conference


@pytest.fixture
def organiser(conference):
    return ConferenceRoleFactory(conference=conference, role=Role.ORGANISER).user


@pytest.fixture
def orga(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def login_url(settings):
    """The login page; a stand-in path while the accounts app has no login view yet."""
    try:
        return resolve_url(settings.LOGIN_URL)
    except NoReverseMatch:
        settings.LOGIN_URL = "/accounts/login/"
        return settings.LOGIN_URL


def submit(conference, rtype, person=None, **kwargs) -> Registration:
    """A registration made as the delegate pages make it (order, reference, answers)."""
    return services.registration_submit(
        conference=conference, person=person or PersonFactory(), rtype=rtype, **kwargs
    )


def url(name, conference, **kwargs):
    return reverse(f"organiser:{name}", kwargs={"slug": conference.slug, **kwargs})


def detail_url(registration, action=None):
    name = action or "registration"
    return url(name, registration.conference, reference=registration.order.reference)


@pytest.fixture
def visit(conference):
    return SessionFactory(conference=conference, kind="technical_visit", seats=2, room=None)


# --- who may see the pages ---------------------------------------------------------------


def _user_for(kind, conference):
    other = ConferenceFactory()
    if kind == "anonymous":
        return None
    if kind == "superuser":
        return AccountFactory(is_superuser=True, is_staff=True)
    if kind == "plain":
        return AccountFactory()
    if kind == "other organiser":
        return ConferenceRoleFactory(conference=other, role=Role.ORGANISER).user
    role = {"check-in": Role.CHECKIN, "reviewer": Role.REVIEWER, "organiser": Role.ORGANISER}[kind]
    return ConferenceRoleFactory(conference=conference, role=role).user


EXPECTED = {
    "anonymous": 302,
    "plain": 403,
    "check-in": 403,
    "reviewer": 403,
    "other organiser": 403,
    "organiser": 200,
    "superuser": 200,
}


@pytest.mark.parametrize("kind", EXPECTED)
def test_permission_matrix_for_every_page(client, conference, visit, login_url, kind):
    registration = submit(conference, RegistrationTypeFactory(conference=conference))
    pages = [
        url("dashboard", conference),
        url("registrations", conference),
        url("registrations", conference) + "?q=person&status=pending",
        detail_url(registration),
        url("export", conference) + "?format=csv",
        url("export", conference) + "?format=xlsx",
        url("quotas", conference),
        url("quota", conference, session_id=visit.pk),
    ]
    user = _user_for(kind, conference)
    if user:
        client.force_login(user)
    for page in pages:
        response = client.get(page)
        assert response.status_code == EXPECTED[kind], (kind, page)
        if kind == "anonymous":
            location = response["Location"]
            assert location.startswith(login_url) and "next=" in location, location


@pytest.mark.parametrize("kind", [k for k, status in EXPECTED.items() if status != 200])
def test_actions_refused_to_everyone_but_organisers_and_nothing_changes(
    client, conference, visit, login_url, kind
):
    rtype = RegistrationTypeFactory(conference=conference, requires_approval=True)
    registration = submit(conference, rtype)
    booking = seats.seat_signup(
        registration=RegistrationFactory(conference=conference), session=visit
    )
    user = _user_for(kind, conference)
    if user:
        client.force_login(user)
    posts = [
        (detail_url(registration, "approve"), {}),
        (detail_url(registration, "reject"), {"reason": "No"}),
        (detail_url(registration, "mark_paid"), {}),
        (detail_url(registration, "cancel"), {}),
        (url("promote", conference, session_id=visit.pk), {"booking": booking.pk}),
        (url("remove", conference, session_id=visit.pk), {"booking": booking.pk}),
        (url("fill", conference, session_id=visit.pk), {}),
    ]
    for path, data in posts:
        response = client.post(path, data)
        assert response.status_code == (302 if kind == "anonymous" else 403), (kind, path)
    registration.refresh_from_db()
    booking.refresh_from_db()
    assert (registration.status, registration.approval) == ("pending", "pending")
    assert registration.order.status == Order.Status.PENDING
    assert booking.status == SeatBooking.Status.CONFIRMED
    assert not AuditEntry.objects.exclude(
        action__in=["registration.submitted", "seat.confirmed"]
    ).exists()


def test_pages_of_another_edition_are_not_reachable_through_this_one(orga, conference):
    other = ConferenceFactory()
    registration = submit(other, RegistrationTypeFactory(conference=other))
    session = SessionFactory(conference=other, seats=5, room=None)
    reference = registration.order.reference
    assert orga.get(url("registration", conference, reference=reference)).status_code == 404
    assert orga.get(url("quota", conference, session_id=session.pk)).status_code == 404
    response = orga.post(url("approve", conference, reference=reference))
    assert response.status_code == 404
    # Their own edition's pages refuse this organiser.
    assert orga.get(url("registration", other, reference=reference)).status_code == 403


def test_unknown_edition_and_unknown_reference_are_404(orga, conference):
    assert orga.get("/c/no-such-edition/organiser/").status_code == 404
    assert orga.get(url("registration", conference, reference="XX-NOPE")).status_code == 404
    assert orga.get(url("quota", conference, session_id=999999)).status_code == 404
    open_session = SessionFactory(conference=conference, seats=None)
    assert orga.get(url("quota", conference, session_id=open_session.pk)).status_code == 404


def test_wrong_method_is_refused(orga, conference):
    registration = submit(conference, RegistrationTypeFactory(conference=conference))
    assert orga.get(detail_url(registration, "approve")).status_code == 405
    assert orga.post(url("registrations", conference)).status_code == 405


def test_csrf_is_enforced_on_actions(conference, organiser, visit):
    rtype = RegistrationTypeFactory(conference=conference, requires_approval=True)
    registration = submit(conference, rtype)
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)
    assert client.post(detail_url(registration, "approve")).status_code == 403
    assert client.post(url("fill", conference, session_id=visit.pk)).status_code == 403
    registration.refresh_from_db()
    assert registration.approval == Registration.Approval.PENDING
    # With the token from the page it goes through.
    page = client.get(detail_url(registration))
    token = page.cookies["csrftoken"].value
    response = client.post(detail_url(registration, "approve"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.approval == Registration.Approval.APPROVED


# --- the dashboard -----------------------------------------------------------------------


def test_dashboard_counts(orga, conference):
    small = RegistrationTypeFactory(conference=conference, name="Press", capacity=4)
    free = RegistrationTypeFactory(conference=conference, name="Host", price_usd=0, price_cny=0)
    kenya = OrganisationFactory(country="KE")
    for _i in range(3):
        submit(conference, small, person=PersonFactory(country="KE", organisation=kenya))
    paid = submit(conference, small, person=PersonFactory(country="CN"), currency="CNY")
    services.order_mark_paid(order=paid.order, actor=None)
    submit(conference, free, person=PersonFactory(country="CN"))
    cancelled = submit(conference, free, person=PersonFactory(country="ES"))
    services.registration_cancel(registration=cancelled, actor=None)

    response = orga.get(url("dashboard", conference))
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts.total == 6
    assert {value: n for value, _label, n in counts.by_status} == {
        "pending": 3,
        "confirmed": 2,
        "waitlisted": 0,
        "cancelled": 1,
        "rejected": 0,
    }
    uses = {
        use.type.name: (use.active, use.total, use.capacity, use.percent) for use in counts.by_type
    }
    assert uses == {"Press": (4, 4, 4, 100), "Host": (1, 2, None, None)}
    assert [(row.code, row.count) for row in counts.by_country] == [("KE", 3), ("CN", 2), ("ES", 1)]
    money = {line.currency: line for line in counts.money}
    assert (money["USD"].awaiting, money["USD"].awaiting_count) == (Decimal("2400.00"), 3)
    assert (money["CNY"].paid, money["CNY"].paid_count) == (Decimal("5800.00"), 1)
    html = response.content.decode()
    assert "Kenya" in html and url("registrations", conference) + "?status=pending" in html


def test_dashboard_countries_top_15_then_others_and_names_localised(orga, conference):
    rtype = RegistrationTypeFactory(conference=conference)
    codes = ["CN"] * 3 + ["KE", "ES", "FR", "DE", "IT", "JP", "KR", "BR", "IN", "US", "GB"]
    codes += ["CA", "AU", "MX", "AR", "EG"]  # 17 countries: the last 2 go to "others"
    for code in codes:
        submit(conference, rtype, person=PersonFactory(country=code))
    submit(conference, rtype, person=PersonFactory(country=""))  # also counted in "others"
    counts = orga.get(url("dashboard", conference)).context["counts"]
    assert len(counts.by_country) == 16
    assert counts.by_country[0].code == "CN" and counts.by_country[0].count == 3
    assert counts.by_country[-1].code == "" and counts.by_country[-1].count == 3
    assert sum(row.count for row in counts.by_country) == len(codes) + 1
    html = orga.get(url("dashboard", conference), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "中国" in html and "肯尼亚" in html


# --- the list: search and filters ----------------------------------------------------------


@pytest.fixture
def crowd(conference):
    """Registrations of several types, statuses, countries and delegations."""
    delegate = RegistrationTypeFactory(conference=conference, name="Delegate")
    press = RegistrationTypeFactory(conference=conference, name="Press", requires_approval=True)
    ma_jun = PersonFactory(name="Ma Jun", name_zh="马骏", country="CN")
    cecile = PersonFactory(name="Cécile Harle", country="FR")
    wanjiru = PersonFactory(name="Wanjiru Kamau", country="KE")
    li_wei = PersonFactory(name="Li Wei", name_zh="李伟", country="CN")
    people = {
        "ma_jun": submit(conference, delegate, person=ma_jun),
        "cecile": submit(conference, press, person=cecile),
        "wanjiru": submit(conference, delegate, person=wanjiru),
        "li_wei": submit(conference, delegate, person=li_wei, currency="CNY"),
    }
    services.order_mark_paid(order=people["ma_jun"].order, actor=None)
    delegation = DelegationFactory(conference=conference, name="Beijing delegation", head=ma_jun)
    Registration.objects.filter(pk__in=[people["ma_jun"].pk, people["li_wei"].pk]).update(
        delegation=delegation
    )
    services.registration_cancel(registration=people["wanjiru"], actor=None)
    for registration in people.values():
        registration.refresh_from_db()
    return {"delegate": delegate, "press": press, "delegation": delegation, **people}


def listed(response) -> set[str]:
    return {r.person.name for r in response.context["page"].object_list}


@pytest.mark.parametrize("query", ["马骏", "馬駿", "ma jun", "majun", "Ma Jun", "MA"])
def test_search_finds_ma_jun_in_any_script(orga, conference, crowd, query):
    response = orga.get(url("registrations", conference), {"q": query})
    assert response.status_code == 200
    assert "Ma Jun" in listed(response)
    assert "Cécile Harle" not in listed(response)
    assert "马骏" in response.content.decode()


def test_search_without_accents_and_with_nothing_found(orga, conference, crowd):
    assert listed(orga.get(url("registrations", conference), {"q": "cecile"})) == {"Cécile Harle"}
    response = orga.get(url("registrations", conference), {"q": "nobody here"})
    assert listed(response) == set()
    assert "No registration matches" in response.content.decode()


def test_list_shows_the_columns_newest_first(orga, conference, crowd):
    response = orga.get(url("registrations", conference))
    rows = list(response.context["page"].object_list)
    assert [r.pk for r in rows] == sorted((r.pk for r in rows), reverse=True)
    html = response.content.decode()
    ma_jun = crowd["ma_jun"]
    for text in (
        ma_jun.order.reference,
        "马骏",
        ma_jun.person.organisation.name,
        "China",
        "Delegate",
        "Confirmed",
        "Paid",
        "800.00 USD",
        "Beijing delegation",
        "Waiting for approval",
    ):
        assert text in html, text
    assert detail_url(ma_jun) in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "press"}, {"Cécile Harle"}),
        ({"status": "cancelled"}, {"Wanjiru Kamau"}),
        ({"status": "pending"}, {"Cécile Harle", "Li Wei"}),
        ({"approval": "pending"}, {"Cécile Harle"}),
        ({"country": "CN"}, {"Ma Jun", "Li Wei"}),
        ({"delegation": "beijing"}, {"Ma Jun", "Li Wei"}),
        ({"delegation": "none"}, {"Cécile Harle", "Wanjiru Kamau"}),
        ({"paid": "yes"}, {"Ma Jun"}),
        ({"paid": "no"}, {"Cécile Harle", "Li Wei"}),
        ({"country": "CN", "paid": "no", "q": "li"}, {"Li Wei"}),
    ],
)
def test_filters(orga, conference, crowd, params, expected):
    params = dict(params)
    if params.get("type") == "press":
        params["type"] = crowd["press"].pk
    if params.get("delegation") == "beijing":
        params["delegation"] = crowd["delegation"].pk
    response = orga.get(url("registrations", conference), params)
    assert response.status_code == 200
    assert listed(response) == expected
    assert response.context["notices"] == []


def test_bad_filter_values_are_ignored_with_a_notice(orga, conference, crowd):
    other = ConferenceFactory()
    foreign_type = RegistrationTypeFactory(conference=other)
    response = orga.get(
        url("registrations", conference),
        {
            "status": "bogus",
            "type": foreign_type.pk,
            "country": "ZZ",
            "delegation": "abc",
            "paid": "maybe",
            "page": "x",
            "q": "ma jun",
        },
    )
    assert response.status_code == 200
    notices = response.context["notices"]
    assert len(notices) == 6
    html = response.content.decode()
    assert "“bogus”" in html and "was ignored" in html
    assert listed(response) == {"Ma Jun"}  # the valid filter still applies


def test_page_out_of_range_shows_the_last_page(orga, conference, settings):
    settings.ATRIUM_PAGE_SIZE = 2
    rtype = RegistrationTypeFactory(conference=conference)
    for _i in range(3):
        submit(conference, rtype)
    response = orga.get(url("registrations", conference), {"page": 9})
    assert response.status_code == 200
    assert response.context["page"].number == 2
    assert "There is no page 9" in response.content.decode()


def test_htmx_request_gets_only_the_results(orga, conference, crowd):
    response = orga.get(url("registrations", conference), {"q": "马骏"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "Ma Jun" in html and '<form class="filters' not in html
    full = orga.get(url("registrations", conference), {"q": "马骏"}).content.decode()
    assert "<html" in full and 'hx-get="' in full and 'id="registration-results"' in full


# --- one registration and its actions --------------------------------------------------


def test_detail_shows_person_answers_order_bookings_and_history(orga, conference, visit):
    question = QuestionFactory(conference=conference, label="Dietary needs")
    rtype = RegistrationTypeFactory(conference=conference, price_usd=0, price_cny=0)
    person = PersonFactory(name="Ma Jun", name_zh="马骏", email="ma.jun@example.cn")
    registration = submit(
        conference,
        rtype,
        person=person,
        answers={question.pk: "Vegetarian"},
        consent_directory=True,
    )
    seats.seat_signup(registration=registration, session=visit)
    response = orga.get(detail_url(registration))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "马骏",
        "ma.jun@example.cn",
        "Dietary needs",
        "Vegetarian",
        "Listed in the attendee directory",
        "No published photos",
        registration.order.reference,
        visit.title,
        "Registered",
        "Confirmed",
        "Seat taken",
    ):
        assert text in html, text


def test_registration_without_order_has_its_own_key(orga, conference):
    registration = RegistrationFactory(conference=conference)
    response = orga.get(url("registrations", conference))
    key = f"R-{registration.pk}"
    assert url("registration", conference, reference=key) in response.content.decode()
    assert orga.get(url("registration", conference, reference=key)).status_code == 200


def test_approve_through_the_view(orga, conference, organiser, django_capture_on_commit_callbacks):
    rtype = RegistrationTypeFactory(conference=conference, requires_approval=True)
    registration = submit(conference, rtype)
    with django_capture_on_commit_callbacks(execute=True):
        response = orga.post(detail_url(registration, "approve"))
    assert response.status_code == 302 and response["Location"] == detail_url(registration)
    registration.refresh_from_db()
    assert registration.approval == Registration.Approval.APPROVED
    assert registration.status == Registration.Status.PENDING  # still to pay
    assert [m.subject for m in mail.outbox] == [f"Your registration is approved: {conference.name}"]
    assert AuditEntry.objects.get(action="registration.approved").actor == organiser
    page = orga.get(response["Location"]).content.decode()
    assert "is approved" in page


def test_approve_what_needs_no_approval_shows_the_error(orga, conference):
    registration = submit(conference, RegistrationTypeFactory(conference=conference))
    response = orga.post(detail_url(registration, "approve"))
    assert response.status_code == 400
    assert "This registration is not waiting for approval." in response.content.decode()
    registration.refresh_from_db()
    assert registration.approval == Registration.Approval.NOT_NEEDED
    assert not AuditEntry.objects.filter(action="registration.approved").exists()


def test_reject_with_a_reason_mails_it(
    orga, conference, organiser, django_capture_on_commit_callbacks
):
    rtype = RegistrationTypeFactory(conference=conference, requires_approval=True)
    registration = submit(conference, rtype)
    with django_capture_on_commit_callbacks(execute=True):
        response = orga.post(
            detail_url(registration, "reject"), {"reason": "Press accreditation closed."}
        )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REJECTED
    assert registration.decision_reason == "Press accreditation closed."
    assert registration.order.status == Order.Status.CANCELLED
    assert len(mail.outbox) == 1
    assert "Press accreditation closed." in mail.outbox[0].body
    assert mail.outbox[0].to == [registration.person.email]
    entry = AuditEntry.objects.get(action="registration.rejected")
    assert entry.actor == organiser and entry.data == {"reason": "Press accreditation closed."}


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_without_reason_is_an_error_next_to_the_field(
    orga, conference, reason, django_capture_on_commit_callbacks
):
    rtype = RegistrationTypeFactory(conference=conference, requires_approval=True)
    registration = submit(conference, rtype)
    with django_capture_on_commit_callbacks(execute=True):
        response = orga.post(detail_url(registration, "reject"), {"reason": reason})
    assert response.status_code == 400
    form = response.context["reject_form"]
    assert form.errors == {"reason": ["Give the delegate a reason."]}
    html = response.content.decode()
    assert 'id="id_reason_error"' in html and 'aria-invalid="true"' in html
    assert "Nothing was changed" in html
    registration.refresh_from_db()
    assert (registration.status, registration.approval) == ("pending", "pending")
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action="registration.rejected").exists()


def test_error_page_renders_in_chinese(orga, conference):
    registration = submit(conference, RegistrationTypeFactory(conference=conference))
    response = orga.post(
        detail_url(registration, "reject"), {"reason": ""}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert '<html lang="zh-Hans">' in response.content.decode()


def transfer(amount="800.00", currency="USD", **extra) -> dict:
    """The mark-paid form as an organiser fills it from the bank statement."""
    return {
        "amount": amount,
        "currency": currency,
        "received_on": timezone.localdate().isoformat(),
        "reference": "BOB-20250612-001",
        **extra,
    }


def test_mark_bank_transfer_paid(orga, conference, organiser, django_capture_on_commit_callbacks):
    registration = submit(conference, RegistrationTypeFactory(conference=conference))
    with django_capture_on_commit_callbacks(execute=True):
        response = orga.post(detail_url(registration, "mark_paid"), transfer())
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    order = registration.order
    assert order.status == Order.Status.PAID and order.paid_at
    payment = order.payments.get()
    assert (payment.provider, payment.amount) == ("bank_transfer", Decimal("800.00"))
    assert [m.subject for m in mail.outbox] == [
        f"Your registration is confirmed: {conference.name}"
    ]
    actions = list(AuditEntry.objects.filter(actor=organiser).values_list("action", flat=True))
    assert sorted(actions) == ["order.paid", "registration.confirmed"]
    # A second click: the order is paid already; an error, and no second payment.
    response = orga.post(detail_url(registration, "mark_paid"), transfer())
    assert response.status_code == 400
    assert "This order is not awaiting payment." in response.content.decode()
    assert order.payments.count() == 1


def test_cancel_for_the_delegate(orga, conference, visit, django_capture_on_commit_callbacks):
    rtype = RegistrationTypeFactory(conference=conference, price_usd=0, price_cny=0)
    registration = submit(conference, rtype)
    seats.seat_signup(registration=registration, session=visit)
    with django_capture_on_commit_callbacks(execute=True):
        response = orga.post(detail_url(registration, "cancel"))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert not registration.bookings.filter(status=SeatBooking.Status.CONFIRMED).exists()
    assert [m.subject for m in mail.outbox] == [f"Registration {registration.reference} cancelled"]
    assert AuditEntry.objects.filter(action="registration.cancelled").count() == 1
    # Cancelling again: the service's error, shown at the top.
    response = orga.post(detail_url(registration, "cancel"))
    assert response.status_code == 400
    assert "This registration is already cancelled." in response.content.decode()


def test_cancel_for_a_refused_visa_needs_the_letter(orga, conference, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    registration = submit(conference, RegistrationTypeFactory(conference=conference))
    services.order_mark_paid(order=registration.order, actor=None)
    response = orga.post(detail_url(registration, "cancel"), {"visa_refused": "on"})
    assert response.status_code == 400
    assert response.context["cancel_form"].errors == {
        "proof": ["Attach the letter refusing the visa to get a full refund."]
    }
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    letter = SimpleUploadedFile("refusal.pdf", b"%PDF-1.4 refusal", content_type="application/pdf")
    response = orga.post(
        detail_url(registration, "cancel"), {"visa_refused": "on", "proof": letter}
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert registration.order.status == Order.Status.REFUNDED
    assert registration.order.refund_amount == Decimal("800.00")


def test_inactive_registration_offers_no_action(orga, conference):
    registration = submit(conference, RegistrationTypeFactory(conference=conference))
    services.registration_cancel(registration=registration, actor=None)
    html = orga.get(detail_url(registration)).content.decode()
    assert detail_url(registration, "reject") not in html
    assert "nothing left to do" in html


# --- quotas ----------------------------------------------------------------------------


def confirmed(conference, name):
    return RegistrationFactory(conference=conference, person=PersonFactory(name=name))


@pytest.fixture
def full_visit(conference, visit):
    """Two seats taken (Ana, Ben), then Chen and Dara on the waiting list, in that order."""
    bookings = {
        name: seats.seat_signup(registration=confirmed(conference, name), session=visit)
        for name in ("Ana", "Ben", "Chen", "Dara")
    }
    return visit, bookings


def test_quota_list_counts(orga, conference, full_visit):
    visit, _bookings = full_visit
    SessionFactory(conference=conference, seats=None, title="Open plenary")
    response = orga.get(url("quotas", conference))
    sessions = response.context["sessions"]
    assert [(s.pk, s.seats, s.taken, s.free, s.waiting) for s in sessions] == [
        (visit.pk, 2, 2, 0, 2)
    ]
    assert "Open plenary" not in response.content.decode()


def test_quota_page_lists_the_waiting_list_in_order(orga, conference, full_visit):
    visit, _bookings = full_visit
    response = orga.get(url("quota", conference, session_id=visit.pk))
    assert [b.registration.person.name for b in response.context["seated"]] == ["Ana", "Ben"]
    waiting = response.context["waiting"]
    assert [(b.position, b.registration.person.name) for b in waiting] == [(1, "Chen"), (2, "Dara")]
    assert [selectors.waitlist_position(b) for b in waiting] == [1, 2]
    html = response.content.decode()
    assert html.index("Chen") < html.index("Dara")


def test_promote_without_a_free_seat_is_refused(orga, conference, full_visit):
    visit, bookings = full_visit
    response = orga.post(
        url("promote", conference, session_id=visit.pk), {"booking": bookings["Dara"].pk}
    )
    assert response.status_code == 400
    assert "All 2 seats are taken" in response.content.decode()
    bookings["Dara"].refresh_from_db()
    assert bookings["Dara"].status == SeatBooking.Status.WAITLISTED


def test_promote_out_of_turn_after_adding_a_seat(
    orga, conference, full_visit, django_capture_on_commit_callbacks
):
    visit, bookings = full_visit
    visit.seats = 3
    visit.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = orga.post(
            url("promote", conference, session_id=visit.pk), {"booking": bookings["Dara"].pk}
        )
    assert response.status_code == 302
    bookings["Dara"].refresh_from_db()
    bookings["Chen"].refresh_from_db()
    assert bookings["Dara"].status == SeatBooking.Status.CONFIRMED
    assert bookings["Chen"].status == SeatBooking.Status.WAITLISTED
    assert [m.subject for m in mail.outbox] == [f"A seat is yours: {visit.title}"]
    assert AuditEntry.objects.filter(action="seat.promoted").count() == 1
    assert "Dara has a seat now" in orga.get(response["Location"]).content.decode()


def test_remove_a_seated_person_moves_the_next_one_up(
    orga, conference, full_visit, django_capture_on_commit_callbacks
):
    visit, bookings = full_visit
    with django_capture_on_commit_callbacks(execute=True):
        response = orga.post(
            url("remove", conference, session_id=visit.pk), {"booking": bookings["Ana"].pk}
        )
    assert response.status_code == 302
    statuses = {n: SeatBooking.objects.get(pk=b.pk).status for n, b in bookings.items()}
    assert statuses == {
        "Ana": "cancelled",
        "Ben": "confirmed",
        "Chen": "confirmed",
        "Dara": "waitlisted",
    }
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [
        bookings["Chen"].registration.person.email
    ]
    page = orga.get(response["Location"]).content.decode()
    assert "Ana is off the lists." in page and "Moved up from the waiting list: Chen." in page


def test_remove_someone_waiting_moves_no_one(orga, conference, full_visit):
    visit, bookings = full_visit
    response = orga.post(
        url("remove", conference, session_id=visit.pk), {"booking": bookings["Chen"].pk}
    )
    assert response.status_code == 302
    assert SeatBooking.objects.get(pk=bookings["Chen"].pk).status == "cancelled"
    assert SeatBooking.objects.get(pk=bookings["Dara"].pk).status == "waitlisted"


def test_fill_free_seats_from_the_waiting_list(
    orga, conference, full_visit, django_capture_on_commit_callbacks
):
    visit, bookings = full_visit
    response = orga.post(url("fill", conference, session_id=visit.pk))
    assert response.status_code == 302
    assert "No one moved up" in orga.get(response["Location"]).content.decode()
    visit.seats = 10
    visit.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = orga.post(url("fill", conference, session_id=visit.pk))
    assert response.status_code == 302
    assert SeatBooking.objects.filter(session=visit, status="confirmed").count() == 4
    assert len(mail.outbox) == 2
    assert "Chen, Dara" in orga.get(response["Location"]).content.decode()


@pytest.mark.parametrize("booking", ["", "abc", "999999", "other-session", "cancelled"])
def test_quota_actions_with_a_bad_booking_change_nothing(orga, conference, full_visit, booking):
    visit, bookings = full_visit
    if booking == "other-session":
        other = SessionFactory(conference=conference, seats=5, room=None, title="Gala")
        booking = seats.seat_signup(registration=confirmed(conference, "Eve"), session=other).pk
    elif booking == "cancelled":
        seats.seat_cancel(booking=bookings["Dara"])
        booking = bookings["Dara"].pk
    before = list(SeatBooking.objects.order_by("pk").values_list("pk", "status"))
    for action in ("promote", "remove"):
        response = orga.post(url(action, conference, session_id=visit.pk), {"booking": booking})
        assert response.status_code == 400
        html = response.content.decode()
        assert "Choose someone on the lists." in html or "no longer on this session" in html
    assert list(SeatBooking.objects.order_by("pk").values_list("pk", "status")) == before


# --- export ----------------------------------------------------------------------------


def _csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx_rows(response) -> list[list]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def with_answers(conference, crowd):
    question = QuestionFactory(conference=conference, label="Dietary needs", position=1)
    QuestionFactory(conference=conference, label="Arrival date", position=2)
    AnswerFactory(registration=crowd["ma_jun"], question=question, value="Vegetarian")
    return crowd


HEADERS = [
    "Reference",
    "Name",
    "Name in Chinese",
    "E-mail",
    "Organisation",
    "Country",
    "Type",
    "Status",
    "Approval",
    "Order status",
    "Currency",
    "Total",
    "Paid at",
    "Delegation",
    "Created",
    "Dietary needs",
    "Arrival date",
]


@pytest.mark.parametrize(
    "params",
    [{}, {"status": "pending"}, {"country": "CN"}, {"q": "马骏"}, {"paid": "no", "type": "press"}],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_rows_equal_the_filtered_list(orga, conference, with_answers, params, fmt):
    params = dict(params)
    if params.get("type") == "press":
        params["type"] = with_answers["press"].pk
    listed_refs = [
        r.order.reference
        for r in orga.get(url("registrations", conference), params).context["page"].object_list
    ]
    response = orga.get(url("export", conference), {**params, "format": fmt})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{conference.slug}-registrations.{fmt}"'
    )
    rows = _csv_rows(response) if fmt == "csv" else _xlsx_rows(response)
    assert rows[0] == HEADERS
    assert [row[0] for row in rows[1:]] == listed_refs


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_cells(orga, conference, with_answers, fmt):
    response = orga.get(url("export", conference), {"q": "ma jun", "format": fmt})
    rows = _csv_rows(response) if fmt == "csv" else _xlsx_rows(response)
    ma_jun = with_answers["ma_jun"]
    row = dict(zip(HEADERS, rows[1], strict=True))
    assert row["Reference"] == ma_jun.order.reference
    assert (row["Name"], row["Name in Chinese"]) == ("Ma Jun", "马骏")
    assert row["E-mail"] == ma_jun.person.email
    assert row["Country"] == "China"
    assert (row["Type"], row["Status"], row["Order status"]) == ("Delegate", "Confirmed", "Paid")
    assert row["Currency"] == "USD" and Decimal(str(row["Total"])) == Decimal("800")
    paid_at = timezone.localtime(ma_jun.order.paid_at, conference.tz).replace(tzinfo=None)
    if fmt == "csv":  # times in the edition's own time zone
        assert row["Paid at"] == paid_at.strftime("%Y-%m-%d %H:%M")
    else:
        assert abs(row["Paid at"] - paid_at).total_seconds() < 1
    assert row["Created"]
    assert row["Delegation"] == "Beijing delegation"
    assert (row["Dietary needs"], row["Arrival date"]) == ("Vegetarian", "")


def test_export_neutralises_formulas(orga, conference):
    rtype = RegistrationTypeFactory(conference=conference)
    submit(conference, rtype, person=PersonFactory(name='=HYPERLINK("http://x")'))
    rows = _csv_rows(orga.get(url("export", conference), {"format": "csv"}))
    assert rows[1][1].startswith("'=")


def test_export_bad_format_and_bad_filters(orga, conference, crowd):
    response = orga.get(url("export", conference), {"format": "pdf"})
    assert response.status_code == 400
    assert "format" in response.content.decode()
    response = orga.get(url("export", conference), {"format": "csv", "status": "bogus"})
    assert response.status_code == 200
    assert len(_csv_rows(response)) == 1 + 4  # the bad filter is ignored


def test_export_in_chinese_keeps_the_columns(orga, conference, crowd):
    response = orga.get(
        url("export", conference), {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    rows = _csv_rows(response)
    assert len(rows[0]) == 15 and len(rows) == 5


# --- queries do not grow with the edition ----------------------------------------------------


def _populate(conference, visit, n: int) -> Registration:
    rtype = RegistrationTypeFactory(conference=conference)
    question = Question.objects.filter(conference=conference).first() or QuestionFactory(
        conference=conference
    )
    delegation = DelegationFactory(conference=conference)
    last = None
    for i in range(n):
        person = PersonFactory(
            name=f"Ma Jun {i}", name_zh="马骏", country=["CN", "KE", "ES"][i % 3]
        )
        registration = RegistrationFactory(
            conference=conference,
            person=person,
            type=rtype,
            status="pending",
            delegation=delegation if i % 2 else None,
        )
        OrderFactory(registration=registration, status=["pending", "paid"][i % 2])
        AnswerFactory(registration=registration, question=question)
        SeatBooking.objects.create(
            session=visit,
            registration=registration,
            status="confirmed" if i < visit.seats else "waitlisted",
        )
        last = registration
    return last


def _query_counts(client, conference, visit, registration) -> dict[str, int]:
    htmx = {"HX-Request": "true"}
    pages = {
        "dashboard": (url("dashboard", conference), {}, {}),
        "list": (url("registrations", conference), {}, {}),
        "list, search": (url("registrations", conference), {"q": "马骏"}, {}),
        "list, filtered": (url("registrations", conference), {"country": "CN", "paid": "no"}, {}),
        "list, htmx": (url("registrations", conference), {"q": "ma jun"}, htmx),
        "export csv": (url("export", conference), {"format": "csv"}, {}),
        "export xlsx": (url("export", conference), {"format": "xlsx"}, {}),
        "quotas": (url("quotas", conference), {}, {}),
        "quota": (url("quota", conference, session_id=visit.pk), {}, {}),
        "detail": (url("registration", conference, reference=registration.order.reference), {}, {}),
    }
    counts = {}
    for name, (path, params, headers) in pages.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, params, headers=headers)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, name
        counts[name] = len(queries)
    return counts


def test_query_counts_do_not_grow_with_the_number_of_registrations(
    orga, django_assert_max_num_queries
):
    small = ConferenceFactory(slug="small")
    large = ConferenceFactory(slug="large")
    user = AccountFactory(is_superuser=True)
    orga.force_login(user)
    small_visit = SessionFactory(conference=small, seats=5, room=None)
    large_visit = SessionFactory(conference=large, seats=5, room=None)
    small_last = _populate(small, small_visit, 10)
    _query_counts(orga, small, small_visit, small_last)  # warm caches (content types)
    small_counts = _query_counts(orga, small, small_visit, small_last)
    large_counts = _query_counts(orga, large, large_visit, _populate(large, large_visit, 60))
    assert small_counts == large_counts
    with django_assert_max_num_queries(12):
        orga.get(url("registrations", large), {"q": "马骏", "country": "CN"})
    assert max(large_counts.values()) <= 12, large_counts


def test_a_reason_in_chinese_is_mailed_as_written(orga, conference):
    rtype = RegistrationTypeFactory(conference=conference, requires_approval=True)
    registration = submit(conference, rtype, language="zh-hans")
    with TestCase.captureOnCommitCallbacks(execute=True):
        orga.post(detail_url(registration, "reject"), {"reason": "名额已满"})
    assert "名额已满" in mail.outbox[0].body


def test_a_fake_refusal_letter_is_refused_by_its_content_and_nothing_changes(orga, conference):
    registration = submit(conference, RegistrationTypeFactory(conference=conference))
    services.order_mark_paid(order=registration.order, actor=None)
    fake = SimpleUploadedFile("refusal.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = orga.post(detail_url(registration, "cancel"), {"visa_refused": "on", "proof": fake})
    assert response.status_code == 400
    assert "proof" in response.context["cancel_form"].errors
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert not registration.visa_refusal_proof


def test_the_refusal_letter_opens_for_the_editions_organisers_only(
    orga, client, conference, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    registration = submit(conference, RegistrationTypeFactory(conference=conference))
    services.order_mark_paid(order=registration.order, actor=None)
    letter = SimpleUploadedFile("refusal.pdf", b"%PDF-1.4 refusal", "application/pdf")
    services.registration_cancel(
        registration=registration, actor=None, visa_refused=True, proof=letter
    )
    url = detail_url(registration, "refusal-proof")
    assert url in orga.get(detail_url(registration)).content.decode()
    response = orga.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")
    assert AuditEntry.objects.filter(action="registration.refusal_proof_opened").count() == 1
    other = ConferenceRoleFactory(conference=ConferenceFactory(slug="elsewhere")).user
    client.force_login(other)
    assert client.get(url).status_code == 403
    client.force_login(AccountFactory())
    assert client.get(url).status_code == 403
