"""/health/live and /health/ready: JSON, no session, no CSRF, never cached, no HTTPS redirect."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_live_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie


def test_ready_checks_database_cache_and_queue(client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    assert set(report["checks"]) == {"database", "cache", "queue"}
    assert all(check["ok"] for check in report["checks"].values())
    assert report["checks"]["queue"]["backend"] == "ImmediateBackend"
    assert report["checks"]["queue"]["depth"] is None  # inline: nothing waits
    assert "no-cache" in response["Cache-Control"] and not response.cookies


def test_ready_is_503_when_the_cache_fails(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "set", broken)
    response = client.get("/health/ready")
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "fail"
    assert report["checks"]["cache"]["ok"] is False
    assert report["checks"]["cache"]["error"] == "ConnectionError"  # the kind, not the message
    assert "cache down" not in response.content.decode()
    assert report["checks"]["database"]["ok"] is True


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}},
)
def test_ready_reports_the_database_queue_depth(client):
    from django_tasks_db.models import DBTaskResult

    from atrium.core.mail import send_email_task

    before = client.get("/health/ready").json()["checks"]["queue"]
    assert before["backend"] == "DatabaseBackend" and before["depth"] == 0
    send_email_task.enqueue(to=["a@example.org"], subject="s", body="b", key="k1")
    send_email_task.enqueue(to=["b@example.org"], subject="s", body="b", key="k2")
    after = client.get("/health/ready").json()["checks"]["queue"]
    assert after["depth"] == 2 == DBTaskResult.objects.count()


@override_settings(SECURE_SSL_REDIRECT=True)
def test_health_is_exempt_from_the_https_redirect_and_csrf():
    client = Client(enforce_csrf_checks=True)
    assert client.get("/health/live").status_code == 200
    assert client.get("/health/ready").status_code == 200
    assert client.get("/c/beijing-2025/").status_code == 301  # every other page is redirected
    # POST is not a health check: refused, but never for a missing CSRF token.
    response = client.post("/health/live")
    assert response.status_code == 405


def test_ready_names_no_secret(client):
    body = json.dumps(client.get("/health/ready").json())
    assert "postgres://" not in body and "redis://" not in body
