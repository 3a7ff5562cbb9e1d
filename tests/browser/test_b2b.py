"""B2B matchmaking in real Chromium: Cecile Harle's page on desktop and phone, accepting a
request, the organiser's printable table sheets, and no serious accessibility issue."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from atrium.demo.matchmaking import ensure_matchmaking_demo
from atrium.events.models import Conference
from tests.browser.conftest import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    no_horizontal_overflow,
    screenshot,
)
from tests.browser.test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

B2B = "/c/beijing-2025/b2b/"


@pytest.fixture
def b2b_demo(demo):
    ensure_matchmaking_demo(Conference.objects.get(slug="beijing-2025"), seed=2025)
    # The organiser login that `manage.py load_demo` creates.
    get_user_model().objects.create_superuser("organiser", "organiser@example.org", "demo-pass")


@pytest.fixture
def logged_in(browser, live_server):
    """``logged_in(username, path, viewport=..., language=...)`` → a page with a session."""
    contexts = []

    def _open(username: str, path: str, *, viewport=DESKTOP, language: str = "en"):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        context = browser.new_context(
            viewport=viewport,
            locale="zh-CN" if language.startswith("zh") else "en-GB",
            extra_http_headers={
                "Accept-Language": "zh-Hans" if language.startswith("zh") else "en"
            },
        )
        context.set_default_timeout(10_000)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + path)
        return page

    yield _open
    for context in contexts:
        context.close()


def test_cecile_sees_meetings_requests_and_suggestions(b2b_demo, logged_in):
    page = logged_in("delegate@example.org", B2B, viewport=DESKTOP)
    expect(page.get_by_role("heading", level=1)).to_have_text("B2B meetings")
    meetings = page.locator(".b2b-meeting--published")
    expect(meetings.first).to_be_visible()
    expect(meetings.first.locator(".b2b-table")).to_have_text(re.compile(r"^[AB][1-6]$"))
    expect(page.locator("#meetings")).to_contain_text("Zhongguancun")
    expect(page.locator(".b2b-suggestion").first.locator(".b2b-reasons li").first).to_be_visible()
    screenshot(page, "b2b-desktop-en")

    # Accept the request from Zhongguancun waiting for her.
    request = page.locator(".b2b-request").first
    name = request.locator(".b2b-person strong").inner_text()
    request.get_by_role("button", name="Accept").click()
    expect(page.locator(".notice--success")).to_contain_text(name)
    expect(page.locator("#meetings")).to_contain_text("Time and table to come")


def test_b2b_page_on_a_phone_in_chinese(b2b_demo, logged_in):
    page = logged_in("delegate@example.org", B2B, viewport=PHONE, language="zh-hans")
    expect(page.locator(".b2b-meeting").first).to_be_visible()
    assert no_horizontal_overflow(page)
    screenshot(page, "b2b-phone-zh")


def test_table_sheets_print_one_table_per_page(b2b_demo, logged_in):
    page = logged_in("organiser", "/c/beijing-2025/organiser/b2b/tables/")
    expect(page.locator(".b2b-sheet").first).to_contain_text("A1")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".b2b-sheet").first.evaluate("el => getComputedStyle(el).breakAfter") in (
        "page",
        "always",
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "b2b-table-sheets-print.png"))  # the first sheet


def test_b2b_pages_have_no_serious_accessibility_issue(b2b_demo, logged_in):
    problems = {}
    for username, path in (
        ("delegate@example.org", B2B),
        ("delegate@example.org", B2B + "profile/"),
        ("delegate@example.org", B2B + "people/"),
        ("organiser", "/c/beijing-2025/organiser/b2b/"),
    ):
        for viewport in (DESKTOP, PHONE):
            page = logged_in(username, path, viewport=viewport)
            found = serious_violations(page)
            if found:
                problems[f"{path} @ {viewport['width']}px"] = found
            page.close()
    assert problems == {}
