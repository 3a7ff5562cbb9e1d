"""A delegate asks for a visa invitation letter and sees its status — in Chromium."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from atrium.core.models import AuditEntry
from atrium.events.models import Conference
from atrium.visas.models import VisaLetterRequest
from tests.browser.conftest import PHONE, no_horizontal_overflow, screenshot
from tests.browser.test_accessibility import serious_violations
from tests.factories import PersonFactory, RegistrationFactory, UserFactory
from tests.registration.factories_organiser import ConferenceRoleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logged_in(open_page, live_server, user, path, **kwargs):
    client = Client()
    client.force_login(user)
    page = open_page("/static/atrium/atrium.css", **kwargs)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(live_server.url + path)
    return page


def _fill(page, **values):
    labels = {
        "name": "Full name as in your passport",
        "born": "Date of birth",
        "number": "Passport number",
        "expiry": "Passport valid until",
        "entry": "Intended entry",
        "exit": "Intended exit",
        "city": "City of the embassy or consulate",
    }
    for key, value in values.items():
        page.get_by_label(labels[key], exact=True).fill(value)


def test_a_delegate_asks_for_a_letter_and_sees_the_status(demo, open_page, live_server):
    conference = Conference.objects.get(slug="beijing-2025")
    user = UserFactory(email="lena@example.org")
    person = PersonFactory(user=user, name="Lena Vogel", email=user.email, country="DE")
    RegistrationFactory(conference=conference, person=person)

    page = _logged_in(open_page, live_server, user, "/c/beijing-2025/me/visa/")
    expect(page.get_by_role("heading", name="Visa invitation letter", level=1)).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Nationality", exact=True).select_option("DE")
    _fill(
        page,
        name="Lena Maria VOGEL",
        born="1984-02-03",
        number="C01X00T47",
        expiry="2026-01-31",  # less than six months after the exit: refused
        entry="2025-09-14",
        exit="2025-09-19",
        city="Frankfurt",
    )
    page.get_by_role("button", name="Send my request").click()
    error = page.locator("div#id_passport_expiry_error")
    expect(error).to_contain_text("at least 6 months after your exit date")
    screenshot(page, "visa-request-error-en-desktop")
    assert serious_violations(page) == []
    assert not VisaLetterRequest.objects.filter(registration__person=person).exists()

    _fill(page, expiry="2031-01-31")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_text("Your request is sent")).to_be_visible()
    expect(page.locator(".visa-status")).to_have_text("Waiting for review")
    expect(page.get_by_text("C01X00T47")).to_be_visible()
    screenshot(page, "visa-request-status-en-desktop")
    assert serious_violations(page) == []
    visa_request = VisaLetterRequest.objects.get(registration__person=person)
    assert visa_request.passport().passport_name == "Lena Maria VOGEL"
    assert visa_request.consulate_city == "Frankfurt"

    phone = _logged_in(open_page, live_server, user, "/c/beijing-2025/me/visa/", viewport=PHONE)
    expect(phone.locator(".visa-status")).to_be_visible()
    assert no_horizontal_overflow(phone)
    screenshot(phone, "visa-request-status-en-phone")

    # An organiser finds it in the queue and opens it (the look is logged).
    organiser = ConferenceRoleFactory(conference=conference).user
    queue = _logged_in(open_page, live_server, organiser, "/c/beijing-2025/organiser/visa/")
    queue.get_by_role("link", name="Lena Vogel").click()
    expect(queue.get_by_text("C01X00T47")).to_be_visible()
    expect(queue.get_by_role("button", name="Approve and issue")).to_be_visible()
    screenshot(queue, "visa-organiser-detail-en-desktop")
    assert serious_violations(queue) == []
    assert AuditEntry.objects.filter(action="visa.passport_viewed", actor=organiser).exists()
