"""Deliveries to a real HTTP receiver on localhost: signature, headers, body, retries, log."""

import json
import uuid
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from atrium.webhooks import events, services
from atrium.webhooks.models import Delivery
from atrium.webhooks.signing import verify_signature
from tests.factories import ConferenceFactory
from tests.webhooks.factories_webhooks import EndpointFactory
from tests.webhooks.receiver import Answer, closed_port_url

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "registration": {
        "id": 7,
        "status": "confirmed",
        "person": {"id": 3, "name": "Ma Jun", "name_zh": "马骏"},
    }
}


@pytest.fixture
def conference():
    return ConferenceFactory(slug="beijing-2025")


@pytest.fixture
def endpoint(conference, receiver):
    return EndpointFactory(conference=conference, url=receiver.url)


def emit(capture, conference, event=events.REGISTRATION_CONFIRMED, payload=PAYLOAD):
    """Emit as a service would, and run what is queued on commit (the immediate backend)."""
    with capture(execute=True):
        return services.webhook_emit(conference=conference, event=event, payload=payload)


def test_delivery_arrives_signed_with_headers_and_body(
    conference, endpoint, receiver, django_capture_on_commit_callbacks
):
    [delivery] = emit(django_capture_on_commit_callbacks, conference)

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.method == "POST"
    assert request.path == "/hooks/atrium"
    headers = request.headers
    # the receiver's side: verify with the endpoint's secret
    assert verify_signature(
        endpoint.secret,
        headers["X-Atrium-Timestamp"],
        request.body,
        headers["X-Atrium-Signature"],
    )
    assert not verify_signature(
        "whsec_wrong", headers["X-Atrium-Timestamp"], request.body, headers["X-Atrium-Signature"]
    )
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "Atrium-Webhooks/1"
    assert headers["X-Atrium-Event"] == "registration.confirmed"
    assert headers["X-Atrium-Delivery"] == str(delivery.event_id)
    assert headers["X-Atrium-Attempt"] == "1"
    assert abs(int(headers["X-Atrium-Timestamp"]) - timezone.now().timestamp()) < 60

    body = json.loads(request.body)
    assert body["id"] == str(delivery.event_id)
    uuid.UUID(body["id"])
    assert body["event"] == "registration.confirmed"
    assert body["conference"] == "beijing-2025"
    assert body["data"] == PAYLOAD
    assert "马骏" in request.body.decode("utf-8")  # UTF-8, not \u escapes
    created = datetime.fromisoformat(body["created"])
    assert created.utcoffset() == timedelta(0)
    assert abs((created - delivery.created).total_seconds()) < 1

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    assert delivery.last_response_body == "ok"
    assert delivery.next_attempt_at is None
    assert delivery.completed_at is not None
    [attempt] = delivery.attempt_log.all()
    assert (attempt.number, attempt.succeeded, attempt.status_code) == (1, True, 200)
    assert attempt.error == ""


def test_500_then_200_logs_the_failure_schedules_a_retry_then_succeeds(
    conference, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answer(Answer(status=500, body="database down"), 200)
    before = timezone.now()
    [delivery] = emit(django_capture_on_commit_callbacks, conference)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert delivery.last_response_body == "database down"
    # first retry after one minute
    assert before + timedelta(seconds=59) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= timezone.now() + timedelta(seconds=61)
    [first] = delivery.attempt_log.all()
    assert (first.succeeded, first.status_code, first.response_body) == (
        False,
        500,
        "database down",
    )

    services.deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts == 2
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 200]
    # both attempts carried the same id (idempotency) and a valid signature
    assert len(receiver.requests) == 2
    assert {r.headers["X-Atrium-Delivery"] for r in receiver.requests} == {str(delivery.event_id)}
    assert [r.headers["X-Atrium-Attempt"] for r in receiver.requests] == ["1", "2"]
    assert receiver.requests[0].body == receiver.requests[1].body
    for request in receiver.requests:
        assert verify_signature(
            endpoint.secret,
            request.headers["X-Atrium-Timestamp"],
            request.body,
            request.headers["X-Atrium-Signature"],
        )


