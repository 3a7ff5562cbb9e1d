"""A delegate registers, pays, signs up for a full visit and reads their page — in Chromium."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from atrium.demo.registration import DELEGATE_LOGIN
from atrium.registration.models import Registration, SeatBooking
from tests.browser.conftest import DESKTOP, PHONE, no_horizontal_overflow, screenshot
from tests.browser.test_accessibility import serious_violations
from tests.factories import PersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def logged_in(open_page, live_server):
    """``logged_in(user, path, ...)``: a page of ``path`` with ``user`` logged in."""

    def _open(user, path, **kwargs):
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

    return _open


def test_register_with_errors_then_pay(demo, logged_in):
    user = UserFactory(email="elif@example.org")
    PersonFactory(user=user, name="Elif", email=user.email, country="TR")
    page = logged_in(user, "/c/beijing-2025/register/", language="zh-hans")
    expect(page.get_by_role("heading", name="参会注册")).to_be_visible()
    page.get_by_label("代表(非会员)").check()
    page.get_by_role("button", name="提交参会注册").click()
    # The dietary question is required: the error is next to it, in Chinese.
    expect(page.locator(".errorlist").first).to_be_visible()
    screenshot(page, "register-errors-zh-desktop")
    assert not Registration.objects.filter(person__user=user).exists()

    page.get_by_label("饮食需求").select_option("Halal")
    page.get_by_label("是否需要签证邀请函?").select_option("yes")
    page.get_by_role("button", name="提交参会注册").click()
    expect(page.locator(".facts")).to_be_visible()
    registration = Registration.objects.get(person__user=user)
    expect(page.get_by_text(registration.reference).first).to_be_visible()
    expect(page.get_by_text("北京银行中关村分行")).to_be_visible()  # bank details in Chinese
    screenshot(page, "pay-zh-desktop")


def test_sign_up_for_a_full_visit_joins_the_waiting_list(demo, logged_in):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=DELEGATE_LOGIN)
    page = logged_in(user, "/c/beijing-2025/sign-ups/")
    full = page.locator(".signup", has=page.get_by_role("button", name="Join the waiting list"))
    expect(full.first).to_be_visible()
    screenshot(page, "signups-en-desktop")
    full.first.get_by_role("button", name="Join the waiting list").click()
    expect(page.get_by_text("number 7 on the waiting list").first).to_be_visible()
    booking = SeatBooking.objects.get(registration__person__user=user)
    assert booking.status == "waitlisted"

    page.goto(page.url.replace("/c/beijing-2025/sign-ups/", "/me/"))
    expect(page.get_by_text("Waiting list: number 7")).to_be_visible()
    assert serious_violations(page) == []


def test_my_conference_in_chinese_on_a_phone(demo, logged_in):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=DELEGATE_LOGIN)
    page = logged_in(user, "/me/", viewport=PHONE, language="zh-hans")
    expect(page.get_by_role("heading", name="我的大会")).to_be_visible()
    assert no_horizontal_overflow(page)
    screenshot(page, "me-zh-phone")
    for path in ("/c/beijing-2025/sign-ups/", "/c/beijing-2025/register/"):
        page.goto(page.url.replace("/me/", path))
        assert no_horizontal_overflow(page), path
        assert serious_violations(page) == [], path


def test_registration_pages_have_no_serious_violations(demo, logged_in):
    user = UserFactory(email="annie@example.org")
    PersonFactory(user=user, name="Annie", email=user.email)
    for viewport in (DESKTOP, PHONE):
        page = logged_in(user, "/c/beijing-2025/register/", viewport=viewport)
        assert serious_violations(page) == []
        screenshot(page, f"register-en-{viewport['width']}")
