"""Retries through the task queue: backoff, run_after, stale tasks, the catch-up command."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from atrium.webhooks import events, services, tasks
from atrium.webhooks.models import Delivery
from tests.factories import ConferenceFactory
from tests.webhooks.factories_webhooks import EndpointFactory
from tests.webhooks.receiver import Answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(receiver):
    return EndpointFactory(conference=ConferenceFactory(), url=receiver.url)


def run(result):
    """Run a queued task as a worker would."""
    return result.task.call(*result.args, **result.kwargs)


def test_emit_queues_the_first_attempt_on_commit(
    endpoint, receiver, dummy_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [delivery] = services.webhook_emit(
            conference=endpoint.conference, event=events.CHECKIN_CREATED, payload={}
        )
    assert dummy_tasks.results == []  # nothing queued before the commit
    for callback in callbacks:
        callback()
    [queued] = dummy_tasks.results
    assert queued.task.func is tasks.deliver_webhook.func
    assert queued.args == [delivery.pk, 1]
    assert queued.task.run_after is None
    assert receiver.requests == []  # queued, not sent

    assert run(queued) == Delivery.Status.SUCCEEDED
    assert len(receiver.requests) == 1


def test_each_failure_queues_the_next_attempt_with_backoff(
    endpoint, receiver, dummy_tasks, settings, django_capture_on_commit_callbacks
):
    settings.ATRIUM_WEBHOOK_MAX_ATTEMPTS = 4
    settings.ATRIUM_WEBHOOK_RETRY_DELAYS = [60, 300, 1800]
    receiver.default = Answer(status=500)
    delivery = Delivery.objects.create(endpoint=endpoint, event=events.CHECKIN_CREATED)

    with django_capture_on_commit_callbacks(execute=True):
        services.deliver(delivery_id=delivery.pk, attempt=1)
    delivery.refresh_from_db()
    [retry] = dummy_tasks.results
    assert retry.args == [delivery.pk, 2]
    assert retry.task.run_after == delivery.next_attempt_at
    assert retry.task.run_after - delivery.last_attempt_at == pytest.approx(
        timedelta(seconds=60), abs=timedelta(seconds=2)
    )

    expected_delays = [300, 1800]
    for number, delay in zip([2, 3], expected_delays, strict=True):
        dummy_tasks.clear()
        with django_capture_on_commit_callbacks(execute=True):
            run(retry)
        delivery.refresh_from_db()
        assert delivery.attempts == number
        [retry] = dummy_tasks.results
        assert retry.args == [delivery.pk, number + 1]
        assert retry.task.run_after - delivery.last_attempt_at == pytest.approx(
            timedelta(seconds=delay), abs=timedelta(seconds=2)
        )

    # the last attempt: nothing more is queued
    dummy_tasks.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run(retry)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 4
    assert dummy_tasks.results == []
    assert len(receiver.requests) == 4


def test_default_backoff_schedule():
    assert [services.retry_delay(n) for n in range(1, 7)] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=12),
        timedelta(hours=12),
    ]
    assert services.max_attempts() == 6


def test_a_stale_task_does_nothing(endpoint, receiver):
    receiver.answer(500)
    delivery = Delivery.objects.create(endpoint=endpoint, event=events.CHECKIN_CREATED)
    services.deliver(delivery_id=delivery.pk, attempt=1)
    # the task for attempt 1 runs again (duplicate), and one for attempt 3 comes too early
    tasks.deliver_webhook.call(delivery.pk, 1)
    tasks.deliver_webhook.call(delivery.pk, 3)
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert len(receiver.requests) == 1
    # the right one goes through
    assert tasks.deliver_webhook.call(delivery.pk, 2) == Delivery.Status.SUCCEEDED
    assert len(receiver.requests) == 2


def test_the_immediate_backend_does_not_run_retries_at_once(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    """It cannot defer: the retry waits for `webhooks_send_due`, it is not sent in a loop."""
    receiver.default = Answer(status=500)
    with django_capture_on_commit_callbacks(execute=True):
        [delivery] = services.webhook_emit(
            conference=endpoint.conference, event=events.CHECKIN_CREATED, payload={}
        )
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.attempts == 1
    assert len(receiver.requests) == 1


def test_send_due_catches_up_with_waiting_deliveries(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answer(500, 200)
    with django_capture_on_commit_callbacks(execute=True):
        [delivery] = services.webhook_emit(
            conference=endpoint.conference, event=events.CHECKIN_CREATED, payload={}
        )
    delivery.refresh_from_db()
    assert services.deliveries_send_due() == 0  # not due yet
    assert len(receiver.requests) == 1

    later = delivery.next_attempt_at + timedelta(seconds=1)
    assert services.deliveries_send_due(now=later) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert len(receiver.requests) == 2


def test_send_due_command_sends_what_was_never_queued(endpoint, receiver):
    # emitted, but the transaction's on-commit never ran the queue (say, it was down)
    services.webhook_emit(conference=endpoint.conference, event=events.CHECKIN_CREATED, payload={})
    out = StringIO()
    call_command("webhooks_send_due", stdout=out)
    assert "1 webhook deliveries tried" in out.getvalue()
    assert len(receiver.requests) == 1
    assert Delivery.objects.get().status == Delivery.Status.SUCCEEDED


def test_a_queue_that_is_down_does_not_break_the_caller(
    endpoint, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    def broken(*args, **kwargs):
        raise ConnectionError("queue unavailable")

    default_task_backend.enqueue = broken
    with django_capture_on_commit_callbacks(execute=True):
        [delivery] = services.webhook_emit(
            conference=endpoint.conference, event=events.CHECKIN_CREATED, payload={}
        )
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at <= timezone.now()  # the sweep will send it


def test_the_database_backend_stores_the_retry_with_its_run_after(
    endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    receiver.answer(500)
    delivery = Delivery.objects.create(endpoint=endpoint, event=events.CHECKIN_CREATED)
    with django_capture_on_commit_callbacks(execute=True):
        services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    row = DBTaskResult.objects.get()
    assert row.task_path == "atrium.webhooks.tasks.deliver_webhook"
    assert row.args_kwargs == {"args": [delivery.pk, 2], "kwargs": {}}
    assert row.run_after == delivery.next_attempt_at
