"""The personal agenda: delegates star sessions on the programme and session pages; /me/
lists them and the private calendar feed includes them."""

from __future__ import annotations

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from atrium.events import selectors, services
from atrium.events.models import AgendaStar
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationPolicyFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    conference = ConferenceFactory(slug="beijing-2025")
    RegistrationPolicyFactory(conference=conference)
    return conference


@pytest.fixture
def person():
    return PersonFactory(user=UserFactory(), name="Cecile Harle")


@pytest.fixture
def forum(conference):
    return SessionFactory(conference=conference, title="Forum on incubation")


def star_url(session):
    return reverse("events:session-star", args=[session.conference.slug, session.pk])


def test_star_twice_keeps_one_and_unstar_removes_it(person, forum):
    assert services.agenda_star_set(person=person, session=forum, starred=True) is True
    assert services.agenda_star_set(person=person, session=forum, starred=True) is True
    assert AgendaStar.objects.filter(person=person, session=forum).count() == 1
    assert selectors.starred_session_ids(person, forum.conference) == {forum.pk}
    assert services.agenda_star_set(person=person, session=forum, starred=False) is False
    assert not AgendaStar.objects.exists()


def test_stars_are_per_edition(person, forum):
    elsewhere = SessionFactory(conference=ConferenceFactory(), title="Elsewhere")
    services.agenda_star_set(person=person, session=forum, starred=True)
    services.agenda_star_set(person=person, session=elsewhere, starred=True)
    assert list(selectors.starred_sessions(person, forum.conference)) == [forum]


def test_the_programme_and_session_pages_star_with_htmx(client, person, forum, conference):
    programme = reverse("events:programme", args=[conference.slug])
    assert star_url(forum) not in client.get(programme).content.decode()  # not logged in
    client.force_login(person.user)
    page = client.get(programme).content.decode()
    assert star_url(forum) in page and 'aria-pressed="false"' in page
    response = client.post(star_url(forum), {"starred": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.content.decode()
    assert "<html" not in response.content.decode()  # only the button, swapped in place
    session_page = client.get(forum.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in session_page and "In my agenda" in session_page
    # Without JavaScript: a plain form post and back to the page.
    response = client.post(star_url(forum), {"starred": "0", "next": programme})
    assert response.status_code == 302 and response["Location"] == programme
    assert not AgendaStar.objects.exists()


def test_starring_needs_a_login_and_a_post(client, forum):
    response = client.post(star_url(forum), {"starred": "1"})
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(UserFactory())
    assert client.get(star_url(forum)).status_code == 405
    assert not AgendaStar.objects.exists()


def test_me_and_the_private_feed_include_starred_sessions(client, person, forum, conference):
    registration = RegistrationFactory(conference=conference, person=person)
    SessionFactory(conference=conference, title="Not starred")
    services.agenda_star_set(person=person, session=forum, starred=True)
    client.force_login(person.user)
    me = client.get(reverse("registration:me")).content.decode()
    assert "Sessions I starred" in me and "Forum on incubation" in me
    assert "Not starred" not in me
    feed = reverse("registration:agenda-feed", args=[conference.slug, registration.feed_token])
    events = icalendar.Calendar.from_ical(Client().get(feed).content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Forum on incubation"]
