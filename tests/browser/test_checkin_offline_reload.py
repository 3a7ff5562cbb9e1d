"""The check-in desk opened again with no network: its service worker serves the last
copy of the page and its static files, scans queue on the device, and are sent once the
network returns."""

from __future__ import annotations

import json
import time

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from atrium.checkin.badges import badge_issue
from atrium.checkin.models import CheckIn
from atrium.checkin.tokens import sign_badge_key
from tests.browser.conftest import PHONE
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationTypeFactory,
)
from tests.registration.factories_organiser import ConferenceRoleFactory, OrderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "beijing-offline"
DESK = f"/c/{SLUG}/checkin/"
QUEUE_KEY = f"atrium.checkin.{SLUG}"
PAGES_CACHE = "atrium-checkin-pages-v1"


@pytest.fixture
def desk(transactional_db):
    conference = ConferenceFactory(slug=SLUG, name="42nd IASP World Conference")
    delegate = RegistrationTypeFactory(conference=conference, name="Delegate")
    role = ConferenceRoleFactory(conference=conference, role="checkin")
    registrations, tokens = [], []
    for i, name in enumerate(["Ma Jun", "Wanjiru Kamau", "Ana Souza"]):
        registration = RegistrationFactory(
            conference=conference,
            type=delegate,
            person=PersonFactory(name=name, sort_name=name),
        )
        OrderFactory(registration=registration, reference=f"BJO-{i:03d}", status="paid")
        registrations.append(registration)
        tokens.append(sign_badge_key(badge_issue(registration=registration, actor=None).key))
    return {
        "conference": conference,
        "user": role.user,
        "registrations": registrations,
        "tokens": tokens,
    }


@pytest.fixture
def staff_context(browser, live_server, desk):
    client = Client()
    client.force_login(desk["user"])
    context = browser.new_context(viewport=PHONE, locale="en-GB")
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
    yield context
    context.close()


