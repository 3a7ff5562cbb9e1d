"""The request limit and publication hold under concurrency (PostgreSQL row locks)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from atrium.matchmaking import planning, services
from atrium.matchmaking.models import MeetingRequest
from tests.factories import ConferenceFactory
from tests.matchmaking.factories_web import delegate
from tests.registration.test_concurrency import run_together

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
    ),
]


def test_twelve_parallel_requests_against_a_limit_of_four():
    conference = ConferenceFactory()
    planning.settings_update(conference=conference, request_limit=4, requests_open=True)
    me = delegate(conference)
    others = [delegate(conference) for _ in range(12)]
    results = run_together(
        [lambda o=o: services.request_create(requester=me, recipient=o) for o in others]
    )
    sent = [r for r in results if isinstance(r, MeetingRequest)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(sent) == 4
    assert len(refused) == 8
    assert MeetingRequest.objects.filter(requester=me).count() == 4


def test_the_same_request_twice_at_once_gives_one():
    conference = ConferenceFactory()
    me, other = delegate(conference), delegate(conference)
    results = run_together(
        [lambda: services.request_create(requester=me, recipient=other) for _ in range(6)]
    )
    assert sum(isinstance(r, MeetingRequest) for r in results) == 1
    assert all(isinstance(r, (MeetingRequest, ValidationError)) for r in results)
    assert MeetingRequest.objects.count() == 1


def test_two_delegates_asking_each_other_at_once_give_one_request():
    conference = ConferenceFactory()
    a, b = delegate(conference), delegate(conference)
    results = run_together(
        [
            lambda: services.request_create(requester=a, recipient=b),
            lambda: services.request_create(requester=b, recipient=a),
        ]
    )
    assert sum(isinstance(r, MeetingRequest) for r in results) == 1
    assert MeetingRequest.objects.count() == 1
