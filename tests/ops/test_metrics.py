"""/metrics: Prometheus text for the holder of ATRIUM_METRICS_TOKEN, a 404 for anyone else."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from atrium.checkin.models import CheckIn
from atrium.registration.models import Registration
from tests.factories import ConferenceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-the-tests-0123456789"


def _value(text: str, name: str, **labels) -> float:
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} {labels} not in the metrics")


def test_no_token_configured_is_a_404(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@override_settings(ATRIUM_METRICS_TOKEN=TOKEN)
def test_wrong_or_missing_token_is_a_404(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope").status_code == 404
    assert client.get("/metrics", {"token": TOKEN}).status_code == 404  # header only


@override_settings(ATRIUM_METRICS_TOKEN=TOKEN)
def test_metrics_count_requests_queries_and_atrium_figures(client):
    conference = ConferenceFactory(slug="metrics-2025")
    confirmed = RegistrationFactory(conference=conference)
    RegistrationFactory(conference=conference, status=Registration.Status.PENDING)
    CheckIn.objects.create(
        conference=conference,
        registration=confirmed,
        client_id="00000000-0000-0000-0000-000000000001",
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
    first = client.get("/metrics", **auth).content.decode()
    client.get("/health/live")
    client.get("/health/live")
    response = client.get("/metrics", **auth)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    view = "ops:live"
    assert _value(text, "atrium_http_requests_total", view=view, status="200") == (
        _value(first, "atrium_http_requests_total", view=view, status="200") + 2
        if "ops:live" in first
        else 2
    )
    assert _value(text, "atrium_http_request_duration_seconds_count", view=view) >= 2
    assert _value(text, "atrium_db_queries_total") > 0
    assert _value(text, "atrium_registrations", edition="metrics-2025", status="confirmed") == 1
    assert _value(text, "atrium_registrations", edition="metrics-2025", status="pending") == 1
    assert _value(text, "atrium_checkins", edition="metrics-2025", point="entrance") == 1
    assert _value(text, "atrium_task_queue_depth") == 0
    assert _value(text, "atrium_cache_up") == 1
    assert re.search(r"^# TYPE atrium_http_request_duration_seconds histogram$", text, re.M)
