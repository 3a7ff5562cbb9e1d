"""The check-in desk in real Chromium: the offline queue with the network cut and restored,
the large result with warnings, a session point's missing people, and the camera scanner
fed a generated video of a real badge's QR code (Chromium's fake capture device)."""

from __future__ import annotations

import io
import json
import shutil
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from atrium.checkin.badges import badge_issue
from atrium.checkin.models import CheckIn
from atrium.checkin.tokens import sign_badge_key
from atrium.registration.models import SeatBooking
from tests.browser.conftest import CHROMIUM, DESKTOP, PHONE, no_horizontal_overflow, screenshot
from tests.browser.test_accessibility import serious_violations
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationTypeFactory,
    SessionFactory,
)
from tests.registration.factories_organiser import ConferenceRoleFactory, OrderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "beijing-desk"
DESK = f"/c/{SLUG}/checkin/"
QUEUE_KEY = f"atrium.checkin.{SLUG}"

# name, Chinese name, country, paid
PEOPLE = [
    ("Ma Jun", "马骏", "CN", True),
    ("Li Wei", "李伟", "CN", True),
    ("Wanjiru Kamau", "", "KE", True),
    ("Ana Souza", "", "BR", False),
]


@pytest.fixture
def desk(transactional_db):
    conference = ConferenceFactory(slug=SLUG, name="42nd IASP World Conference")
    delegate = RegistrationTypeFactory(conference=conference, name="Delegate", name_zh="代表")
    bus = SessionFactory(conference=conference, seats=40, title="Technical visit: Zhongguancun")
    role = ConferenceRoleFactory(conference=conference, role="checkin")
    role.user.first_name, role.user.last_name = "Zhang", "Min"
    role.user.save()
    registrations, tokens = [], []
    for i, (name, name_zh, country, paid) in enumerate(PEOPLE):
        registration = RegistrationFactory(
            conference=conference,
            type=delegate,
            person=PersonFactory(name=name, name_zh=name_zh, country=country, sort_name=name),
        )
        OrderFactory(
            registration=registration,
            reference=f"BJD-{i:03d}",
            status="paid" if paid else "pending",
        )
        registrations.append(registration)
        tokens.append(sign_badge_key(badge_issue(registration=registration, actor=None).key))
    for registration in registrations[:3]:
        SeatBooking.objects.create(
            session=bus, registration=registration, status=SeatBooking.Status.CONFIRMED
        )
    return {
        "conference": conference,
        "bus": bus,
        "user": role.user,
        "registrations": registrations,
        "tokens": tokens,
    }


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def desk_page(browser, live_server, desk):
    """``desk_page(path=DESK, viewport=PHONE, language="en")``: a page logged in as staff."""
    session_id = _session_cookie(desk["user"])
    contexts = []

    def _open(path: str = DESK, *, viewport=PHONE, language: str = "en", on=None):
        context = (on or browser).new_context(
            viewport=viewport,
            locale="zh-CN" if language.startswith("zh") else "en-GB",
            extra_http_headers={"Accept-Language": "zh-Hans" if language == "zh-hans" else "en"},
        )
        context.set_default_timeout(10_000)
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": live_server.url}]
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + path)
        return page

    yield _open
    for context in contexts:
        context.close()


def _scan(page, token: str) -> None:
    field = page.locator(".checkin-scan input[name=token]")
    field.fill(token)
    field.press("Enter")  # what a handheld scanner does after typing the code


def _queue(page) -> list[dict]:
    return json.loads(page.evaluate(f"localStorage.getItem('{QUEUE_KEY}') || '[]'"))


