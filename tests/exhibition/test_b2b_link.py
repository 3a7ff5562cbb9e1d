"""The "ask for a B2B meeting" link on an exhibitor's profile is addressed to the
exhibitor's contact: it opens matchmaking's request form with the recipient filled in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from atrium.matchmaking.models import MeetingRequest
from atrium.registration.models import Registration
from tests.factories import PersonFactory, RegistrationFactory
from tests.matchmaking.factories_web import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact_person(world):
    exhibitor = world["exhibitor"]
    person = PersonFactory(
        user=exhibitor.contact, name="Wang Lei", organisation=exhibitor.organisation
    )
    ProfileFactory(registration=RegistrationFactory(conference=world["conference"], person=person))
    return person


def _profile_page(client, world, user=None) -> str:
    client.logout()
    if user is not None:
        client.force_login(user)
    exhibitor = world["exhibitor"]
    url = reverse("exhibition:exhibitor", args=[world["conference"].slug, exhibitor.pk])
    return client.get(url).content.decode()


def test_the_link_opens_the_request_form_addressed_to_the_contact(client, world, contact_person):
    slug = world["conference"].slug
    person_url = reverse("matchmaking:person", args=[slug, contact_person.pk])
    html = _profile_page(client, world, world["users"]["visitor"])
    assert f'href="{person_url}"' in html
    assert "Ask Wang Lei for a B2B meeting" in html

    visitor = Registration.objects.get(person__user=world["users"]["visitor"])
    ProfileFactory(registration=visitor)
    form_page = client.get(person_url)
    assert form_page.status_code == 200
    assert "Wang Lei" in form_page.content.decode()
    response = client.post(person_url, {"message": "Soft landing in Zhongguancun?"})
    assert response.status_code == 302
    request = MeetingRequest.objects.get()
    assert request.requester == visitor
    assert request.recipient.person == contact_person


def test_anonymous_visitors_see_the_same_addressed_link(client, world, contact_person):
    person_url = reverse("matchmaking:person", args=[world["conference"].slug, contact_person.pk])
    assert f'href="{person_url}"' in _profile_page(client, world)


def test_without_a_b2b_profile_the_link_searches_the_exhibitors_people(client, world):
    html = _profile_page(client, world, world["users"]["visitor"])
    people_url = reverse("matchmaking:people", args=[world["conference"].slug])
    assert f'href="{people_url}?q=Zhongguancun%20Science%20Park"' in html
    assert "for a B2B meeting" not in html.replace("Ask for a B2B meeting", "")


def test_the_contact_is_not_asked_to_meet_themselves(client, world, contact_person):
    html = _profile_page(client, world, world["exhibitor"].contact)
    assert reverse(
        "matchmaking:person", args=[world["conference"].slug, contact_person.pk]
    ) not in (html)
