"""The programme page in real Chromium: desktop grid, phone list, htmx tabs and filters."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    SMALL_PHONE,
    htmx_settled,
    no_horizontal_overflow,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URL = "/c/beijing-2025/programme/"


def test_desktop_grid_tabs_and_filters(demo, open_page):
    page = open_page(URL, viewport=DESKTOP)
    grid = page.locator(".timetable")
    expect(grid).to_be_visible()
    expect(page.locator(".programme-list")).to_be_hidden()
    expect(grid.get_by_text("Opening ceremony").first).to_be_visible()
    # Rooms across the top.
    assert page.locator(".timetable__grid thead th").count() >= 5
    screenshot(page, "programme-desktop-en")

    # Day tabs swap the body through htmx and keep the URL shareable.
    page.get_by_role("link", name=re.compile("Day 3")).click()
    expect(page).to_have_url(re.compile(r"day=2025-09-18"))
    expect(page.locator(".day-tabs a[aria-current=page]")).to_contain_text("Day 3")
    htmx_settled(page)

    # Filtering by kind reloads only the timetable.
    page.get_by_label("Kind").select_option("technical_visit")
    expect(page).to_have_url(re.compile(r"kind=technical_visit"))
    expect(page).to_have_url(re.compile(r"day=2025-09-18"))  # the day is kept
    kinds = page.locator(".timetable .slot__kind")
    expect(kinds.filter(has_not_text=re.compile("technical visit", re.I))).to_have_count(0)
    expect(kinds.first).to_have_text(re.compile("technical visit", re.I))
    assert kinds.count() >= 4
    expect(page.locator(".timetable thead")).to_contain_text("Off-site")
    screenshot(page, "programme-desktop-en-technical-visits")


def test_phone_list_in_chinese(demo, open_page):
    page = open_page(URL, viewport=PHONE, language="zh-hans")
    expect(page.locator(".programme-list")).to_be_visible()
    expect(page.locator(".timetable")).to_be_hidden()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("日程")
    expect(page.locator(".programme-list").get_by_text("开幕式").first).to_be_visible()
    assert no_horizontal_overflow(page)
    screenshot(page, "programme-phone-zh")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_layout_break_at_320px(demo, open_page, language):
    page = open_page(URL, viewport=SMALL_PHONE, language=language)
    assert no_horizontal_overflow(page)
    screenshot(page, f"programme-320-{language}")


def test_desktop_programme_in_chinese(demo, open_page):
    page = open_page(URL, viewport=DESKTOP, language="zh-hans")
    expect(page.locator(".timetable")).to_contain_text("开幕式")
    screenshot(page, "programme-desktop-zh")


def test_language_switcher_and_keyboard(demo, open_page):
    page = open_page("/", viewport=DESKTOP)
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("button", name="中文")).to_have_attribute("aria-pressed", "true")
    screenshot(page, "home-desktop-zh")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "home-desktop-en")
