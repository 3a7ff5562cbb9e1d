"""The B2B on-site API routes: the permission matrix (organiser of this edition, of
another, delegate, check-in staff, anonymous), feedback by token, and a stale lock."""

from __future__ import annotations

import pytest
from django.test import Client

from atrium.api.models import ApiToken
from atrium.events.models import ConferenceRole
from atrium.matchmaking import onsite
from atrium.matchmaking.models import Feedback, Meeting
from tests.api.conftest import bearer
from tests.factories import ConferenceFactory, UserFactory, local
from tests.matchmaking.factories_web import B2BSessionFactory, BlockFactory, delegate, meeting

pytestmark = pytest.mark.django_db

API = "/api/v1/conferences/{slug}"


@pytest.fixture
def setup(make_token):
    conference = ConferenceFactory(slug="beijing-2025", is_published=True)
    other = ConferenceFactory(slug="nairobi-2024", is_published=True)
    block = BlockFactory(
        session=B2BSessionFactory(
            conference=conference, start=local(conference, 0, 14), end=local(conference, 0, 16)
        ),
        table_count=2,
    )
    a = delegate(conference, user=True)
    b = delegate(conference, user=True)
    m = meeting(a, b)
    onsite.meeting_move(
        meeting=m,
        block=block,
        start=local(conference, 0, 14),
        table=1,
        version=onsite.meeting_version(m),
    )
    m.refresh_from_db()

    def token(role=None, edition=None, user=None):
        user = user or UserFactory()
        if role:
            ConferenceRole.objects.create(conference=edition or conference, user=user, role=role)
        return make_token(user, scope=ApiToken.Scope.WRITE)

    tokens = {
        "organiser": token("organiser"),
        "other_organiser": token("organiser", other),
        "delegate": token(user=a.person.user),
        "checkin": token("checkin"),
    }
    return conference, m, a, tokens


def call(client, method, path, token=None, data=None):
    headers = bearer(token) if token else {}
    if method == "get":
        return client.get(path, **headers)
    return client.post(path, data=data or {}, content_type="application/json", **headers)


@pytest.mark.parametrize(
    "who, feedback, figures, lock",
    [
        ("anonymous", 401, 401, 401),
        ("delegate", 200, 403, 403),
        ("checkin", 404, 403, 403),
        ("other_organiser", 404, 403, 403),
        ("organiser", 404, 200, 200),
    ],
)
def test_the_permission_matrix(setup, who, feedback, figures, lock, clock):
    conference, m, _a, tokens = setup
    clock.move_to(m.end)  # feedback opens once the meeting has begun
    client = Client()
    token = tokens.get(who)
    base = API.format(slug=conference.slug)
    answers = (
        call(client, "post", f"{base}/me/meetings/{m.pk}/feedback", token, {"took_place": True}),
        call(client, "get", f"{base}/b2b/feedback", token),
        call(
            client,
            "post",
            f"{base}/b2b/meetings/{m.pk}/lock",
            token,
            {"locked": True, "version": onsite.meeting_version(m)},
        ),
    )
    assert [r.status_code for r in answers] == [feedback, figures, lock]
    assert Meeting.objects.get(pk=m.pk).locked == (lock == 200)
    assert Feedback.objects.exists() == (feedback == 200)


def test_feedback_refusals_name_the_field(setup, clock):
    conference, m, _a, tokens = setup
    clock.move_to(m.end)  # feedback opens once the meeting has begun
    path = f"{API.format(slug=conference.slug)}/me/meetings/{m.pk}/feedback"
    response = call(Client(), "post", path, tokens["delegate"], {"took_place": False, "rating": 3})
    assert response.status_code == 422
    assert response.json()["field"] == "rating"
    response = call(Client(), "post", path, tokens["delegate"], {"took_place": True, "rating": 9})
    assert response.status_code == 422
    assert not Feedback.objects.exists()


def test_a_stale_lock_is_refused_and_changes_nothing(setup):
    conference, m, _a, tokens = setup
    path = f"{API.format(slug=conference.slug)}/b2b/meetings/{m.pk}/lock"
    stale = onsite.meeting_version(m)
    first = call(Client(), "post", path, tokens["organiser"], {"locked": True, "version": stale})
    assert first.status_code == 200 and first.json()["locked"] is True
    again = call(Client(), "post", path, tokens["organiser"], {"locked": False, "version": stale})
    assert again.status_code == 422
    assert again.json()["field"] == "version"
    assert Meeting.objects.get(pk=m.pk).locked
