"""The B2B pages run a fixed number of queries, whatever the number of delegates."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from atrium.matchmaking import services
from tests.factories import ConferenceFactory, OrganisationFactory, SectorFactory
from tests.matchmaking.factories_web import ProfileFactory, delegate, meeting

pytestmark = pytest.mark.django_db


def add_delegates(conference, me, sectors, count):
    people = []
    for i in range(count):
        other = delegate(conference, profile=False, organisation=OrganisationFactory(country="CN"))
        ProfileFactory(
            registration=other,
            sectors=sectors[: 1 + i % len(sectors)],
            seek_kinds=["incubation"],
            offer_kinds=["joint_research"],
        )
        people.append(other)
    # Some history with them: requests both ways, a meeting with a colleague.
    services.request_create(requester=people[0], recipient=me)
    services.request_create(requester=me, recipient=people[1])
    meeting(me, people[2])
    return people


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def page_queries(conference, me) -> dict[str, int]:
    client = Client()
    client.force_login(me.person.user)
    slug = conference.slug
    some_person = me.b2b_requests_received.first().requester.person_id
    return {
        "home": queries(client, reverse("matchmaking:home", args=[slug])),
        "people": queries(client, reverse("matchmaking:people", args=[slug])),
        "person": queries(client, reverse("matchmaking:person", args=[slug, some_person])),
    }


def test_recommendations_page_queries_do_not_grow(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    sectors = [SectorFactory() for _ in range(4)]
    counts = []
    for size in (5, 40):
        conference = ConferenceFactory()
        me = delegate(conference, user=True, profile=False)
        ProfileFactory(registration=me, sectors=sectors, offer_kinds=["incubation"], seek_kinds=[])
        add_delegates(conference, me, sectors, size)
        counts.append(page_queries(conference, me))
        client = Client()
        client.force_login(me.person.user)
        home = client.get(reverse("matchmaking:home", args=[conference.slug])).content.decode()
        # Everyone but the three with a request or meeting, at most ten.
        assert home.count('class="b2b-card b2b-suggestion"') == min(size - 3, 10)
    small, large = counts
    assert small == large
    assert large["home"] <= 20, large