def _eventually(page, script: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(script)
        if value:
            return value
        time.sleep(0.1)
    return page.evaluate(script)


def _open_online(context, url: str):
    """The desk opened online until its worker controls it and has kept a copy of it."""
    page = context.new_page()
    page.goto(url)
    scope = page.evaluate(
        "Promise.race([navigator.serviceWorker.ready.then(r => r.scope),"
        " new Promise(done => setTimeout(() => done(null), 5000))])"
    )
    assert scope == url.split("?")[0], "no service worker for the desk"
    if not _eventually(page, "navigator.serviceWorker.controller !== null", timeout=3):
        page.reload()
    assert _eventually(page, "navigator.serviceWorker.controller !== null")
    kept = (
        f"caches.open('{PAGES_CACHE}').then(c => c.match(location.origin + location.pathname"
        " + location.search.replace(/[?&]q=[^&]*/, '').replace(/^&/, '?'))).then(Boolean)"
    )
    assert _eventually(page, kept), "the worker kept no copy of the desk page"
    assert _eventually(
        page,
        "caches.keys().then(k => Promise.all(k.map(n => caches.open(n).then(c => c.keys()))))"
        ".then(all => all.flat().some(r => r.url.endsWith('/atrium/checkin.js')))",
    ), "the worker kept no copy of checkin.js"
    return page


def _scan(page, token: str) -> None:
    field = page.locator(".checkin-scan input[name=token]")
    field.fill(token)
    field.press("Enter")


def _wait_for_rows(count: int, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if CheckIn.objects.count() >= count:
            break
        time.sleep(0.1)
    return CheckIn.objects.count()


def test_desk_reloaded_offline_opens_and_queues_scans(staff_context, live_server, desk):
    page = _open_online(staff_context, live_server.url + DESK)

    staff_context.set_offline(True)
    # Renamed after going offline: a page that still shows the old name is the kept copy,
    # not one the worker fetched from the server behind the emulated offline mode.
    desk["conference"].name = "Renamed while offline"
    desk["conference"].save(update_fields=["name"])
    page.reload()  # no network: without the worker this is Chromium's offline error page
    expect(page.locator(".checkin-desk__header")).to_contain_text("42nd IASP World Conference")
    field = page.locator(".checkin-scan input[name=token]")
    expect(field).to_be_visible()
    expect(field).to_be_focused()  # checkin.js (from the worker's cache) has run
    assert page.evaluate("navigator.onLine") is False
    for token in desk["tokens"][:2]:
        _scan(page, token)
    status = page.locator("[data-queue-status]")
    expect(status).to_have_text("Offline — 2 scans waiting")
    expect(page.locator(".checkin-recent__item--queued")).to_have_count(2)
    queued = json.loads(page.evaluate(f"localStorage.getItem('{QUEUE_KEY}') || '[]'"))
    assert [item["token"] for item in queued] == desk["tokens"][:2]
    assert not CheckIn.objects.exists()

    # Reloaded once more while still offline: the queue is shown from localStorage.
    page.reload()
    expect(page.locator("[data-queue-status]")).to_have_text("Offline — 2 scans waiting")

    staff_context.set_offline(False)
    expect(page.locator("[data-queue-status]")).to_be_hidden()
    assert _wait_for_rows(2) == 2
    time.sleep(0.5)
    assert CheckIn.objects.count() == 2
    assert set(CheckIn.objects.values_list("registration", flat=True)) == {
        r.pk for r in desk["registrations"][:2]
    }
    expect(page.locator(".checkin-recent__item--ok")).to_have_count(2)


def test_a_name_search_is_not_kept_on_the_device(staff_context, live_server, desk):
    page = _open_online(staff_context, live_server.url + DESK + "?q=Wanjiru")
    expect(page.locator(".checkin-found")).to_contain_text("Wanjiru Kamau")
    bodies = page.evaluate(
        "caches.keys().then(names => Promise.all(names.filter(n => n.includes('pages'))"
        ".map(n => caches.open(n).then(c => c.keys().then(keys => Promise.all("
        "keys.map(k => c.match(k).then(r => r.text())))))))).then(all => all.flat())"
    )
    assert bodies and all("Wanjiru" not in body for body in bodies)

    staff_context.set_offline(True)
    page.reload()  # offline, the desk opens without the search results
    expect(page.locator(".checkin-scan input[name=token]")).to_be_visible()
    expect(page.locator(".checkin-found")).to_have_count(0)
    assert "Wanjiru" not in page.content()


def _cached_urls(page) -> list[str]:
    return page.evaluate(
        "caches.keys().then(names => Promise.all(names.map(n => caches.open(n)"
        ".then(c => c.keys())))).then(all => all.flat().map(r => r.url))"
    )


def test_the_qr_decoder_is_kept_for_the_camera(staff_context, live_server, desk):
    if not settings.ATRIUM_CAMERA_SCAN:
        pytest.skip("jsQR is not installed (no npm): the desk has no camera scanner")
    page = _open_online(staff_context, live_server.url + DESK)
    assert _eventually(
        page,
        "caches.keys().then(k => Promise.all(k.map(n => caches.open(n).then(c => c.keys()))))"
        ".then(all => all.flat().some(r => r.url.endsWith('/vendor/jsqr/jsQR.js')))",
    ), _cached_urls(page)


def test_the_kept_copy_is_forgotten_once_the_staff_member_is_logged_out(
    staff_context, live_server, desk
):
    from django.contrib.sessions.models import Session

    page = _open_online(staff_context, live_server.url + DESK)
    Session.objects.all().delete()  # logged out (or the session expired)
    page.reload()  # online: the server sends the login page, the worker drops its copy
    assert "/checkin/" not in page.url.split("?")[0]
    assert _eventually(
        page,
        f"caches.open('{PAGES_CACHE}').then(c => c.keys()).then(k => k.length === 0)",
    ), _cached_urls(page)

    staff_context.set_offline(True)
    with pytest.raises(Exception, match="ERR_"):
        page.goto(live_server.url + DESK)


def test_logging_out_clears_the_kept_desk_at_once(staff_context, live_server, desk):
    """The log-out button, not a later visit to the desk, drops the kept rosters."""
    page = _open_online(staff_context, live_server.url + DESK)
    page.goto(live_server.url + "/me/")
    page.locator(".account-menu__logout button, .account-menu__logout [type=submit]").first.click()
    page.wait_for_load_state()
    assert page.evaluate("document.body.dataset.signedIn") == "0"
    assert _eventually(
        page,
        "caches.keys().then(k => !k.some(n => n.startsWith('atrium-checkin-pages-')))",
    ), _cached_urls(page)
