"""The reviews API: the same permission matrix and rules as the pages."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from atrium.api.models import ApiToken
from atrium.api.services import token_create
from atrium.reviews import services
from atrium.reviews.models import Review

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def auth(user, scope=ApiToken.Scope.WRITE) -> dict:
    plain = token_create(user=user, name="t", scope=scope).plain
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def base(world) -> str:
    call = world["call"]
    return f"/api/v1/conferences/{call.conference.slug}"


def test_calls_are_public(client, world):
    response = client.get(base(world) + "/calls")
    assert response.status_code == 200
    assert response.json()["items"][0]["slug"] == world["call"].slug


# who -> (my submissions count, assigned list status, review PUT status, decisions status)
MATRIX = {
    "submitter": (1, 404, 404, 403),
    "coauthor": (1, 404, 404, 403),
    "assigned": (0, 200, 200, 403),
    "unassigned": (0, 200, 422, 403),
    "conflicted": (0, 200, 422, 403),
    "organiser": (0, 404, 404, 200),
    "other_organiser": (0, 404, 404, 403),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_permission_matrix_in_the_api(client, world, who):
    headers = auth(world["users"][who])
    call, sub = world["call"], world["submission"]
    mine = client.get(base(world) + "/me/submissions", **headers)
    assigned = client.get(base(world) + f"/calls/{call.slug}/assigned", **headers)
    review = client.put(
        base(world) + f"/calls/{call.slug}/submissions/{sub.pk}/review",
        {"scores": {"relevance": 4, "clarity": 4, "fit": 4}, "submit": True},
        content_type="application/json",
        **headers,
    )
    decisions = client.get(base(world) + f"/calls/{call.slug}/decisions", **headers)
    got = (mine.json()["total"], assigned.status_code, review.status_code, decisions.status_code)
    assert got == MATRIX[who], (who, review.content)
    if assigned.status_code == 200:
        titles = [item["title"] for item in assigned.json()["items"]]
        assert (sub.title in titles) == (who == "assigned")
    assert Review.objects.exists() == (who == "assigned")


def test_anonymous_gets_401(client, world):
    assert client.get(base(world) + "/me/submissions").status_code == 401


def test_conflicted_review_message_names_the_conflict(client, world):
    call, sub = world["call"], world["submission"]
    response = client.put(
        base(world) + f"/calls/{call.slug}/submissions/{sub.pk}/review",
        {"scores": {"relevance": 4}},
        content_type="application/json",
        **auth(world["users"]["conflicted"]),
    )
    assert response.status_code == 422
    assert "conflict of interest" in response.json()["message"]


def test_score_out_of_range_in_the_api(client, world):
    call, sub = world["call"], world["submission"]
    response = client.put(
        base(world) + f"/calls/{call.slug}/submissions/{sub.pk}/review",
        {"scores": {"relevance": 99}},
        content_type="application/json",
        **auth(world["users"]["assigned"]),
    )
    assert response.status_code == 422
    assert response.json()["field"] == "score_relevance"
    assert not Review.objects.exists()


def test_read_token_cannot_review(client, world):
    call, sub = world["call"], world["submission"]
    response = client.put(
        base(world) + f"/calls/{call.slug}/submissions/{sub.pk}/review",
        {"scores": {}},
        content_type="application/json",
        **auth(world["users"]["assigned"], scope=ApiToken.Scope.READ),
    )
    assert response.status_code == 403


def test_submitter_sees_decision_and_public_review_parts_once_sent(client, world):
    sub = world["submission"]
    services.review_save(
        reviewer=world["reviewers"]["assigned"],
        submission=sub,
        submit=True,
        actor=None,
        scores={"relevance": 4, "clarity": 4, "fit": 4},
        text_for_submitter="PUBLIC-PART",
        text_for_committee="PRIVATE-PART",
    )
    headers = auth(world["users"]["submitter"])
    item = client.get(base(world) + "/me/submissions", **headers).json()["items"][0]
    assert item["decision"] is None and item["reviews"] == []
    services.decision_set(submission=sub, outcome="accept", actor=None)
    services.decisions_send(call=world["call"], actor=None)
    body = client.get(base(world) + "/me/submissions", **headers).content.decode()
    assert "PUBLIC-PART" in body and "PRIVATE-PART" not in body and '"accept"' in body