def _wait_for_rows(count: int, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = CheckIn.objects.count()
        if rows >= count:
            return rows
        time.sleep(0.1)
    return CheckIn.objects.count()


# --- the offline queue ---------------------------------------------------------------------


def test_scans_made_offline_are_kept_and_sent_when_the_network_returns(desk_page, desk):
    page = desk_page()
    expect(page.locator(".checkin-scan input[name=token]")).to_be_focused()
    page.context.set_offline(True)
    for token in desk["tokens"][:3]:
        _scan(page, token)
    status = page.locator("[data-queue-status]")
    expect(status).to_be_visible()
    expect(status).to_have_text("Offline — 3 scans waiting")
    expect(page.locator("[data-result-area] .checkin-result--queued")).to_contain_text(
        "Saved on this device"
    )
    expect(page.locator(".checkin-recent__item--queued")).to_have_count(3)
    queued = _queue(page)
    assert [item["token"] for item in queued] == desk["tokens"][:3]
    assert len({item["client_id"] for item in queued}) == 3
    assert not CheckIn.objects.exists()
    assert no_horizontal_overflow(page)
    screenshot(page, "checkin-desk-offline-queue-phone")

    page.context.set_offline(False)
    expect(status).to_be_hidden()
    assert _wait_for_rows(3) == 3
    assert _queue(page) == []
    assert {str(c) for c in CheckIn.objects.values_list("client_id", flat=True)} == {
        item["client_id"] for item in queued
    }
    assert set(CheckIn.objects.values_list("registration", flat=True)) == {
        r.pk for r in desk["registrations"][:3]
    }
    expect(page.locator(".checkin-recent__item--ok")).to_have_count(3)
    # The last scan's answer is shown large once it arrives.
    expect(page.locator("[data-result-area]")).to_contain_text("Wanjiru Kamau")
    assert CheckIn.objects.count() == 3


def test_the_queue_survives_closing_the_page(desk_page, desk):
    page = desk_page()
    context = page.context
    context.set_offline(True)
    _scan(page, desk["tokens"][0])
    expect(page.locator("[data-queue-status]")).to_have_text("Offline — 1 scan waiting")
    page.close()
    assert not CheckIn.objects.exists()

    context.set_offline(False)
    again = context.new_page()
    again.goto(page.url)
    expect(again.locator(".checkin-recent__item--ok")).to_have_count(1)
    assert _wait_for_rows(1) == 1 and _queue(again) == []
    assert CheckIn.objects.get().registration == desk["registrations"][0]


def test_a_scan_whose_answer_was_lost_is_sent_again_and_counts_once(desk_page, desk, live_server):
    page = desk_page()
    bodies = []

    def lose_the_first_answer(route):
        bodies.append(route.request.post_data)
        if len(bodies) == 1:
            route.fetch()  # the server saves the check-in...
            route.abort("internetdisconnected")  # ...but its answer never arrives
        else:
            route.continue_()

    page.route(f"**/c/{SLUG}/checkin/submit/", lose_the_first_answer)
    _scan(page, desk["tokens"][1])
    expect(page.locator("[data-queue-status]")).to_be_visible()
    assert _wait_for_rows(1) == 1
    # The timer sends the scan again with the same client id; the server answers with the
    # first check-in and the queue empties.
    expect(page.locator("[data-queue-status]")).to_be_hidden(timeout=15_000)
    expect(page.locator("[data-result-area] .checkin-result--ok")).to_contain_text("李伟")
    assert len(bodies) == 2 and bodies[0] == bodies[1]
    assert CheckIn.objects.count() == 1

    # And the same client id sent twice by hand: still one row.
    client_id = str(uuid.uuid4())
    script = """async ([url, token, id]) => {
      const csrf = document.querySelector('input[name=csrfmiddlewaretoken]').value;
      const send = () => fetch(url, {method: 'POST', headers: {'X-CSRFToken': csrf},
        body: new URLSearchParams({action: 'scan', token: token, client_id: id})})
        .then(r => r.json());
      return [await send(), await send()];
    }"""
    first, second = page.evaluate(
        script, [live_server.url + f"/c/{SLUG}/checkin/submit/", desk["tokens"][2], client_id]
    )
    assert first["created"] and not second["created"]
    assert CheckIn.objects.filter(client_id=client_id).count() == 1
    assert CheckIn.objects.count() == 2


# --- the result, large and clear -------------------------------------------------------------


def test_result_shows_name_type_and_warnings_on_a_phone(desk_page, desk):
    page = desk_page()
    _scan(page, desk["tokens"][3])  # Ana Souza has not paid
    result = page.locator("[data-result-area] .checkin-result--warning")
    expect(result).to_contain_text("Checked in, with warnings")
    expect(result.locator(".checkin-result__name")).to_have_text("Ana Souza")
    expect(result.locator(".checkin-result__badge")).to_have_text("Delegate")
    expect(result.locator(".checkin-result__warnings li")).to_have_text(["Not paid."])
    name_size = result.locator(".checkin-result__name").evaluate(
        "node => parseFloat(getComputedStyle(node).fontSize)"
    )
    assert name_size >= 30
    assert no_horizontal_overflow(page)
    screenshot(page, "checkin-desk-warning-phone")

    _scan(page, desk["tokens"][0])
    _scan(page, desk["tokens"][0])  # the same badge again: already in, at what time, by whom
    again = page.locator("[data-result-area] .checkin-result--warning")
    expect(again.locator(".checkin-result__name")).to_contain_text("马骏")
    expect(again.locator(".checkin-result__warnings li")).to_contain_text(["Already checked in at"])
    expect(again.locator(".checkin-result__warnings li")).to_contain_text(["by Zhang Min."])
    _scan(page, "NOT-A-BADGE")
    expect(page.locator("[data-result-area] .checkin-result--refused")).to_contain_text(
        "Not a valid badge of this edition."
    )
    expect(page.locator(".checkin-counts__total")).to_have_text("2")
    assert serious_violations(page) == []


def test_chinese_desk_on_a_phone(desk_page, desk):
    page = desk_page(language="zh-hans")
    expect(page.locator("h1")).to_contain_text("签到")
    _scan(page, desk["tokens"][3])
    result = page.locator("[data-result-area] .checkin-result")
    expect(result.locator(".checkin-result__warnings li")).to_have_text(["未付款。"])
    _scan(page, desk["tokens"][0])
    expect(page.locator("[data-result-area] .checkin-result--ok")).to_contain_text("签到成功")
    expect(page.locator("[data-result-area] .checkin-result__name")).to_contain_text("马骏")
    assert no_horizontal_overflow(page)
    screenshot(page, "checkin-desk-zh-phone")
    assert serious_violations(page) == []


# --- a session point: who is missing -----------------------------------------------------------


def test_bus_point_shows_who_is_missing_and_updates_after_each_scan(desk_page, desk):
    page = desk_page(f"{DESK}?point={desk['bus'].pk}", viewport=DESKTOP)
    roster = page.locator("#checkin-roster")
    expect(roster.locator("[data-boarded]")).to_have_text("0")
    expect(roster.locator("[data-expected]")).to_have_text("3")
    expect(roster.locator(".checkin-roster__missing li")).to_have_count(3)
    _scan(page, desk["tokens"][0])
    expect(page.locator("[data-result-area] .checkin-result--ok")).to_contain_text("Ma Jun")
    expect(roster.locator("[data-boarded]")).to_have_text("1")
    expect(roster.locator(".checkin-roster__missing li")).to_have_count(2)
    expect(roster).not_to_contain_text("马骏")
    _scan(page, desk["tokens"][3])  # not signed up for the bus
    expect(page.locator("[data-result-area] .checkin-result__warnings")).to_contain_text(
        "Not signed up for this session."
    )
    expect(roster.locator(".checkin-roster__extra")).to_contain_text("1 more")
    assert CheckIn.objects.filter(session=desk["bus"]).count() == 2
    screenshot(page, "checkin-desk-bus-roster")
    assert serious_violations(page) == []


def test_organiser_dashboard_counts_refresh_themselves(browser, live_server, desk):
    organiser = ConferenceRoleFactory(conference=desk["conference"]).user
    context = browser.new_context(viewport=DESKTOP)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": _session_cookie(organiser),
                "url": live_server.url,
            }
        ]
    )
    try:
        page = context.new_page()
        page.clock.install()
        page.goto(live_server.url + f"/c/{SLUG}/organiser/")
        total = page.locator("#checkin-today [data-total]")
        expect(total).to_have_text("0")
        from atrium.checkin import services as checkin

        checkin.checkin_person(
            conference=desk["conference"],
            registration=desk["registrations"][2],
            client_id=uuid.uuid4(),
            point=None,
            actor=desk["user"],
        )
        page.clock.run_for(16_000)  # htmx polls every 15 s
        expect(total).to_have_text("1")
        expect(page.locator("#checkin-today")).to_contain_text("Kenya")
        screenshot(page, "checkin-dashboard-live-counts")
    finally:
        context.close()


