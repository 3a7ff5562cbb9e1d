"""The check-in desk's service worker script, served under the desk so its scope covers it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ConferenceFactory
from tests.registration.factories_organiser import ConferenceRoleFactory

pytestmark = pytest.mark.django_db


def test_service_worker_is_javascript_not_cached_and_public():
    url = reverse("checkin:service-worker", args=["beijing-2025"])
    assert url == "/c/beijing-2025/checkin/sw.js"
    response = Client().get(url)  # nobody logged in: the script holds nothing personal
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert "Set-Cookie" not in response.headers
    body = response.content.decode()
    assert 'addEventListener("fetch"' in body
    assert 'request.method !== "GET"' in body  # posted scans never go through the cache


def test_service_worker_only_answers_get():
    response = Client().post(reverse("checkin:service-worker", args=["beijing-2025"]))
    assert response.status_code == 405


def test_desk_page_points_to_its_service_worker(client):
    conference = ConferenceFactory(slug="sw-desk")
    role = ConferenceRoleFactory(conference=conference, role="checkin")
    client.force_login(role.user)
    response = client.get("/c/sw-desk/checkin/")
    assert response.status_code == 200
    assert 'data-service-worker="/c/sw-desk/checkin/sw.js?static=%2Fstatic%2F"' in (
        response.content.decode()
    )
