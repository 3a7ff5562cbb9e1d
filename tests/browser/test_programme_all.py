"""The whole programme on one page in real Chromium: every day, no script needed, phone and
desktop, both languages; and the day's timetable with a visitor's stars filled in."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, no_horizontal_overflow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URL = "/c/beijing-2025/programme/all/"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_whole_programme(demo, open_page, language, viewport, label):
    page = open_page(URL, viewport=viewport, language=language)
    expect(page.locator(".programme-day")).to_have_count(3)
    expect(page.locator(".programme-list--all").first).to_be_visible()
    opening = "开幕式" if language == "zh-hans" else "Opening ceremony"
    expect(page.locator(".programme-list--all").get_by_text(opening).first).to_be_visible()
    assert no_horizontal_overflow(page)
    screenshot(page, f"programme-all-{label}-{language}")


def test_whole_programme_without_javascript(demo, browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/c/beijing-2025/programme/")
    page.get_by_role("link", name="The whole programme on one page").click()
    expect(page.locator(".programme-day")).to_have_count(3)
    page.get_by_role("link", name="Day 3 · 18 September").click()
    expect(page).to_have_url(live_server.url + URL + "#day-2025-09-18")
    context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_a_delegate_stars_a_session_on_the_cached_timetable(
    demo, browser, live_server, language, viewport, label
):
    """The timetable is shared; the delegate's stars are filled in, and htmx swaps one."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="delegate@example.org"))
    context = browser.new_context(
        viewport=viewport,
        locale="zh-CN" if language.startswith("zh") else "en-GB",
        extra_http_headers={"Accept-Language": "zh-Hans" if language.startswith("zh") else "en"},
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(live_server.url + "/c/beijing-2025/programme/")
    shown = page.locator(".timetable" if label == "desktop" else ".programme-list")
    stars = shown.locator("button.star")
    expect(stars.first).to_be_visible()
    first_off = shown.locator('button.star[aria-pressed="false"]').first
    title = first_off.locator(".visually-hidden").inner_text()
    first_off.click()
    pressed = shown.locator('button.star[aria-pressed="true"]', has_text=title.lstrip(":： "))
    expect(pressed.first).to_be_visible()
    assert no_horizontal_overflow(page) or label == "desktop"
    screenshot(page, f"programme-starred-{label}-{language}")
    context.close()