# --- the camera ----------------------------------------------------------------------------------

JSQR = Path(settings.BASE_DIR) / "node_modules" / "jsqr" / "dist" / "jsQR.js"


def write_y4m(text: str, path: Path, *, width=640, height=480, frames=10) -> Path:
    """A short Y4M video (4:2:0) of the QR code of ``text`` on white, for Chromium's
    fake camera (``--use-file-for-fake-video-capture``)."""
    import segno
    from PIL import Image

    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=9, border=4)
    buffer.seek(0)
    qr = Image.open(buffer).convert("L")
    picture = Image.new("L", (width, height), 255)
    picture.paste(qr, ((width - qr.width) // 2, (height - qr.height) // 2))
    y, cb, cr = picture.convert("RGB").convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = (
        b"FRAME\n"
        + y.tobytes()
        + cb.resize(half, Image.BILINEAR).tobytes()
        + cr.resize(half, Image.BILINEAR).tobytes()
    )
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(frames):
            out.write(frame)
    return path


@pytest.fixture
def camera_browser(browser, tmp_path, desk):
    """A second Chromium (launched through the shared one's Playwright, which runs once per
    thread) whose camera films a badge: the QR code of Ma Jun's real token."""
    if not JSQR.is_file():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed: the desk has no camera scanner on this machine")
        pytest.fail(f"{JSQR} is missing: run `make install` (npm ci)")
    video = write_y4m(desk["tokens"][0], tmp_path / "badge.y4m")
    camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )
    yield camera
    camera.close()


def test_camera_scans_a_badge_once(desk_page, desk, camera_browser, live_server):
    page = desk_page(on=camera_browser)
    page.context.grant_permissions(["camera"], origin=live_server.url)
    toggle = page.get_by_role("button", name="Scan with camera")
    expect(toggle).to_be_visible()
    toggle.click()
    expect(page.locator("[data-camera-view]")).to_be_visible()
    result = page.locator("[data-result-area] .checkin-result--ok")
    expect(result).to_contain_text("Ma Jun", timeout=15_000)
    expect(result).to_contain_text("马骏")
    assert _wait_for_rows(1) == 1
    screenshot(page, "checkin-desk-camera-phone")
    # The badge stays in front of the camera: the cool-down keeps it to one check-in.
    page.wait_for_timeout(4_000)
    assert CheckIn.objects.count() == 1
    assert CheckIn.objects.get().registration == desk["registrations"][0]
    page.get_by_role("button", name="Stop camera").click()
    expect(page.locator("[data-camera-view]")).to_be_hidden()
