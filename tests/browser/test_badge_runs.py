"""Badge print runs in real Chromium, on the demo edition: start a run, watch it, download."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.test import Client
from playwright.sync_api import expect

from atrium.checkin.badges import badge_selection
from atrium.checkin.models import BadgePrintRun
from atrium.events.models import Conference
from atrium.registration.models import Registration
from tests.browser.conftest import DESKTOP, PHONE, no_horizontal_overflow, screenshot
from tests.browser.test_accessibility import serious_violations
from tests.registration.factories_organiser import ConferenceRoleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BADGES = "/c/beijing-2025/organiser/badges/"
DELEGATION = "Beijing Municipal Government"


@pytest.fixture
def organiser_page(demo, browser, live_server, settings, tmp_path):
    """``organiser_page(path, viewport=DESKTOP)``: logged in as an organiser of Beijing 2025.

    Batches of more than 2 badges are print runs here (50 by default), so that the demo's
    delegations make one; the task runs inline in the live server, as in the demo.
    """
    settings.ATRIUM_BADGE_INLINE_MAX = 2
    settings.MEDIA_ROOT = tmp_path / "media"
    conference = Conference.objects.get(slug="beijing-2025")
    user = ConferenceRoleFactory(conference=conference).user
    client = Client()
    client.force_login(user)
    session_id = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    contexts = []

    def _open(path: str, *, viewport=DESKTOP):
        context = browser.new_context(
            viewport=viewport, locale="en-GB", extra_http_headers={"Accept-Language": "en"}
        )
        context.set_default_timeout(20_000)
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": session_id,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + path)
        return page

    _open.conference = conference
    _open.user = user
    yield _open
    for context in contexts:
        context.close()


def test_organiser_starts_a_run_and_downloads_the_pdf(organiser_page):
    conference = organiser_page.conference
    members = Registration.objects.filter(
        conference=conference, delegation__name=DELEGATION, status="confirmed"
    ).count()
    assert members > 2
    page = organiser_page(BADGES)
    page.get_by_label("Delegation").select_option(label=DELEGATION)
    page.get_by_role("button", name="Count").click()
    expect(page.locator(".badge-count")).to_have_text(f"{members} badges selected.")
    page.get_by_role("button", name="Start a print run").click()
    expect(page).to_have_url(re.compile(r"/organiser/badges/#badge-runs$"))
    expect(page.locator(".notices")).to_contain_text("The print run has started")
    run = page.locator(".badge-run").first
    expect(run).to_contain_text("Done")
    expect(run).to_contain_text(DELEGATION)
    expect(run).to_contain_text(f"{members} of {members} badges")
    progress = run.get_by_role("progressbar", name=f"{members} of {members} badges")
    expect(progress).to_have_attribute("value", str(members))
    link = run.get_by_role("link", name="Download the PDF")
    expect(link).to_be_visible()
    screenshot(page, "badge-runs-done-desktop-en")
    assert serious_violations(page) == []
    response = page.request.get(urljoin(page.url, link.get_attribute("href")))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    # The badges are printed: "not printed yet" of the delegation is now empty.
    stored = BadgePrintRun.objects.get()
    assert stored.status == "done" and stored.done_count == members
    assert badge_selection(conference, stored.filters).count() == 0


def test_progress_updates_while_a_run_is_running(organiser_page):
    conference = organiser_page.conference
    run = BadgePrintRun.objects.create(
        conference=conference,
        description="All types · not printed yet",
        layout="a6",
        status=BadgePrintRun.Status.RUNNING,
        total=80,
        done_count=25,
        created_by=organiser_page.user,
    )
    page = organiser_page(BADGES, viewport=PHONE)
    entry = page.locator(".badge-run").first
    expect(entry).to_contain_text("Running")
    expect(entry.get_by_role("progressbar", name="25 of 80 badges")).to_have_attribute(
        "value", "25"
    )
    assert no_horizontal_overflow(page)
    screenshot(page, "badge-runs-running-phone-en")
    assert serious_violations(page) == []
    # The worker moves on; the page (polling every 2 s) follows without a reload.
    BadgePrintRun.objects.filter(pk=run.pk).update(done_count=50)
    expect(entry.get_by_role("progressbar", name="50 of 80 badges")).to_be_visible()
    run.refresh_from_db()
    run.file.save("run.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    run.status = BadgePrintRun.Status.DONE
    run.done_count = 80
    run.save()
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
    expect(page.locator("#badge-runs")).not_to_have_attribute("hx-trigger", re.compile("."))
