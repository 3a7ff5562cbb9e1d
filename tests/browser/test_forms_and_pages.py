"""Forms and pages of issue 13 in real Chromium: long words never widen a page, error
summaries that take the focus, the B2B organiser form's labels beside their fields, the
programme grid at 1,366 px, the desk's name search, the directory filter and the API docs
on a phone. Screenshots (English and Chinese, desktop and phone) go to test-artifacts/."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from atrium.checkin import services as checkin
from atrium.demo.matchmaking import ensure_matchmaking_demo
from atrium.events.models import Conference
from atrium.matchmaking import services as b2b
from atrium.matchmaking.models import Profile
from atrium.network.models import Person
from atrium.registration.models import Question, Registration
from tests.browser.conftest import PHONE, no_horizontal_overflow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "beijing-2025"
LAPTOP = {"width": 1366, "height": 768}
WORD = "W" * 5000


@pytest.fixture
def b2b_demo(demo):
    ensure_matchmaking_demo(Conference.objects.get(slug=SLUG), seed=2025)
    get_user_model().objects.create_superuser("organiser", "organiser@example.org", "demo-pass")


@pytest.fixture
def logged_in(browser, live_server):
    """``logged_in(user, path, viewport=..., language=...)`` → a page with a session."""
    contexts = []

    def _open(user, path: str, *, viewport=LAPTOP, language: str = "en"):
        client = Client()
        client.force_login(user)
        context = browser.new_context(
            viewport=viewport,
            locale="zh-CN" if language.startswith("zh") else "en-GB",
            extra_http_headers={
                "Accept-Language": "zh-Hans" if language.startswith("zh") else "en"
            },
        )
        context.set_default_timeout(15_000)
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


def _user(username):
    return get_user_model().objects.get(username=username)


# --- long text ---------------------------------------------------------------------------


def test_a_5000_character_word_widens_no_page(b2b_demo, logged_in):
    cecile = _user("delegate@example.org")
    registration = Registration.objects.get(conference__slug=SLUG, person__user=cecile)

    # The B2B profile form: every free-text field gets the word; it is refused, named.
    page = logged_in(cecile, f"/c/{SLUG}/b2b/profile/")
    for name in ("offers", "seeks"):
        field = page.locator(f"[name={name}]")
        field.fill(WORD)
        # The field's maxlength keeps what the server would refuse (services.clean_text).
        assert len(field.input_value()) == 1000
    for viewport in (LAPTOP, PHONE):
        page.set_viewport_size(viewport)
        assert no_horizontal_overflow(page), viewport
    page.locator("form.b2b-profile-form [type=submit]").last.click()
    page.wait_for_url(f"**/c/{SLUG}/b2b/")

    # What is accepted at most: 1,000-character words in the offer, the longest position.
    longest = "O" * 1000
    b2b.profile_save(
        registration=registration,
        offers=longest,
        seeks=longest,
        offer_kinds=["incubation"],
        seek_kinds=["investment"],
        languages=["en"],
        directory_listed=True,
    )
    Person.objects.filter(pk=registration.person_id).update(position="P" * 200, name_zh="长" * 100)
    assert Profile.objects.get(registration=registration).offers == longest

    # Another delegate's pages that show Cecile, and Cecile's own pages.
    other_person = (
        Profile.objects.filter(registration__conference__slug=SLUG, is_active=True)
        .exclude(registration=registration)
        .select_related("registration__person")
        .first()
        .registration.person
    )
    other = get_user_model().objects.create_user("other@example.org", "other@example.org", "pw")
    Person.objects.filter(pk=other_person.pk).update(user=other)
    pages = [
        (other, f"/c/{SLUG}/b2b/"),
        (other, f"/c/{SLUG}/b2b/people/?q=Cecile"),
        (other, f"/c/{SLUG}/b2b/people/{registration.person_id}/"),
        (cecile, f"/c/{SLUG}/b2b/"),
        (cecile, "/me/"),
    ]
    for user, path in pages:
        for viewport in (LAPTOP, PHONE):
            page = logged_in(user, path, viewport=viewport)
            assert no_horizontal_overflow(page), (path, viewport)
    page = logged_in(other, f"/c/{SLUG}/b2b/people/?q=Cecile")
    expect(page.get_by_text("O" * 50, exact=False).first).to_be_visible()


def test_the_register_form_refuses_long_words_sums_up_and_focuses(demo, logged_in):
    conference = Conference.objects.get(slug=SLUG)
    question = Question.objects.create(
        conference=conference, label="Anything else?", label_zh="其他?", kind=Question.Kind.TEXT
    )
    user = get_user_model().objects.create_user("new@example.org", "new@example.org", "pw")
    for language in ("en", "zh-hans"):
        for viewport, label in ((LAPTOP, "desktop"), (PHONE, "phone")):
            page = logged_in(user, f"/c/{SLUG}/register/", viewport=viewport, language=language)
            page.locator("[name=type]").first.check()
            for name in ("name", "name_zh", "position", "phone", "voucher", f"q_{question.pk}"):
                page.locator(f"[name={name}]").fill(WORD)
            page.locator("form.form [type=submit]").last.click()
            summary = page.locator("[data-error-summary]")
            expect(summary).to_be_visible()
            # Fields keep their maxlength (so the name fits); the phone is refused, named.
            expect(summary.locator("a[href='#id_phone']")).to_be_visible()
            # The focus is on the first field in error, not at the top of a long page.
            first = summary.locator("a").first.get_attribute("href")
            expect(page.locator(first)).to_be_focused()
            assert no_horizontal_overflow(page), (language, label)
            screenshot(page, f"register-errors-{label}-{language}")
    assert not Registration.objects.filter(person__user=user).exists()


# --- the B2B organiser form -----------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_b2b_organiser_form_keeps_labels_with_fields_and_focuses_the_error(
    b2b_demo, logged_in, language
):
    organiser = _user("organiser")
    for viewport, label in ((LAPTOP, "desktop"), (PHONE, "phone")):
        page = logged_in(
            organiser, f"/c/{SLUG}/organiser/b2b/", viewport=viewport, language=language
        )
        form = page.locator("form.b2b-block-form").first
        # Every label sits directly above its own input, in the same column.
        fields = form.locator(".field:not(.field--checkbox)").all()
        assert len(fields) == 3
        for field in fields:
            label_box = field.locator("label").bounding_box()
            input_box = field.locator("input, textarea, select").first.bounding_box()
            assert abs(label_box["x"] - input_box["x"]) < 2
            assert label_box["y"] < input_box["y"]
        form.locator("input[name$=slot_minutes]").fill("1")
        form.locator("[type=submit]").click()
        summary = page.locator("[data-error-summary]")
        expect(summary).to_be_visible()
        first = summary.locator("a").first.get_attribute("href")
        assert first.endswith("slot_minutes")
        # The focus moves (by script, after load) to the field the summary names first.
        expect(page.locator(first)).to_be_focused()
        # The field in error is on screen, not 1,000 px below.
        box = page.locator(first).bounding_box()
        assert 0 <= box["y"] <= page.viewport_size["height"]
        assert no_horizontal_overflow(page)
        screenshot(page, f"b2b-organiser-error-{label}-{language}")


# --- the programme grid at 1,366 px -----------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_programme_grid_at_1366_keeps_rooms_and_times_in_view(demo, open_page, language):
    page = open_page(f"/c/{SLUG}/programme/?day=2025-09-17", viewport=LAPTOP, language=language)
    grid = page.locator(".timetable")
    expect(grid).to_be_visible()
    frame = page.locator("[data-timetable-frame]")
    overflows = grid.evaluate("g => g.scrollWidth > g.clientWidth")
    if overflows:
        assert "is-more-right" in frame.get_attribute("class")
        expect(page.locator("[data-timetable-hint]")).to_be_visible()
    # No room name is cut: each header is as wide as its text.
    for header in page.locator(".timetable__grid thead th").all():
        assert header.evaluate("th => th.scrollWidth <= th.clientWidth + 1")
    screenshot(page, f"programme-1366-{language}")
    # Scrolled to the right end: the time column stays at the left edge, headers on top.
    grid.evaluate("g => { g.scrollLeft = g.scrollWidth; }")
    page.wait_for_timeout(100)
    time_cell = page.locator(".timetable__grid tbody th.timetable__time").first
    assert abs(time_cell.bounding_box()["x"] - grid.bounding_box()["x"]) < 8
    assert "is-more-right" not in frame.get_attribute("class")
    if overflows:
        assert "is-more-left" in frame.get_attribute("class")
    grid.evaluate("g => { g.scrollTop = g.scrollHeight; }")
    page.wait_for_timeout(100)
    header = page.locator(".timetable__grid thead th").nth(1)
    assert abs(header.bounding_box()["y"] - grid.bounding_box()["y"]) < 8
    screenshot(page, f"programme-1366-scrolled-{language}")
    phone = open_page(f"/c/{SLUG}/programme/?day=2025-09-17", viewport=PHONE, language=language)
    assert no_horizontal_overflow(phone)
    screenshot(phone, f"programme-phone-{language}")


# --- the desk's name search ---------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_desk_search_shows_who_is_checked_in(demo, logged_in, language):
    conference = Conference.objects.get(slug=SLUG)
    organiser = get_user_model().objects.create_superuser("orga", "orga@example.org", "pw")
    cecile = Registration.objects.get(
        conference=conference, person__user__username="delegate@example.org"
    )
    checkin.checkin_person(
        conference=conference, registration=cecile, client_id=uuid.uuid4(), point=None, actor=None
    )
    for viewport, label in ((LAPTOP, "desktop"), (PHONE, "phone")):
        page = logged_in(
            organiser, f"/c/{SLUG}/checkin/?q=Cecile", viewport=viewport, language=language
        )
        row = page.locator(".checkin-found tr", has_text="Cecile").first
        expect(row.locator(".checkin-found__done")).to_be_visible()
        expect(row.locator("button")).to_have_count(0)
        assert no_horizontal_overflow(page)
        screenshot(page, f"desk-search-{label}-{language}")


# --- the directory filter and the API docs -------------------------------------------------


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["desktop", "phone"])
def test_the_membership_filter_is_not_cut(demo, open_page, viewport):
    page = open_page("/directory/", viewport=viewport)
    select = page.locator("select[name=member]")
    fits = select.evaluate(
        """s => {
            const style = getComputedStyle(s);
            const ctx = document.createElement('canvas').getContext('2d');
            ctx.font = style.font;
            const text = ctx.measureText(s.options[s.selectedIndex].text).width;
            const pad = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
            const room = s.clientWidth - pad;
            return text <= room;
        }"""
    )
    assert fits
    screenshot(page, f"directory-filter-{'phone' if viewport == PHONE else 'desktop'}")


def test_the_api_docs_fit_a_phone(open_page):
    page = open_page("/api/v1/docs", viewport=PHONE)
    assert page.evaluate("window.innerWidth") == PHONE["width"]
    expect(page.locator("#swagger-ui")).to_be_visible()
