"""The demo's B2B matchmaking: Beijing 2025 with profiles, requests and a published run."""

from __future__ import annotations

from collections import Counter

import pytest

from atrium.demo.loader import load_demo
from atrium.demo.matchmaking import ensure_matchmaking_demo
from atrium.events.models import Conference
from atrium.matchmaking import selectors
from atrium.matchmaking.models import Block, Meeting, MeetingRequest, Profile, SchedulerRun

pytestmark = pytest.mark.django_db


def test_beijing_b2b_demo():
    created = load_demo()["created"]  # the loader sets up B2B too
    beijing = Conference.objects.get(slug="beijing-2025")
    assert created["beijing_b2b_blocks"] == 4
    assert Block.objects.filter(session__conference=beijing).count() == 4
    assert 140 <= Profile.objects.filter(conference=beijing).count() <= 150
    statuses = Counter(
        MeetingRequest.objects.filter(conference=beijing).values_list("status", flat=True)
    )
    assert 280 <= sum(statuses.values()) <= 300
    assert statuses["accepted"] > statuses["declined"] > 0 and statuses["pending"] > 0

    run = SchedulerRun.objects.get(conference=beijing)
    assert run.status == "done" and run.published_at is not None
    assert run.quality > 99
    published = Meeting.objects.filter(conference=beijing, published_at__isnull=False)
    assert published.count() == run.scheduled_count
    seats = Counter((p.registration_id, m.start) for m in published for p in m.participants.all())
    assert max(seats.values()) == 1

    cecile = Profile.objects.get(registration__person__slug="cecile-harle", conference=beijing)
    assert {s.slug for s in cecile.sectors.all()} == {"ict", "life-sciences-health"}
    assert cecile.registration.person.user.username == "delegate@example.org"
    mine = selectors.meetings_for_person(conference=beijing, person=cecile.registration.person)
    assert any(
        "zhongguancun" in (p.organisation.slug if p.organisation else "")
        for entry in mine
        for p in entry.others
    )
    waiting = selectors.requests_received(cecile.registration)
    assert any("zhongguancun" in r.requester.person.organisation.slug for r in waiting)
    assert selectors.suggestions(registration=cecile.registration, profile=cecile)

    # Idempotent: a second call adds nothing.
    again = ensure_matchmaking_demo(beijing, seed=2025)
    assert set(again.values()) == {0}
