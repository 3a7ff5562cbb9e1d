"""Directory search in real Chromium: live search through htmx, in any script."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, no_horizontal_overflow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("query", ["zhongguancun", "中关村", "中關村"])
def test_live_search_finds_zhongguancun(demo, open_page, query):
    page = open_page("/directory/", viewport=DESKTOP)
    page.get_by_label("Search").fill(query)
    results = page.locator("#directory-results")
    expect(results.locator(".org-card__name").first).to_contain_text("Zhongguancun")
    expect(
        results.get_by_role("link", name="Zhongguancun Science Park", exact=True)
    ).to_be_visible()
    assert "q=" in page.url


@pytest.mark.parametrize("query", ["ma jun", "majun", "马骏", "馬駿"])
def test_live_search_finds_ma_jun(demo, open_page, query):
    page = open_page("/directory/", viewport=DESKTOP)
    page.get_by_label("Search").fill(query)
    expect(page.locator(".people-results")).to_contain_text("马骏")


def test_directory_screenshots(demo, open_page):
    page = open_page("/directory/?q=中关村", viewport=DESKTOP)
    expect(page.locator(".org-card").first).to_be_visible()
    screenshot(page, "directory-desktop-en")
    page = open_page("/directory/?q=ma+jun", viewport=PHONE, language="zh-hans")
    expect(page.locator(".people-results")).to_contain_text("马骏")
    assert no_horizontal_overflow(page)
    screenshot(page, "directory-phone-zh")


def test_filter_by_country_without_typing(demo, open_page):
    page = open_page("/directory/", viewport=DESKTOP)
    page.get_by_label("Country").select_option("KE")
    expect(page).to_have_url(re.compile(r"country=KE"))
    # Auto-retrying assertions: they hold once htmx has swapped the results in.
    expect(page.locator(".org-card").first).to_be_visible()
    expect(page.locator(".org-card__meta").filter(has_not_text="Kenya")).to_have_count(0)
    assert page.locator(".org-card__meta").count() > 0


def test_organisation_page_with_sub_organisations(demo, open_page):
    page = open_page("/directory/?q=zhongguancun+science+park", viewport=DESKTOP)
    page.get_by_role("link", name="Zhongguancun Science Park", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zhongguancun Science Park")
    expect(page.locator("body")).to_contain_text("Zhongguancun Changping Park")
    screenshot(page, "organisation-zhongguancun-en")
