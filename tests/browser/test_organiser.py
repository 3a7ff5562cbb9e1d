"""The organiser pages in real Chromium: live search, actions with errors, a quota page."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from atrium.events.models import ConferenceRole
from atrium.registration import seats, services
from atrium.registration.models import SeatBooking
from tests.browser.conftest import DESKTOP, PHONE, no_horizontal_overflow, screenshot
from tests.browser.test_accessibility import serious_violations
from tests.factories import (
    ConferenceFactory,
    DelegationFactory,
    OrganisationFactory,
    PersonFactory,
    QuestionFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
    SessionFactory,
    local,
)
from tests.registration.factories_organiser import ConferenceRoleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# name, Chinese name, country, organisation, type, paid
PEOPLE = [
    ("Ma Jun", "马骏", "CN", "Zhongguancun Science Park", "delegate", True),
    ("Li Wei", "李伟", "CN", "Tsinghua Science Park", "delegate", False),
    ("Wang Fang", "王芳", "CN", "Beijing Municipal Commission", "government", False),
    ("Cécile Harle", "", "FR", "Sophia Antipolis", "press", False),
    ("Wanjiru Kamau", "", "KE", "Konza Technopolis", "delegate", True),
    ("Lucía Fernández", "", "ES", "Málaga TechPark", "government", False),
    ("Kenji Sato", "", "JP", "Kyoto Research Park", "delegate", True),
    ("Ana Souza", "", "BR", "Porto Digital", "press", False),
    ("Zhang Min", "张敏", "CN", "Zhangjiang Hi-Tech Park", "delegate", True),
    ("Omar Haddad", "", "EG", "Smart Village Cairo", "delegate", False),
]


@pytest.fixture
def edition(transactional_db):
    """An edition with registrations in every state, a delegation and a full visit."""
    conference = ConferenceFactory(slug="beijing-demo", name="42nd IASP World Conference")
    RegistrationPolicyFactory(conference=conference)
    types = {
        "delegate": RegistrationTypeFactory(conference=conference, name="Delegate", name_zh="代表"),
        "press": RegistrationTypeFactory(
            conference=conference, name="Press", name_zh="媒体", requires_approval=True
        ),
        "government": RegistrationTypeFactory(
            conference=conference,
            name="Government",
            name_zh="政府",
            capacity=40,
            price_usd=0,
            price_cny=0,
        ),
    }
    QuestionFactory(conference=conference, label="Dietary needs", label_zh="饮食要求")
    registrations = {}
    for name, name_zh, country, organisation, rtype, paid in PEOPLE:
        person = PersonFactory(
            name=name,
            name_zh=name_zh,
            country=country,
            organisation=OrganisationFactory(name=organisation, country=country),
        )
        registration = services.registration_submit(
            conference=conference,
            person=person,
            rtype=types[rtype],
            currency="CNY" if country == "CN" else "USD",
        )
        if paid:
            services.order_mark_paid(order=registration.order, actor=None)
            registration.refresh_from_db()
        registrations[name] = registration
    services.registration_cancel(registration=registrations["Omar Haddad"], actor=None)
    delegation = DelegationFactory(
        conference=conference,
        name="Beijing delegation",
        name_zh="北京代表团",
        head=registrations["Ma Jun"].person,
    )
    for name in ("Ma Jun", "Li Wei", "Zhang Min"):
        registration = registrations[name]
        registration.delegation = delegation
        registration.save(update_fields=["delegation"])

    visit = SessionFactory(
        conference=conference,
        kind="technical_visit",
        title="Visit: Zhongguancun Science Park",
        title_zh="参观：中关村科技园",
        seats=3,
        room=None,
        place="Haidian",
        start=local(conference, 1, 14),
    )
    SessionFactory(
        conference=conference,
        kind="social",
        title="Gala dinner",
        seats=200,
        room=None,
        start=local(conference, 1, 19),
    )
    # Three seats, then a waiting list: Zhang Min first, Lucía second.
    for name in ("Ma Jun", "Wanjiru Kamau", "Kenji Sato", "Zhang Min", "Lucía Fernández"):
        seats.seat_signup(registration=registrations[name], session=visit)
    organiser = ConferenceRoleFactory(conference=conference, role=ConferenceRole.Role.ORGANISER)
    return {
        "conference": conference,
        "visit": visit,
        "registrations": registrations,
        "user": organiser.user,
    }


@pytest.fixture
def organiser_page(browser, live_server, edition):
    """``organiser_page(path, viewport=DESKTOP, language="en")``: a page logged in as organiser."""
    client = Client()
    client.force_login(edition["user"])
    session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
    contexts = []

    def _open(path: str, *, viewport=DESKTOP, language: str = "en"):
        context = browser.new_context(
            viewport=viewport,
            locale="zh-CN" if language.startswith("zh") else "en-GB",
            extra_http_headers={"Accept-Language": "zh-Hans" if language == "zh-hans" else "en"},
        )
        context.set_default_timeout(10_000)
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": live_server.url}]
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + path)
        return page

    yield _open
    for context in contexts:
        context.close()


BASE = "/c/beijing-demo/organiser/"


@pytest.mark.parametrize("query", ["马骏", "ma jun", "majun"])
def test_live_search_in_any_script(organiser_page, query):
    page = organiser_page(BASE + "registrations/")
    expect(page.locator(".orga-table tbody tr")).to_have_count(len(PEOPLE))
    page.get_by_label("Search").fill(query)
    rows = page.locator("#registration-results .orga-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ma Jun")
    expect(rows.first).to_contain_text("马骏")
    assert "q=" in page.url


def test_filters_without_typing_and_the_list_screenshot(organiser_page):
    page = organiser_page(BASE + "registrations/")
    screenshot(page, "organiser-registrations-desktop-en")
    page.get_by_label("Country").select_option("CN")
    expect(page).to_have_url(re.compile(r"country=CN"))
    rows = page.locator("#registration-results .orga-table tbody tr")
    expect(rows).to_have_count(4)
    page.get_by_label("Payment").select_option("yes")
    expect(page).to_have_url(re.compile(r"paid=yes"))
    expect(rows).to_have_count(2)  # Ma Jun and Zhang Min; Wang Fang's type is free
    expect(rows.filter(has_text="Wang Fang")).to_have_count(0)
    export = page.get_by_role("link", name="Excel (XLSX)")
    assert "country=CN" in export.get_attribute("href")
    assert "paid=yes" in export.get_attribute("href")


def test_list_on_a_phone_in_chinese(organiser_page):
    page = organiser_page(BASE + "registrations/?q=ma+jun", viewport=PHONE, language="zh-hans")
    expect(page.locator(".orga-table tbody tr")).to_have_count(1)
    assert no_horizontal_overflow(page)
    screenshot(page, "organiser-registrations-phone-zh")


def test_dashboard_screenshot(organiser_page):
    page = organiser_page(BASE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Organiser dashboard")
    expect(page.locator("#by-country ~ .orga-table-wrap")).to_contain_text("China")
    screenshot(page, "organiser-dashboard-desktop-en")


def test_reject_needs_a_reason_then_approve(organiser_page, edition):
    cecile = edition["registrations"]["Cécile Harle"]
    page = organiser_page(f"{BASE}registrations/{cecile.order.reference}/")
    page.get_by_role("button", name="Reject and send the reason").click()
    reason = page.get_by_label("Reason sent to the delegate")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_reason_error")).to_have_text("Give the delegate a reason.")
    screenshot(page, "organiser-registration-error-desktop-en")
    cecile.refresh_from_db()
    assert cecile.status == "pending"
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".notices")).to_contain_text("is approved")
    cecile.refresh_from_db()
    assert cecile.approval == "approved"
    expect(page.locator(".orga-history")).to_contain_text("Approved")


def test_quota_page_moves_people(organiser_page, edition):
    visit = edition["visit"]
    page = organiser_page(f"{BASE}quotas/{visit.pk}/")
    waiting = page.locator(".orga-table--waiting tbody tr")
    expect(waiting).to_have_count(2)
    expect(waiting.nth(0)).to_contain_text("Zhang Min")
    expect(waiting.nth(1)).to_contain_text("Lucía Fernández")
    screenshot(page, "organiser-quota-desktop-en")
    # The visit is full: giving Lucía a seat out of turn is refused, and says why.
    waiting.nth(1).get_by_role("button", name=re.compile("Give a seat")).click()
    expect(page.locator(".orga-error")).to_contain_text("All 3 seats are taken")
    # Someone seated leaves: the first waiting moves up.
    page.locator(".orga-table--seated tbody tr").first.get_by_role(
        "button", name=re.compile("Remove")
    ).click()
    expect(page.locator(".notices")).to_contain_text("Moved up from the waiting list: Zhang Min")
    expect(page.locator(".orga-table--waiting tbody tr")).to_have_count(1)
    zhang = edition["registrations"]["Zhang Min"]
    assert zhang.bookings.get(session=visit).status == SeatBooking.Status.CONFIRMED
    screenshot(page, "organiser-quota-after-desktop-en")


def test_quota_page_on_a_phone_in_chinese(organiser_page, edition):
    page = organiser_page(
        f"{BASE}quotas/{edition['visit'].pk}/", viewport=PHONE, language="zh-hans"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("参观：中关村科技园")
    assert no_horizontal_overflow(page)
    screenshot(page, "organiser-quota-phone-zh")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_organiser_pages_have_no_serious_accessibility_issue(organiser_page, edition, language):
    reference = edition["registrations"]["Ma Jun"].order.reference
    problems = {}
    for path in (
        BASE,
        BASE + "registrations/",
        BASE + "registrations/?status=bogus",
        f"{BASE}registrations/{reference}/",
        BASE + "quotas/",
        f"{BASE}quotas/{edition['visit'].pk}/",
    ):
        for viewport in (DESKTOP, PHONE):
            page = organiser_page(path, viewport=viewport, language=language)
            found = serious_violations(page)
            if found:
                problems[f"{path} @ {viewport['width']}px"] = found
            page.close()
    assert problems == {}
