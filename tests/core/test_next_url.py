"""Every ``next`` a view follows stays on this site."""

import pytest
from django.test import RequestFactory

from atrium.core.views import next_url
from atrium.registration import seats


@pytest.mark.parametrize(
    "raw",
    [
        "https://evil.example/",
        "//evil.example/path",
        "http://evil.example",
        "javascript:alert(1)",
        "\\\\evil.example",
        "https:///evil.example",
    ],
)
def test_an_address_elsewhere_falls_back_to_the_default(raw):
    request = RequestFactory().post("/x/", {"next": raw})
    assert next_url(request, "/fallback/") == "/fallback/"


def test_a_path_on_this_site_is_followed():
    request = RequestFactory().post("/x/", {"next": "/me/"})
    assert next_url(request, "/fallback/") == "/me/"
    request = RequestFactory().get("/x/", {"next": "http://testserver/me/"})
    assert next_url(request, "/fallback/") == "http://testserver/me/"


@pytest.mark.django_db
def test_seat_cancel_does_not_redirect_off_site(client):
    from django.urls import reverse

    from tests.factories import ConferenceFactory, PersonFactory, RegistrationFactory, UserFactory

    conference = ConferenceFactory(slug="bj")
    person = PersonFactory(user=UserFactory())
    registration = RegistrationFactory(conference=conference, person=person, status="confirmed")
    session = conference.sessions.create(
        title="Visit",
        kind="technical_visit",
        start=f"{conference.start_date}T08:00:00+08:00",
        end=f"{conference.start_date}T10:00:00+08:00",
        seats=5,
    )
    booking = seats.seat_signup(registration=registration, session=session)
    client.force_login(person.user)
    response = client.post(
        reverse("registration:seat-cancel", args=["bj", booking.pk]),
        {"next": "https://evil.example/phish"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("registration:signups", args=["bj"])
