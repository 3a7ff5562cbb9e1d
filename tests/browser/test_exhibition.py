"""The exhibition in Chromium: the plan (English and Chinese, desktop and phone, zoom),
a profile, the portal, the lead page scanning offline then sending the queue, /me/'s
consent, the organiser's page and a tour; screenshots, and axe finds nothing serious."""

from __future__ import annotations

import json
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from atrium.checkin.badges import badge_issue
from atrium.checkin.tokens import sign_badge_key
from atrium.exhibition.models import Exhibitor, Lead, Tour
from atrium.registration.models import Registration
from tests.browser.conftest import DESKTOP, PHONE, no_horizontal_overflow, screenshot
from tests.browser.test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN = "/c/beijing-2025/exhibition/"


@pytest.fixture
def logged_in(browser, live_server, demo):
    get_user_model().objects.create_superuser("organiser", "organiser@example.org", "demo-pass")
    contexts = []

    def _open(username, path, *, viewport=DESKTOP, language="en"):
        context = browser.new_context(
            viewport=viewport,
            locale="zh-CN" if language.startswith("zh") else "en-GB",
            extra_http_headers={"Accept-Language": "zh-Hans" if language != "en" else "en"},
        )
        context.set_default_timeout(10_000)
        if username:
            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
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
        page.goto(live_server.url + path)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_plan_profile_portal_and_organiser_pages(logged_in, language):
    zgc = Exhibitor.objects.get(
        conference__slug="beijing-2025", organisation__slug="zhongguancun-science-park"
    )
    tour = Tour.objects.get(conference__slug="beijing-2025")
    problems = {}
    pages = [
        (None, PLAN, "plan"),
        (None, PLAN + "?q=中關村", "plan-search"),
        (None, f"{PLAN}exhibitors/", "exhibitors"),
        (None, f"{PLAN}exhibitors/{zgc.pk}/", "profile"),
        ("exhibitor@example.org", f"{PLAN}portal/{zgc.pk}/", "portal"),
        ("booth@example.org", f"{PLAN}portal/{zgc.pk}/leads/", "leads"),
        ("delegate@example.org", "/me/", "me"),
        ("organiser", "/c/beijing-2025/organiser/exhibition/", "organiser"),
        ("organiser", f"/c/beijing-2025/organiser/exhibition/tours/{tour.pk}/", "tour"),
    ]
    for user, path, name in pages:
        for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
            page = logged_in(user, path, viewport=viewport, language=language)
            assert page.locator("h1").count() >= 1, path
            screenshot(page, f"exhibition-{name}-{language}-{label}")
            found = serious_violations(page)
            if found:
                problems[f"{path} @ {label}"] = found
            if name != "plan":  # the plan's frame scrolls; the page itself does not
                assert no_horizontal_overflow(page), f"{path} @ {label}"
            page.close()
    assert problems == {}


def test_plan_shows_names_in_the_pages_language_and_zooms(logged_in):
    page = logged_in(None, PLAN, language="zh-hans")
    expect(page.locator("h1")).to_be_visible()
    assert "中关村科技园区" in page.locator("svg").first.inner_html()
    tools = page.locator("[data-plan-tools]").first
    expect(tools).to_be_visible()
    before = page.locator("svg").first.get_attribute("viewBox")
    tools.locator("[data-zoom-in]").click()
    after = page.locator("svg").first.get_attribute("viewBox")
    assert float(after.split()[2]) < float(before.split()[2])
    # The list view offers the same booths to a screen reader, with links to profiles.
    page.locator("details.plan-list summary").first.click()
    link = page.get_by_role("link", name="中关村科技园区").first
    link.click()
    expect(page.locator("h1")).to_have_text("中关村科技园区")


def test_booth_staff_scans_offline_and_the_queue_is_sent_when_back(logged_in):
    zgc = Exhibitor.objects.get(
        conference__slug="beijing-2025", organisation__slug="zhongguancun-science-park"
    )
    visitors = list(
        Registration.objects.filter(conference__slug="beijing-2025", status="confirmed")
        .exclude(leads__exhibitor=zgc)
        .order_by("pk")[:3]
    )
    tokens = [sign_badge_key(badge_issue(registration=r, actor=None).key) for r in visitors]
    page = logged_in("booth@example.org", f"{PLAN}portal/{zgc.pk}/leads/", viewport=PHONE)
    before = Lead.objects.filter(exhibitor=zgc).count()
    page.context.set_offline(True)
    field = page.locator("input[name=token]")
    for token in tokens:
        field.fill(token)
        field.press("Enter")
    key = f"atrium.leads.beijing-2025.{zgc.pk}"
    queue = json.loads(page.evaluate(f"localStorage.getItem('{key}') || '[]'"))
    assert len(queue) == 3
    expect(page.locator("[data-queue-status]")).to_be_visible()
    screenshot(page, "exhibition-leads-offline-en-phone")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and Lead.objects.filter(exhibitor=zgc).count() < before + 3:
        time.sleep(0.2)
    assert Lead.objects.filter(exhibitor=zgc).count() == before + 3
    expect(page.locator("[data-recent] li").first).to_contain_text("Lead saved")
    screenshot(page, "exhibition-leads-sent-en-phone")


def test_an_exhibitor_holds_a_booth_pays_online_and_downloads_the_receipt(logged_in, settings):
    from atrium.exhibition.models import BoothBooking
    from atrium.network.models import Organisation

    settings.ATRIUM_PAYMENT_PROVIDERS = ["bank_transfer", "test"]
    beijing = Exhibitor.objects.filter(conference__slug="beijing-2025").first().conference
    user = get_user_model().objects.create_user("pay@example.org", "pay@example.org", "pw-1-x")
    organisation = Organisation.objects.exclude(exhibitors__conference=beijing).first()
    exhibitor = Exhibitor.objects.create(
        conference=beijing, organisation=organisation, contact=user, status="accepted"
    )
    page = logged_in(
        "pay@example.org", f"{PLAN}portal/{exhibitor.pk}/", viewport=PHONE, language="zh-hans"
    )
    page.locator("form[action$='/hold/'] button[type=submit]").click()
    page.wait_for_url("**/pay/")
    booking = BoothBooking.objects.get(exhibitor=exhibitor)
    expect(page.locator("h1")).to_contain_text(booking.booth.code)
    screenshot(page, "exhibition-pay-zh-hans-phone")
    assert serious_violations(page) == []
    assert no_horizontal_overflow(page)
    page.locator("form[action$='/pay/test/'] button[type=submit]").click()
    receipt = page.locator("a[href$='/receipt.pdf']")
    expect(receipt).to_be_visible()
    screenshot(page, "exhibition-paid-zh-hans-phone")
    booking.refresh_from_db()
    assert booking.status == "booked"
    assert booking.payments.get().receipt_number >= 1
    response = page.request.get(page.url.split("/c/")[0] + receipt.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
