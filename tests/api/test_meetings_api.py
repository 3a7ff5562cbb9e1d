"""``GET /api/v1/conferences/{slug}/me/meetings``: my published B2B meetings, nobody else's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import bearer
from tests.factories import local
from tests.matchmaking.factories_web import BlockFactory, ConferenceFactory, delegate, meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    conference = ConferenceFactory(slug="beijing-2025")
    block = BlockFactory(session__conference=conference, table_names="Table A\nTable B\nTable C")
    cecile = delegate(conference, user=True, name="Cecile Harle")
    ma = delegate(conference, user=True, name="Ma Jun", name_zh="马骏")
    other = delegate(conference, user=True, name="Elif")
    published = meeting(cecile, ma)
    published.block = block
    published.start = local(conference, 0, 14)
    published.end = published.start + timedelta(minutes=30)
    published.table = 2
    published.published_at = timezone.now()
    published.save()
    meeting(cecile, other)  # accepted, not scheduled yet: not listed
    return conference, cecile, ma, other


def test_my_meetings(client, make_token, setting):
    conference, cecile, ma, other = setting
    url = f"/api/v1/conferences/{conference.slug}/me/meetings"
    response = client.get(url, **bearer(make_token(cecile.person.user)))
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["start"] == "2025-09-16T14:00:00+08:00"  # the edition's local time
    assert item["table"] == "Table B"
    assert [p["name_zh"] for p in item["others"]] == ["马骏"]
    # Ma Jun sees the same meeting with Cecile; Elif sees none; without a token, 401.
    theirs = client.get(url, **bearer(make_token(ma.person.user))).json()
    assert [p["name"] for p in theirs["items"][0]["others"]] == ["Cecile Harle"]
    assert client.get(url, **bearer(make_token(other.person.user))).json()["total"] == 0
    assert client.get(url).status_code == 401


def test_no_confirmed_registration_is_a_404(client, make_token, make_user, setting):
    conference = setting[0]
    stranger = make_user("stranger")
    response = client.get(
        f"/api/v1/conferences/{conference.slug}/me/meetings", **bearer(make_token(stranger))
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
