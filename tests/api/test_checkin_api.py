"""Check-in through the API: staff scan badges (a scan sent twice counts once) and list them."""

from __future__ import annotations

import uuid

import pytest

from atrium.api.models import ApiToken
from atrium.checkin.badges import badge_issue
from atrium.checkin.models import CheckIn
from atrium.checkin.tokens import sign_badge_key
from atrium.events.models import ConferenceRole
from tests.api.conftest import bearer
from tests.factories import ConferenceFactory, PersonFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_user, make_token):
    conference = ConferenceFactory(slug="beijing-2025")
    staff = make_user("steward")
    ConferenceRole.objects.create(conference=conference, user=staff, role="checkin")
    registration = RegistrationFactory(
        conference=conference, person=PersonFactory(name="Ma Jun", name_zh="马骏")
    )
    token = sign_badge_key(badge_issue(registration=registration, actor=None).key)
    return conference, staff, registration, token


def test_scan_twice_counts_once_and_lists(client, make_token, desk):
    conference, staff, registration, token = desk
    url = f"/api/v1/conferences/{conference.slug}/checkins"
    write = bearer(make_token(staff, scope=ApiToken.Scope.WRITE))
    scan = {"token": token, "client_id": str(uuid.uuid4())}
    first = client.post(url, scan, content_type="application/json", **write).json()
    again = client.post(url, scan, content_type="application/json", **write).json()
    assert (first["state"], first["created"]) == ("ok", True)
    assert (again["state"], again["created"]) == ("ok", False)
    assert CheckIn.objects.count() == 1
    listed = client.get(url, **write).json()
    assert listed["total"] == 1
    assert listed["items"][0]["name_zh"] == "马骏"
    assert listed["items"][0]["at"].endswith("+08:00")


def test_tampered_token_is_refused(client, make_token, desk):
    conference, staff, _registration, token = desk
    url = f"/api/v1/conferences/{conference.slug}/checkins"
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    body = client.post(
        url,
        {"token": forged, "client_id": str(uuid.uuid4())},
        content_type="application/json",
        **bearer(make_token(staff, scope=ApiToken.Scope.WRITE)),
    ).json()
    assert body["state"] == "refused" and body["error"]
    assert not CheckIn.objects.exists()


def test_permissions(client, make_user, make_token, desk):
    conference, staff, _registration, token = desk
    url = f"/api/v1/conferences/{conference.slug}/checkins"
    scan = {"token": token, "client_id": str(uuid.uuid4())}
    delegate = make_user("delegate")
    assert client.get(url).status_code == 401
    assert client.get(url, **bearer(make_token(delegate))).status_code == 403
    read_only = bearer(make_token(staff))
    assert client.post(url, scan, content_type="application/json", **read_only).status_code == 403
    other_edition = ConferenceFactory()
    elsewhere = make_user("elsewhere")
    ConferenceRole.objects.create(conference=other_edition, user=elsewhere, role="organiser")
    assert client.get(url, **bearer(make_token(elsewhere))).status_code == 403
    assert not CheckIn.objects.exists()
