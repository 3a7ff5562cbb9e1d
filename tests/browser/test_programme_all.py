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
