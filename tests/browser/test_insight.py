"""The organiser insight page in real Chromium: both languages, desktop and phone, axe
clean, no CSP violation, the period switch by htmx, the map's links and the live part."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from atrium.events.models import ConferenceRole
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    htmx_settled,
    no_horizontal_overflow,
    screenshot,
)
from tests.browser.test_accessibility import serious_violations
from tests.insight.helpers import build_edition, check_in
from tests.registration.factories_organiser import ConferenceRoleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.real_clock]

PATH = "/c/beijing/organiser/insight/"


@pytest.fixture
def edition(transactional_db):
    data = build_edition()
    r = data["registrations"]
    # Two people in today (the edition's day: just now), so that the live part has figures.
    now = timezone.now()
    check_in(r[1], now - dt.timedelta(seconds=2))
    check_in(r[2], now - dt.timedelta(seconds=1))
    data["organiser"] = ConferenceRoleFactory(conference=data["conference"]).user
    data["staff"] = ConferenceRoleFactory(
        conference=data["conference"], role=ConferenceRole.Role.CHECKIN
    ).user
    return data


@pytest.fixture
def logged_in(browser, live_server):
    contexts = []

    def _open(user, path: str, *, viewport=DESKTOP, language: str = "en"):
        client = Client()
        client.force_login(user)
        context = browser.new_context(
            viewport=viewport,
            locale="zh-CN" if language.startswith("zh") else "en-GB",
            extra_http_headers={"Accept-Language": "zh-Hans" if language == "zh-hans" else "en"},
        )
        context.set_default_timeout(15_000)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        page = context.new_page()
        page.csp_errors = []
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text and page.csp_errors.append(message.text)
            ),
        )
        page.goto(live_server.url + path)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_page_in_both_languages_on_desktop_and_phone(edition, logged_in, language, viewport):
    page = logged_in(edition["organiser"], PATH, viewport=viewport, language=language)
    heading = "洞察" if language == "zh-hans" else "Insight"
    expect(page.locator("h1")).to_have_text(re.compile(f"{heading}|Insight"))
    expect(page.locator("#map-registrations")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    china = "中国" if language == "zh-hans" else "China"
    expect(page.locator('table[data-table="countries"] tbody tr').first).to_contain_text(china)
    for details in page.locator("details.insight-table").all():
        details.locator("summary").click()
    name = f"insight-{'desktop' if viewport == DESKTOP else 'phone'}-{language}"
    screenshot(page, name)
    assert no_horizontal_overflow(page)
    assert serious_violations(page) == []
    assert page.csp_errors == []


def test_the_period_switch_changes_the_chart_without_reloading(edition, logged_in):
    page = logged_in(edition["organiser"], PATH)
    page.evaluate("window.insightMarker = 'kept'")
    page.locator("#over-time").get_by_role("link", name="Week", exact=True).click()
    expect(page).to_have_url(re.compile(r"period=week"))
    htmx_settled(page)
    page.locator("#over-time details summary").click()
    rows = page.locator('table[data-table="over-time"] tbody tr')
    expect(rows).to_have_count(3)
    expect(rows.first.locator("th")).to_have_text("2025-09-01")
    assert page.evaluate("window.insightMarker") == "kept"  # no full page load
    page.locator("#over-time").get_by_role("link", name="By type").click()
    expect(page.locator('table[data-table="over-time"] thead')).to_contain_text("Press")
    screenshot(page, "insight-over-time-week-by-type")


def test_a_country_on_the_map_opens_its_registrations(edition, logged_in):
    page = logged_in(edition["organiser"], PATH)
    page.locator("#map-registrations a[href$='country=ES']").click()
    expect(page).to_have_url(re.compile(r"/organiser/registrations/\?country=ES$"))
    expect(page.locator("#registration-results .orga-table tbody tr")).to_have_count(2)


def test_the_check_in_part_refreshes_itself(edition, logged_in):
    page = logged_in(edition["organiser"], PATH)
    people = page.locator('#insight-checkins [data-figure="people"]')
    expect(people).to_have_text("2")
    page.evaluate("window.insightMarker = 'kept'")
    check_in(edition["registrations"][4], timezone.now())
    expect(people).to_have_text("3", timeout=30_000)  # the 20-second poll
    assert page.evaluate("window.insightMarker") == "kept"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_check_in_staff_get_the_check_in_part_on_a_phone(edition, logged_in, language):
    page = logged_in(edition["staff"], PATH + "checkins/", viewport=PHONE, language=language)
    expect(page.locator('[data-figure="people"]')).to_have_text("2")
    assert page.locator("#money").count() == 0
    screenshot(page, f"insight-checkins-staff-phone-{language}")
    assert no_horizontal_overflow(page)
    assert serious_violations(page) == []
    assert page.csp_errors == []


def test_the_dashboard_panel_loads_its_figures(edition, logged_in):
    page = logged_in(edition["organiser"], "/c/beijing/organiser/")
    panel = page.locator("#insight-panel")
    expect(panel.locator('[data-figure="so-far"]')).to_contain_text("7 registrations so far")
    expect(panel.locator('[data-attention="approval"]')).to_be_visible()
    panel.scroll_into_view_if_needed()
    screenshot(page, "insight-dashboard-panel-desktop-en")
    assert serious_violations(page) == []
    assert page.csp_errors == []


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_exhibition_and_calls_panels_on_a_phone(edition, logged_in, language):
    from tests.insight.test_exhibition_calls import build_calls, build_exhibition

    build_exhibition(edition)
    build_calls(edition)
    page = logged_in(edition["organiser"], PATH, viewport=PHONE, language=language)
    exhibition = page.locator("#exhibition")
    expect(exhibition.locator('[data-figure="booths-booked"]')).to_have_text("3")
    hall = "A馆" if language == "zh-hans" else "Hall A"
    expect(exhibition.locator('table[data-table="booths"] tbody tr').first).to_contain_text(hall)
    expect(exhibition.locator("svg.chart").first).to_be_visible()
    calls = page.locator("#calls")
    expect(calls.locator('table[data-table="calls"] tbody tr')).to_have_count(3)
    expect(page.locator('[data-attention="exhibitor-applications"]')).to_be_visible()
    for details in exhibition.locator("details.insight-table").all():
        details.locator("summary").click()
    exhibition.screenshot(path=str(screenshot(page, f"insight-exhibition-phone-{language}")))
    calls.screenshot(path=str(screenshot(page, f"insight-calls-phone-{language}")))
    page.locator("#attention").screenshot(
        path=str(screenshot(page, f"insight-attention-phone-{language}"))
    )
    assert no_horizontal_overflow(page)
    assert serious_violations(page) == []
    assert page.csp_errors == []