def test_unreachable_endpoint_logs_the_error_and_schedules_a_retry(
    conference, django_capture_on_commit_callbacks
):
    EndpointFactory(conference=conference, url=closed_port_url())
    [delivery] = emit(django_capture_on_commit_callbacks, conference)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.last_status_code is None
    assert "refused" in delivery.last_error.lower()
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=50)
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None
    assert "refused" in attempt.error.lower()


def test_after_the_last_attempt_the_delivery_has_failed(
    conference, endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.ATRIUM_WEBHOOK_MAX_ATTEMPTS = 3
    receiver.default = Answer(status=503, body="busy")
    [delivery] = emit(django_capture_on_commit_callbacks, conference)
    services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.next_attempt_at is not None

    services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 3
    assert delivery.next_attempt_at is None
    assert delivery.completed_at is not None
    assert [a.status_code for a in delivery.attempt_log.all()] == [503, 503, 503]

    # a late or duplicated task does not try again
    services.deliver(delivery_id=delivery.pk)
    assert len(receiver.requests) == 3
    assert delivery.attempt_log.count() == 3


def test_default_policy_is_six_attempts(conference, endpoint, receiver):
    receiver.default = Answer(status=500)
    delivery = Delivery.objects.create(endpoint=endpoint, event=events.CHECKIN_CREATED)
    for _ in range(10):
        services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 6
    assert len(receiver.requests) == 6


def test_a_redirect_is_a_failure_and_is_not_followed(conference, endpoint, receiver):
    receiver.answer(Answer(status=302, headers=(("Location", "http://127.0.0.1:9/elsewhere"),)))
    delivery = Delivery.objects.create(endpoint=endpoint, event=events.CHECKIN_CREATED)
    services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.last_status_code == 302
    assert len(receiver.requests) == 1


def test_a_slow_receiver_times_out(conference, endpoint, receiver, settings):
    settings.ATRIUM_WEBHOOK_TIMEOUT = 0.3
    receiver.answer(Answer(delay=1.0))
    delivery = Delivery.objects.create(endpoint=endpoint, event=events.CHECKIN_CREATED)
    services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.RETRYING
    assert "timed out" in delivery.last_error
    assert delivery.last_status_code is None


def test_only_the_first_2_kb_of_the_response_are_kept(conference, endpoint, receiver):
    receiver.answer(Answer(status=400, body="x" * 5000))
    delivery = Delivery.objects.create(endpoint=endpoint, event=events.CHECKIN_CREATED)
    services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert len(delivery.last_response_body) == 2048
    assert len(delivery.attempt_log.get().response_body) == 2048


def test_a_rotated_secret_signs_the_next_retry(conference, endpoint, receiver):
    receiver.answer(500, 200)
    delivery = Delivery.objects.create(endpoint=endpoint, event=events.CHECKIN_CREATED)
    old = endpoint.secret
    services.deliver(delivery_id=delivery.pk)
    new = services.endpoint_rotate_secret(endpoint=endpoint, actor=None)
    services.deliver(delivery_id=delivery.pk)
    second = receiver.requests[1]
    args = (second.body,)
    ts, sig = second.headers["X-Atrium-Timestamp"], second.headers["X-Atrium-Signature"]
    assert verify_signature(new, ts, *args, sig)
    assert not verify_signature(old, ts, *args, sig)


def test_an_address_no_longer_allowed_fails_without_a_request(
    conference, endpoint, receiver, settings
):
    settings.ATRIUM_WEBHOOK_HTTP_HOSTS = []
    delivery = Delivery.objects.create(endpoint=endpoint, event=events.CHECKIN_CREATED)
    services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.status == Delivery.Status.FAILED
    assert "https" in delivery.last_error


def test_a_deleted_delivery_is_ignored():
    assert services.deliver(delivery_id=987654) is None
