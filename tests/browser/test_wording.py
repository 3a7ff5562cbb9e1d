"""The register page's organisation search and the desk's points, in Chinese and English,
on a desktop and a phone, in real Chromium (screenshots under test-artifacts/screenshots/)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from atrium.events.models import ConferenceRole
from atrium.registration.models import Registration
from tests.browser.conftest import DESKTOP, PHONE, htmx_settled, no_horizontal_overflow, screenshot
from tests.browser.test_accessibility import serious_violations
from tests.factories import (
    ConferenceFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
    SessionFactory,
    UserFactory,
    local,
)
from tests.registration.factories_organiser import ConferenceRoleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "beijing-words"


@pytest.fixture
def edition(transactional_db):
    conference = ConferenceFactory(slug=SLUG, time_zone="Asia/Shanghai")
    RegistrationPolicyFactory(conference=conference)
    RegistrationTypeFactory(conference=conference, name="Delegate", name_zh="代表")
    for name, name_zh in (
        ("Zhongguancun Science Park", "中关村科技园区"),
        ("Zhongguancun Changping Park", "中关村昌平园"),
        ("Sophia Antipolis", ""),
    ):
        organisation = OrganisationFactory(name=name, name_zh=name_zh, country="CN")
        organisation.refresh_search_key()
        organisation.save()
    SessionFactory(
        conference=conference,
        seats=30,
        room=None,
        title="Women in innovation breakfast",
        title_zh="女性创新早餐会",
        start=local(conference, 1, 7, 30),
    )
    user = UserFactory(email="cecile@example.org")
    PersonFactory(user=user, name="Cecile Harle", organisation=None)
    staff = ConferenceRoleFactory(conference=conference, role=ConferenceRole.Role.CHECKIN)
    return {"conference": conference, "delegate": user, "staff": staff.user}


@pytest.fixture
def page_as(browser, live_server):
    contexts = []

    def _open(user, path, *, viewport, language):
        client = Client()
        client.force_login(user)
        context = browser.new_context(
            viewport=viewport,
            locale="zh-CN" if language.startswith("zh") else "en-GB",
            extra_http_headers={"Accept-Language": "zh-Hans" if language == "zh-hans" else "en"},
        )
        context.set_default_timeout(10_000)
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


@pytest.mark.parametrize("viewport_name", ["desktop", "phone"])
@pytest.mark.parametrize(
    ("language", "query", "shown", "heading"),
    [
        ("en", "zhong guan cun", "Zhongguancun Science Park", "Register"),
        ("zh-hans", "中關村", "中关村科技园区", "参会注册"),
    ],
)
def test_register_finds_the_organisation_as_you_type(
    page_as, edition, viewport_name, language, query, shown, heading
):
    viewport = DESKTOP if viewport_name == "desktop" else PHONE
    page = page_as(
        edition["delegate"], f"/c/{SLUG}/register/", viewport=viewport, language=language
    )
    expect(page.locator("h1")).to_have_text(heading)
    search = page.locator("input[name=organisation_q]")
    search.press_sequentially(query, delay=20)
    option = page.locator(".org-option", has_text=shown)
    expect(option).to_be_visible()
    htmx_settled(page)
    assert page.locator(".org-option", has_text="Sophia Antipolis").count() == 0
    option.locator("input").check()
    page.locator("input[name=type]").first.check()
    assert no_horizontal_overflow(page)
    screenshot(page, f"wording-register-{language}-{viewport_name}")
    assert serious_violations(page) == []
    page.locator(".form__actions button[type=submit]").click()
    page.wait_for_load_state()
    registration = Registration.objects.get(person__user=edition["delegate"])
    assert registration.person.organisation.name == "Zhongguancun Science Park"


@pytest.mark.parametrize("viewport_name", ["desktop", "phone"])
@pytest.mark.parametrize(
    ("language", "point"),
    [
        ("en", "Women in innovation breakfast (Wed 17 Sep, 07:30)"),
        ("zh-hans", "女性创新早餐会 (9月17日 星期三 07:30)"),
    ],
)
def test_desk_points_in_local_time_and_the_pages_language(
    page_as, edition, viewport_name, language, point
):
    viewport = DESKTOP if viewport_name == "desktop" else PHONE
    page = page_as(edition["staff"], f"/c/{SLUG}/checkin/", viewport=viewport, language=language)
    options = page.locator("select[name=point] option").all_inner_texts()
    assert point in options, options
    assert not any("23:30" in text for text in options)
    page.locator("select[name=point]").select_option(index=1)  # shown in the screenshot
    assert no_horizontal_overflow(page)
    screenshot(page, f"wording-desk-{language}-{viewport_name}")
    assert serious_violations(page) == []


def test_enter_in_a_field_sends_the_registration_not_the_search(page_as, edition):
    page = page_as(edition["delegate"], f"/c/{SLUG}/register/", viewport=DESKTOP, language="en")
    page.locator("input[name=type]").first.check()
    page.locator("input[name=position]").fill("Director")
    page.locator("input[name=position]").press("Enter")
    page.wait_for_url(lambda url: "/register/" not in url)
    assert Registration.objects.filter(person__user=edition["delegate"]).exists()
