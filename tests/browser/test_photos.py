"""The photo for check-in in real Chromium: the delegate uploads it on /me/, the desk shows it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from atrium.checkin.badges import badge_issue
from atrium.checkin.tokens import sign_badge_key
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.browser.test_accessibility import serious_violations
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationTypeFactory,
    UserFactory,
)
from tests.registration.factories_organiser import ConferenceRoleFactory, OrderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _portrait() -> bytes:
    """A 600 × 800 stand-in portrait: a face-coloured oval on blue."""
    image = Image.new("RGB", (600, 800), (40, 90, 160))
    draw = ImageDraw.Draw(image)
    draw.ellipse((150, 180, 450, 560), fill=(232, 190, 160))
    draw.rectangle((100, 600, 500, 800), fill=(30, 30, 40))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _login(browser, live_server, user, viewport):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, locale="en-GB")
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
    return context


def test_upload_on_me_then_the_desk_shows_the_photo(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = (
        timezone.localdate()
    )  # on now: the desk's staff see the photo (ATRIUM_PHOTO_VISIBLE_DAYS)
    conference = ConferenceFactory(
        slug="beijing-photo",
        name="42nd IASP World Conference",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=1),
    )
    user = UserFactory(email="cecile@example.org")
    person = PersonFactory(name="Cecile Harle", user=user)
    registration = RegistrationFactory(
        conference=conference,
        person=person,
        type=RegistrationTypeFactory(conference=conference, name="Delegate"),
    )
    OrderFactory(registration=registration, reference="BJP-001", status="paid")
    token = sign_badge_key(badge_issue(registration=registration, actor=None).key)

    delegate = _login(browser, live_server, user, DESKTOP)
    page = delegate.new_page()
    page.goto(live_server.url + "/me/")
    page.set_input_files(
        "#photo input[type=file]",
        files=[{"name": "portrait.png", "mimeType": "image/png", "buffer": _portrait()}],
    )
    page.locator("#photo button[type=submit]").first.click()
    preview = page.locator("#photo img.person-photo")
    expect(preview).to_be_visible()
    expect(page.locator("#photo img")).to_have_js_property("naturalWidth", 400)
    screenshot(page, "photo-me")
    assert serious_violations(page) == []
    delegate.close()

    staff = ConferenceRoleFactory(conference=conference, role="checkin").user
    desk = _login(browser, live_server, staff, PHONE)
    page = desk.new_page()
    page.goto(live_server.url + f"/c/{conference.slug}/checkin/")
    field = page.locator(".checkin-scan input[name=token]")
    field.fill(token)
    field.press("Enter")
    photo = page.locator(".checkin-result__photo")
    expect(photo).to_be_visible()
    expect(photo).to_have_attribute("alt", "Cecile Harle")
    expect(page.locator(".checkin-result__photo")).to_have_js_property("naturalWidth", 400)
    screenshot(page, "photo-checkin-result")
    assert serious_violations(page) == []
    desk.close()

    # Someone else, logged in, gets nothing at the same address.
    person.refresh_from_db()
    assert person.photo_url
    stranger = _login(browser, live_server, UserFactory(), DESKTOP)
    response = stranger.request.get(live_server.url + person.photo_url)
    assert response.status == 404
    stranger.close()
