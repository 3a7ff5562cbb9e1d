"""One JSON line per request: request id, user id (never the e-mail), edition, status, duration."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import override_settings

from atrium.core.mail import send_email_task
from atrium.ops.requestlog import JsonFormatter, request_id_from
from tests.factories import ConferenceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines():
    """Every record of the request and task loggers, formatted as the JSON handler does."""
    formatter = JsonFormatter()
    captured: list[dict] = []

    class Handler(logging.Handler):
        def emit(self, record):
            captured.append(json.loads(formatter.format(record)))

    handler = Handler(level=logging.INFO)
    loggers = [logging.getLogger("atrium.request"), logging.getLogger("atrium.tasks")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield captured
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


@override_settings(ATRIUM_LOG_JSON=True)
def test_a_request_writes_one_line_with_its_fields(client, lines):
    conference = ConferenceFactory(slug="log-2025")
    user = UserFactory(email="someone.private@example.org")
    client.force_login(user)
    response = client.get(f"/c/{conference.slug}/sign-ups/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    requests = [line for line in lines if line.get("event") == "request"]
    assert len(requests) == 1
    (line,) = requests
    assert line["request_id"] == "abc-123"
    assert line["user_id"] == user.pk
    assert line["edition"] == "log-2025"
    assert line["status"] == response.status_code
    assert line["method"] == "GET" and line["path"] == f"/c/{conference.slug}/sign-ups/"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["logger"] == "atrium.request" and line["level"] == "INFO"
    assert "someone.private" not in json.dumps(lines)


@override_settings(ATRIUM_LOG_JSON=True)
def test_an_anonymous_request_gets_a_new_id_and_no_user(client, lines):
    response = client.get("/health/live", HTTP_X_REQUEST_ID="bad id with spaces")
    request_id = response["X-Request-ID"]
    assert request_id != "bad id with spaces" and len(request_id) == 32
    (line,) = [line for line in lines if line.get("event") == "request"]
    assert line["request_id"] == request_id
    assert line["user_id"] is None and line["edition"] is None
    assert line["status"] == 200


def test_off_by_default_writes_no_request_line(client, lines, settings):
    assert settings.ATRIUM_LOG_JSON is False
    response = client.get("/health/live")
    assert response["X-Request-ID"]  # the id is still sent back
    assert not [line for line in lines if line.get("event") == "request"]


@override_settings(ATRIUM_LOG_JSON=True)
def test_a_task_queued_in_a_request_carries_its_request_id(lines, rf):
    from atrium.ops.requestlog import RequestLogMiddleware

    def view(request):
        send_email_task.enqueue(to=["a@example.org"], subject="s", body="b", key="log-k")
        from django.http import HttpResponse

        return HttpResponse("ok")

    RequestLogMiddleware(view)(rf.get("/x", HTTP_X_REQUEST_ID="req-42"))
    queued = [line for line in lines if line.get("event") == "task.enqueued"]
    assert len(queued) == 1
    assert queued[0]["request_id"] == "req-42"
    assert queued[0]["task"] == "atrium.core.mail.send_email_task"
    finished = [line for line in lines if line.get("event") == "task.finished"]
    assert finished and finished[0]["task_id"] == queued[0]["task_id"]


def test_request_ids_are_checked():
    assert request_id_from("a.b_c-d:1") == "a.b_c-d:1"
    assert len(request_id_from("x" * 65)) == 32
    assert len(request_id_from("<script>")) == 32
    assert len(request_id_from(None)) == 32
