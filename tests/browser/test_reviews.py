"""Calls with review in real Chromium: the reviewer's list and review form (English, desktop),
the award winners (Chinese, phone), the organiser's assignment with its proof (desktop) and
a submitter's form (Chinese, phone); screenshots under test-artifacts/screenshots/."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from atrium.events.models import Conference, ConferenceRole
from atrium.reviews.models import Call, Reviewer
from tests.browser.conftest import DESKTOP, PHONE, no_horizontal_overflow, screenshot
from tests.browser.test_accessibility import serious_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.real_clock,  # the demo calls are dated around the real date
]


@pytest.fixture
def logged_in(browser, live_server):
    contexts = []

    def _open(user, path: str, *, viewport=DESKTOP, language: str = "en"):
        client = Client()
        client.force_login(user)
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


def test_reviewer_list_and_form_in_english_on_desktop(demo, logged_in):
    talks = Call.objects.get(conference__slug="beijing-2025", slug="talks")
    reviewer = Reviewer.objects.get(call=talks, user__username="reviewer@example.org")
    page = logged_in(reviewer.user, "/c/beijing-2025/calls/talks/review/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My reviews")
    rows = page.locator("tbody tr")
    assert rows.count() == reviewer.assignments.count()
    screenshot(page, "reviews-reviewer-desktop-en")
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="My review")).to_be_visible()
    # anonymised call: the submitter's name is nowhere on the page
    first = reviewer.assignments.order_by("submission_id").first().submission
    assert first.submitter.name not in page.content()
    screenshot(page, "reviews-review-form-desktop-en")
    assert serious_violations(page) == []


def test_award_winners_in_chinese_on_a_phone(demo, open_page):
    page = open_page("/c/beijing-2025/awards/", viewport=PHONE, language="zh-hans")
    expect(page.get_by_role("link", name="飞镖加速服务平台")).to_be_visible()
    assert no_horizontal_overflow(page)
    screenshot(page, "reviews-awards-phone-zh")
    page.get_by_role("link", name="飞镖加速服务平台").click()
    expect(page).to_have_url(page.url)  # the directory page of the organisation
    assert "/directory/feibiao-dart-acceleration-service-platform/" in page.url


def test_organiser_assignment_and_submitter_form(demo, logged_in):
    organiser = get_user_model().objects.create_user("org-rev", "org-rev@example.org", "x")
    conference = Conference.objects.get(slug="beijing-2025")
    ConferenceRole.objects.create(conference=conference, user=organiser, role="organiser")
    page = logged_in(organiser, "/c/beijing-2025/organiser/calls/talks/assignment/")
    expect(page.get_by_text("optimal: the bound equals the value")).to_be_visible()
    screenshot(page, "reviews-assignment-desktop-en")
    page = logged_in(
        organiser, "/c/beijing-2025/organiser/calls/talks/submissions/?sort=normalised"
    )
    expect(page.locator("tbody tr")).to_have_count(60)
    screenshot(page, "reviews-submissions-desktop-en")
    submitter = get_user_model().objects.create_user("sub-rev", "sub-rev@example.org", "x")
    from atrium.network.models import Person

    Person.objects.create(name="Wang Fang", name_zh="王芳", slug="wang-fang-rev", user=submitter)
    page = logged_in(
        submitter, "/c/beijing-2025/calls/host-bids/submit/", viewport=PHONE, language="zh-hans"
    )
    page.get_by_label("标题").fill("Barcelona 2029")
    page.get_by_label("城市").fill("Barcelona")
    screenshot(page, "reviews-bid-form-phone-zh")
    assert no_horizontal_overflow(page)
    page.locator("button[name=save]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Barcelona 2029")
    screenshot(page, "reviews-bid-saved-phone-zh")


def test_call_setup_bulk_decisions_and_reviewer_invitation_in_chinese(demo, logged_in, open_page):
    from atrium.reviews import services
    from atrium.reviews.models import Decision, Track

    organiser = get_user_model().objects.create_user("org-set", "org-set@example.org", "x")
    conference = Conference.objects.get(slug="beijing-2025")
    ConferenceRole.objects.create(conference=conference, user=organiser, role="organiser")
    talks = Call.objects.get(conference=conference, slug="talks")
    track = talks.tracks.first()
    # edit a track on a phone, in Chinese
    page = logged_in(
        organiser, "/c/beijing-2025/organiser/calls/talks/", viewport=PHONE, language="zh-hans"
    )
    name_zh = page.locator(f"[name='tracks-{track.pk}-name_zh']")
    item = page.locator("li.call-part", has=name_zh)
    item.locator("summary").click()
    name_zh.fill("生命健康与生物医药")
    item.locator("form.form button[type=submit]").click()
    expect(page.locator(".notice--success")).to_be_visible()
    assert Track.objects.get(pk=track.pk).name_zh == "生命健康与生物医药"
    assert no_horizontal_overflow(page)
    # deleting it is refused: submissions are in it
    name_zh = page.locator(f"[name='tracks-{track.pk}-name_zh']")
    item = page.locator("li.call-part", has=name_zh)
    item.locator("summary").click()
    item.locator("button.button--danger").click()
    expect(page.locator(".notice--error")).to_be_visible()
    assert Track.objects.filter(pk=track.pk).exists()
    screenshot(page, "reviews-call-setup-phone-zh")
    # bulk decision on the desktop list, in Chinese
    page = logged_in(
        organiser, "/c/beijing-2025/organiser/calls/talks/submissions/", language="zh-hans"
    )
    boxes = page.locator("input[name=submissions]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.select_option("#id_bulk_outcome", "waitlist")
    before = Decision.objects.filter(outcome="waitlist", status="pending").count()
    page.locator("form.bulk-decisions fieldset button[type=submit]").click()
    expect(page.locator(".notice--success")).to_be_visible()
    assert Decision.objects.filter(outcome="waitlist", status="pending").count() == before + 2
    screenshot(page, "reviews-bulk-decisions-desktop-zh")
    # an invitation to review for an address without an account, opened on a phone
    invitation = services.reviewer_invite(
        call=talks,
        email="juror-without-account@uni.example.org",
        accept_url="/c/beijing-2025/calls/reviewer-invitation/{token}/",
        actor=None,
    )
    page = open_page(
        f"/c/beijing-2025/calls/reviewer-invitation/{invitation.token}/",
        viewport=PHONE,
        language="zh-hans",
    )
    expect(page.locator("a[href^='/accounts/signup/?next=']")).to_be_visible()
    assert no_horizontal_overflow(page)
    screenshot(page, "reviews-reviewer-invitation-phone-zh")
    assert serious_violations(page) == []
