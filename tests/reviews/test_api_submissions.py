"""The reviews API for submitters (create, edit, hand in) and reviewers (bids): same rules
as the pages, the permission matrix included."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from atrium.api.models import ApiToken
from atrium.reviews.models import Bid, Submission
from tests.factories import OrganisationFactory, UserFactory

from .helpers import make_call, make_person
from .test_api import auth, base

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _subs(call) -> str:
    return f"/api/v1/conferences/{call.conference.slug}/calls/{call.slug}/submissions"


# who -> (read, edit, hand in, bid list, bid on it, listed in my bids)
MATRIX = {
    "submitter": (200, 422, 422, 404, 404, False),
    "coauthor": (200, 422, 422, 404, 404, False),
    "assigned": (404, 404, 404, 200, 200, True),
    "unassigned": (404, 404, 404, 200, 200, True),
    "conflicted": (404, 404, 404, 200, 422, False),
    "organiser": (200, 422, 422, 404, 404, False),
    "other_organiser": (404, 404, 404, 404, 404, False),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_permission_matrix_of_submissions_and_bids(client, world, who):
    call, sub = world["call"], world["submission"]
    headers = auth(world["users"][who])
    url = f"{_subs(call)}/{sub.pk}"
    read = client.get(url, **headers)
    edit = client.patch(url, {"title": "Forged"}, content_type="application/json", **headers)
    hand_in = client.post(url + "/submit", **headers)
    bids = client.get(base(world) + f"/calls/{call.slug}/bids", **headers)
    bid = client.put(url + "/bid", {"level": "eager"}, content_type="application/json", **headers)
    listed = bids.status_code == 200 and sub.pk in [i["submission"] for i in bids.json()["items"]]
    got = (
        read.status_code,
        edit.status_code,
        hand_in.status_code,
        bids.status_code,
        bid.status_code,
        listed,
    )
    assert got == MATRIX[who], (who, edit.content, bid.content)
    sub.refresh_from_db()
    assert sub.title != "Forged"
    assert Bid.objects.filter(submission=sub).exists() == (who in ("assigned", "unassigned"))
    if read.status_code == 200:
        assert read.json()["title"] == sub.title
    if who == "conflicted":
        assert "conflict of interest" in bid.json()["message"]


def test_anonymous_and_read_only_tokens(client, world):
    call, sub = world["call"], world["submission"]
    url = f"{_subs(call)}/{sub.pk}"
    assert client.get(url).status_code == 401
    assert (
        client.post(_subs(call), {"title": "x"}, content_type="application/json").status_code == 401
    )
    assert client.get(base(world) + f"/calls/{call.slug}/bids").status_code == 401
    read_only = auth(world["users"]["submitter"], scope=ApiToken.Scope.READ)
    assert client.get(url, **read_only).status_code == 200
    assert (
        client.patch(url, {"title": "y"}, content_type="application/json", **read_only).status_code
        == 403
    )
    reviewer_ro = auth(world["users"]["assigned"], scope=ApiToken.Scope.READ)
    response = client.put(
        url + "/bid", {"level": "eager"}, content_type="application/json", **reviewer_ro
    )
    assert response.status_code == 403
    assert not Bid.objects.exists()


def test_a_submitter_drafts_edits_and_hands_in(client, clock):
    call = make_call()
    person = make_person()
    headers = auth(person.user)
    created = client.post(
        _subs(call),
        {"title": "Parks and health", "track": "health", "answers": {"audience": "Parks"}},
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["track"], body["answers"]) == (
        "draft",
        "health",
        {"audience": "Parks"},
    )
    sub = Submission.objects.get(pk=body["id"])
    assert sub.submitter == person
    url = f"{_subs(call)}/{sub.pk}"
    # incomplete: the hand-in names what is missing
    refused = client.post(url + "/submit", **headers)
    assert refused.status_code == 422
    assert {d["field"] for d in refused.json()["detail"]} >= {"abstract", "session_kind"}
    edited = client.patch(
        url,
        {"abstract": "Green practice", "session_kind": "parallel_forum", "duration_minutes": 20},
        content_type="application/json",
        **headers,
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["title"] == "Parks and health"  # not sent, not changed
    assert edited.json()["answers"] == {"audience": "Parks"}
    handed = client.post(url + "/submit", **headers)
    assert handed.status_code == 200
    assert handed.json()["status"] == "submitted"
    # still editable until the deadline; after it, nothing changes
    assert (
        client.patch(
            url, {"co_speakers": "Li Wei"}, content_type="application/json", **headers
        ).status_code
        == 200
    )
    clock.move_to(call.closes_at + dt.timedelta(minutes=1))
    late = client.patch(url, {"title": "Late"}, content_type="application/json", **headers)
    assert late.status_code == 422
    assert "deadline passed" in late.json()["message"]
    assert Submission.objects.get(pk=sub.pk).title == "Parks and health"


def test_bad_input_is_422_naming_the_field(client):
    call = make_call()
    headers = auth(make_person().user)
    for payload, field in [
        ({"title": "x", "track": "nowhere"}, "track"),
        ({"title": "x", "organisation": "no-such-org"}, "organisation"),
        ({"title": "x", "answers": {"audience": "far too long for twenty characters"}}, "audience"),
        ({"title": "x", "answers": {"unknown": "1"}}, "answers"),
        ({"title": "x", "duration_minutes": -5}, "duration_minutes"),
    ]:
        response = client.post(_subs(call), payload, content_type="application/json", **headers)
        assert response.status_code == 422, (payload, response.content)
        assert field in response.content.decode(), (payload, response.content)
    assert not Submission.objects.exists()


def test_a_closed_call_takes_no_new_submission_and_needs_a_person(client):
    call = make_call(open_now=False)
    headers = auth(make_person().user)
    response = client.post(_subs(call), {"title": "x"}, content_type="application/json", **headers)
    assert response.status_code == 422
    assert "closed" in response.json()["message"]
    open_call = make_call(slug="open")
    response = client.post(
        _subs(open_call), {"title": "x"}, content_type="application/json", **auth(UserFactory())
    )
    assert response.status_code == 422
    assert "no person" in response.json()["message"]
    assert not Submission.objects.exists()


def test_award_entry_with_an_organisation_from_the_directory(client):
    call = make_call(kind="award", slug="award")
    org = OrganisationFactory()
    headers = auth(make_person().user)
    response = client.post(
        _subs(call),
        {
            "title": "Dart",
            "organisation": org.slug,
            "solution": "An incubator",
            "money_raised_cny": 2000000000,
            "answers": {"audience": "Parks"},
        },
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201, response.content
    assert response.json()["organisation"] == org.slug
    sub_id = response.json()["id"]
    handed = client.post(f"{_subs(call)}/{sub_id}/submit", **headers)
    assert handed.json()["status"] == "submitted"


def test_bids_cannot_reach_drafts_or_other_calls(client, world):
    call = world["call"]
    headers = auth(world["users"]["assigned"])
    draft = Submission.objects.create(
        call=call, submitter=make_person(), title="Draft", status="draft"
    )
    response = client.put(
        f"{_subs(call)}/{draft.pk}/bid",
        {"level": "eager"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404
    response = client.put(
        f"{_subs(call)}/{world['submission'].pk}/bid",
        {"level": "keen"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 422
    assert not Bid.objects.exists()
