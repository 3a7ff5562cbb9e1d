"""Sign up, confirm the e-mail, land logged in: in real Chromium, English and Chinese."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from atrium.network.models import Person
from tests.browser.conftest import DESKTOP, PHONE, SMALL_PHONE, no_horizontal_overflow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^/\s]+(/accounts/verify/[^\s]+/)")
PASSWORD = "Lotus-garden-1984"


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    mail.outbox.clear()
    yield


def test_sign_up_confirm_and_land_logged_in(open_page):
    page = open_page("/directory/", viewport=DESKTOP)
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("E-mail").fill("Grace.Hopper@Example.org")
    page.get_by_label("Name in Latin script").fill("Grace Hopper")
    page.get_by_label("Password", exact=True).fill("password")
    page.get_by_label("Password again").fill("password")
    page.get_by_role("button", name="Sign up").click()

    # A weak password: the error sits next to the field and is announced with it.
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_password_error")).to_contain_text("too common")
    screenshot(page, "accounts-signup-error-desktop-en")

    password.fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    screenshot(page, "accounts-check-inbox-desktop-en")

    assert len(mail.outbox) == 1
    path = LINK.search(mail.outbox[0].body).group(1)
    page.goto(page.url.split("/accounts/")[0] + path)
    page.get_by_role("button", name="Confirm and log in").click()

    expect(page).to_have_url(re.compile(r"/me/$"))  # the real landing page: my conference
    expect(page.locator(".notice")).to_contain_text("your e-mail address is confirmed")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("link", name="My conference")).to_have_attribute("href", "/me/")
    screenshot(page, "accounts-logged-in-desktop-en")
    user = User.objects.get(username="grace.hopper@example.org")
    assert user.is_active
    assert Person.objects.get(user=user).name == "Grace Hopper"

    page.set_viewport_size(SMALL_PHONE)
    assert no_horizontal_overflow(page)
    screenshot(page, "accounts-logged-in-320-en")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE], ids=["phone", "small-phone"])
def test_account_pages_fit_a_phone_in_chinese(open_page, viewport):
    for path in ("/accounts/signup/", "/accounts/login/", "/directory/"):
        page = open_page(path, viewport=viewport, language="zh-hans")
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
        assert no_horizontal_overflow(page), path
        if path == "/accounts/signup/":
            screenshot(page, f"accounts-signup-{viewport['width']}-zh")
        page.close()


def test_account_pages_have_no_serious_accessibility_violations(open_page):
    from tests.browser.test_accessibility import serious_violations

    problems = {}
    for path in ("/accounts/signup/", "/accounts/login/", "/accounts/password/reset/"):
        for language in ("en", "zh-hans"):
            page = open_page(path, viewport=DESKTOP, language=language)
            if path == "/accounts/signup/":  # with errors showing
                page.locator("form.account-form").evaluate("f => f.noValidate = true")
                with page.expect_navigation():  # axe runs on the page with the errors
                    page.locator("form.account-form button[type=submit]").click()
            found = serious_violations(page)
            if found:
                problems[f"{path} {language}"] = found
            page.close()
    assert problems == {}
