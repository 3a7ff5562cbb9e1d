"""Slow downloads give feedback: the registrations export is streamed (CSV and XLSX) and
tells the page when the file starts to come; large badge batches go to a run with progress."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from atrium.checkin.badges import inline_max_badges
from atrium.events.permissions import Role
from tests.factories import ConferenceFactory, PersonFactory, RegistrationFactory
from tests.registration.factories_organiser import ConferenceRoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    conference = ConferenceFactory(slug="beijing")
    for index in range(30):
        RegistrationFactory(conference=conference, person=PersonFactory(name=f"Delegate {index}"))
    return conference


@pytest.fixture
def orga(client, conference):
    client.force_login(ConferenceRoleFactory(conference=conference, role=Role.ORGANISER).user)
    return client


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_streams_and_sets_the_download_cookie(orga, conference, fmt):
    url = reverse("organiser:export", args=[conference.slug])
    response = orga.get(url, {"format": fmt, "download_token": "a1b2c3d4e5f6"})
    assert response.status_code == 200 and response.streaming
    assert response.cookies["atrium_download"].value == "a1b2c3d4e5f6"
    assert not response.cookies["atrium_download"]["httponly"]  # the page's script reads it
    content = b"".join(response.streaming_content)
    if fmt == "xlsx":
        rows = list(load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows())
    else:
        rows = content.decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 31


@pytest.mark.parametrize("token", ["", "short", "not a token!", "x" * 40])
def test_a_bad_download_token_sets_no_cookie(orga, conference, token):
    url = reverse("organiser:export", args=[conference.slug])
    response = orga.get(url, {"format": "csv", "download_token": token})
    assert response.status_code == 200
    assert "atrium_download" not in response.cookies


def test_the_export_links_ask_for_progress(orga, conference):
    page = orga.get(reverse("organiser:registrations", args=[conference.slug])).content.decode()
    assert page.count("data-download") >= 2 and "Preparing the file…" in page


def test_more_than_20_badges_go_to_a_run_with_progress(settings):
    del settings.ATRIUM_BADGE_INLINE_MAX  # the default
    assert inline_max_badges() == 20
