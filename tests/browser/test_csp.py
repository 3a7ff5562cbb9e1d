"""Content-Security-Policy: every page family is served with the policy and breaks none of it.

The policy (``CONTENT_SECURITY_POLICY`` in settings) allows scripts, styles, fonts and
connections from the site itself only: no inline script, no inline style, no CDN. Each
page is opened in Chromium as the person who may see it, and the test listens both to
``securitypolicyviolation`` events (installed before any script of the page runs) and
to console messages; either one fails the test, naming the page and what was refused.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from atrium.demo.registration import CHECKIN_LOGIN, DELEGATE_LOGIN
from atrium.events.models import Session
from atrium.network.models import Person
from atrium.registration.models import Delegation, Registration, SeatBooking
from tests.browser.conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EDITION = "/c/beijing-2025"
# Swagger UI draws the API docs from the OpenAPI document after the page has loaded.
READY = {"/api/v1/docs": ".swagger-ui .opblock"}

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} refused ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || ""}:${event.lineNumber || ""} ${event.sample || ""}`
  );
});
"""


@pytest.fixture
def visitor(browser, live_server):
    """``visitor(username or None)`` → a function opening a path, returning what it broke."""
    contexts = []

    def _as(username: str | None):
        context = browser.new_context(viewport=DESKTOP, locale="en-GB")
        context.set_default_timeout(15_000)
        contexts.append(context)
        if username:
            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": live_server.url,
                    }
                ]
            )
        context.add_init_script(LISTEN)
        page = context.new_page()
        console: list[str] = []
        page.on(
            "console",
            lambda message: (
                console.append(message.text)
                if "Content Security Policy" in message.text
                or "Content-Security-Policy" in message.text
                else None
            ),
        )

        def visit(path: str) -> dict:
            console.clear()
            response = page.goto(live_server.url + path)
            assert response is not None and response.ok, (path, response and response.status)
            page.wait_for_load_state("load")
            if path in READY:  # pages drawn by their script: wait until it has drawn
                page.locator(READY[path]).first.wait_for()
            # Violations are reported as tasks after the fact: let them arrive.
            page.evaluate("() => new Promise((done) => setTimeout(done, 300))")
            return {
                "policy": response.headers.get("content-security-policy", ""),
                "violations": page.evaluate("window.__cspViolations") + list(console),
            }

        return visit

    yield _as
    for context in contexts:
        context.close()


def test_every_page_family_keeps_to_the_content_security_policy(demo, visitor):
    get_user_model().objects.create_superuser("organiser", "organiser@example.org", "x")
    session = Session.objects.filter(conference__slug="beijing-2025").order_by("start").first()
    cecile = Person.objects.get(slug="cecile-harle")
    delegation = Delegation.objects.filter(conference__slug="beijing-2025", head=cecile).first()
    registration = Registration.objects.filter(conference__slug="beijing-2025").first()
    quota = SeatBooking.objects.filter(session__conference__slug="beijing-2025").first()
    pages = {
        None: [
            "/",
            f"{EDITION}/programme/",
            f"{EDITION}/sessions/{session.pk}/",
            f"{EDITION}/speakers/",
            "/directory/",
            "/directory/zhongguancun-science-park/",
            "/accounts/signup/",
            "/accounts/login/",
            "/api/v1/docs",
        ],
        DELEGATE_LOGIN: [
            "/me/",
            "/me/photo/",
            "/me/tokens/",
            f"{EDITION}/me/visa/",
            f"{EDITION}/register/",
            f"{EDITION}/sign-ups/",
            f"{EDITION}/delegations/{delegation.pk}/"
            if delegation
            else f"{EDITION}/delegations/new/",
            f"{EDITION}/b2b/",
        ],
        "organiser": [
            f"{EDITION}/organiser/",
            f"{EDITION}/organiser/registrations/",
            f"{EDITION}/organiser/registrations/{registration.reference}/",
            f"{EDITION}/organiser/quotas/",
            *([f"{EDITION}/organiser/quotas/{quota.session_id}/"] if quota else []),
            f"{EDITION}/organiser/badges/",
            f"{EDITION}/organiser/visa/",
            f"{EDITION}/organiser/b2b/",
            f"{EDITION}/organiser/webhooks/",
            "/admin/",
            f"/admin/network/person/{cecile.pk}/change/",
        ],
        CHECKIN_LOGIN: [f"{EDITION}/checkin/"],
    }
    problems = {}
    for username, paths in pages.items():
        visit = visitor(username)
        for path in paths:
            seen = visit(path)
            assert "default-src 'self'" in seen["policy"], (path, seen["policy"])
            if seen["violations"]:
                problems[f"{path} ({username or 'anonymous'})"] = seen["violations"]
    assert problems == {}


def test_the_policy_allows_nothing_inline_and_nothing_from_elsewhere(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )
    for name in ("default-src", "script-src", "style-src"):
        assert directives[name] == "'self'", (name, policy)
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["object-src"] == "'none'"
