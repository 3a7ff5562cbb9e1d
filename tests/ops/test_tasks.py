"""Tasks are idempotent: a task run again (its worker was killed, a retry) does its work once.

One e-mail per key, one print run however many workers hold its task, one delivery
attempt per number; and with the RQ backend (on the local Redis, when it runs) an
abandoned job is queued again and finishes the work once.
"""

from __future__ import annotations

import socket
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from atrium.checkin import badges
from atrium.checkin.badges import badge_print_run_execute, badge_print_run_start
from atrium.checkin.models import Badge, BadgePrintRun
from atrium.core.mail import MailInFlight, mail_key_name, send_email_task
from atrium.core.runs import RUN_LEASE, run_heartbeat
from atrium.webhooks import events, services
from atrium.webhooks.models import Delivery, DeliveryAttempt
from tests.factories import ConferenceFactory, RegistrationFactory
from tests.registration.factories_organiser import ConferenceRoleFactory
from tests.webhooks.factories_webhooks import EndpointFactory
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db

MAIL = {"to": ["delegate@example.org"], "subject": "Your registration", "body": "Welcome."}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


# --- e-mail ------------------------------------------------------------------------------


def test_a_mail_task_run_twice_sends_one_mail():
    key = uuid.uuid4().hex
    assert send_email_task.call(**MAIL, key=key) is True
    assert send_email_task.call(**MAIL, key=key) is False  # the retry of a finished task
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<atrium.{key}@")
    assert send_email_task.call(**MAIL, key=uuid.uuid4().hex) is True  # another mail
    assert len(mail.outbox) == 2


def test_a_mail_claimed_by_a_live_worker_is_retried_later_not_sent_twice():
    key = uuid.uuid4().hex
    cache.add(mail_key_name(key), "sending", timeout=300)  # another worker holds it
    with pytest.raises(MailInFlight):
        send_email_task.call(**MAIL, key=key)
    assert mail.outbox == []
    cache.delete(mail_key_name(key))  # its lease ran out: that worker died before sending
    assert send_email_task.call(**MAIL, key=key) is True
    assert len(mail.outbox) == 1


def test_a_failed_send_releases_the_key_for_the_retry(monkeypatch):
    key = uuid.uuid4().hex
    calls = []

    def refuse_once(self, messages):
        calls.append(messages)
        if len(calls) == 1:
            raise ConnectionRefusedError("SMTP server down")
        return original(self, messages)

    original = EmailBackend.send_messages
    monkeypatch.setattr(EmailBackend, "send_messages", refuse_once)
    with pytest.raises(ConnectionRefusedError):
        send_email_task.call(**MAIL, key=key)
    assert mail.outbox == [] and cache.get(mail_key_name(key)) is None
    assert send_email_task.call(**MAIL, key=key) is True
    assert send_email_task.call(**MAIL, key=key) is False
    assert len(mail.outbox) == 1


def test_mails_queued_by_the_app_carry_a_key(django_capture_on_commit_callbacks, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    from atrium.core.mail import send_email_on_commit

    with django_capture_on_commit_callbacks(execute=True):
        send_email_on_commit(
            to="a@example.org",
            template="accounts/email/verify",
            context={
                "name": "A",
                "site_name": "Atrium",
                "link": "http://x/",
                "expires": timezone.now() + timedelta(days=1),
                "now": timezone.now(),
            },
            language="en",
        )
    [queued] = default_task_backend.results
    assert len(queued.kwargs["key"]) == 32


# --- badge print runs --------------------------------------------------------------------


@pytest.fixture
def queued_run():
    conference = ConferenceFactory(slug="retry-2025")
    for _ in range(30):
        RegistrationFactory(conference=conference)
    organiser = ConferenceRoleFactory(conference=conference).user
    return badge_print_run_start(conference=conference, filters={}, layout="a6", actor=organiser)


def _printed(run) -> int:
    return Badge.objects.filter(
        registration__conference=run.conference, printed_at__isnull=False
    ).count()


def test_a_print_run_task_run_twice_prints_once(queued_run):
    first = badge_print_run_execute(run_id=queued_run.pk)
    assert first.status == BadgePrintRun.Status.DONE and _printed(first) == 30
    issued = set(Badge.objects.values_list("key", flat=True))
    again = badge_print_run_execute(run_id=queued_run.pk)
    assert again.status == BadgePrintRun.Status.DONE and again.file.name == first.file.name
    assert set(Badge.objects.values_list("key", flat=True)) == issued  # no reprint


def test_a_run_left_running_by_a_killed_worker_is_done_by_the_retry(queued_run):
    # The worker claimed the run, then was killed (no heartbeat left, started long ago).
    BadgePrintRun.objects.filter(pk=queued_run.pk).update(
        status=BadgePrintRun.Status.RUNNING,
        started_at=timezone.now() - RUN_LEASE - timedelta(seconds=1),
        done_count=25,
    )
    run = badge_print_run_execute(run_id=queued_run.pk)
    assert run.status == BadgePrintRun.Status.DONE, run.error
    assert (run.total, run.done_count) == (30, 30)
    assert _printed(run) == 30 and Badge.objects.count() == 30


def test_a_live_run_is_left_to_its_worker(queued_run):
    started = timezone.now() - RUN_LEASE - timedelta(seconds=1)
    BadgePrintRun.objects.filter(pk=queued_run.pk).update(
        status=BadgePrintRun.Status.RUNNING, started_at=started
    )
    run_heartbeat(BadgePrintRun.objects.get(pk=queued_run.pk))  # its worker is alive
    run = badge_print_run_execute(run_id=queued_run.pk)
    assert run.status == BadgePrintRun.Status.RUNNING and run.started_at == started
    assert _printed(run) == 0


def test_a_worker_whose_run_was_taken_over_marks_nothing(queued_run, monkeypatch):
    """The slow worker was thought dead; the retry took the run over and finished it."""
    real_plan = badges._plan
    state = {"taken": False}

    def plan_then_lose_the_run(registrations, **kwargs):
        items = list(real_plan(registrations, **kwargs))
        if not state["taken"]:
            state["taken"] = True
            BadgePrintRun.objects.filter(pk=queued_run.pk).update(
                started_at=timezone.now() + timedelta(seconds=1)  # the retry's claim
            )
        return items

    monkeypatch.setattr(badges, "_plan", plan_then_lose_the_run)
    run = badge_print_run_execute(run_id=queued_run.pk)
    assert run.status == BadgePrintRun.Status.RUNNING  # still the other worker's
    assert _printed(run) == 0 and not run.file and not run.error


# --- webhook deliveries ------------------------------------------------------------------


def test_a_delivery_task_run_twice_posts_once(settings):
    settings.ATRIUM_WEBHOOK_HTTP_HOSTS = ["127.0.0.1", "localhost"]
    receiver = Receiver().start()
    endpoint = EndpointFactory(conference=ConferenceFactory(), url=receiver.url)
    delivery = Delivery.objects.create(endpoint=endpoint, event=events.CHECKIN_CREATED)
    services.deliver(delivery_id=delivery.pk, attempt=1)
    services.deliver(delivery_id=delivery.pk, attempt=1)  # the same task again
    assert len(receiver.requests) == 1
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 1
    receiver.stop()


# --- RQ: an abandoned job is queued again --------------------------------------------------


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_rq_job_abandoned_by_a_killed_worker_is_retried_and_mails_once(settings):
    pytest.importorskip("django_rq")
    queue_db = 13  # a database of the local Redis for this test alone
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:6379/{queue_db}"}}
    settings.ATRIUM_TASK_RETRIES = 2
    settings.TASKS = {"default": {"BACKEND": "atrium.core.rq.RetryingRQBackend"}}
    import django_rq
    from django_tasks import default_task_backend
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker
    from rq.job import JobStatus
    from rq.registry import StartedJobRegistry

    from atrium.core.rq import RetryingRQBackend

    connection = django_rq.get_connection("default")
    connection.flushdb()
    try:
        key = uuid.uuid4().hex
        result = send_email_task.enqueue(**MAIL, key=key)
        backend = default_task_backend
        queue = django_rq.get_queue("default", job_class=Job)
        job = queue.fetch_job(result.id)
        assert job.retries_left == 2
        assert RetryingRQBackend.queue_depth(backend) == 1

        # A worker takes the job and is killed mid-way: the job stays STARTED in the
        # started registry, with an expired lease.
        queue.remove(job.id)
        job.set_status(JobStatus.STARTED)
        registry = StartedJobRegistry(queue=queue)
        connection.zadd(registry.key, {f"{job.id}:lost-execution": 1})
        registry.cleanup()  # what the next worker's maintenance does
        job = queue.fetch_job(result.id)
        assert job.get_status() in (JobStatus.QUEUED, JobStatus.SCHEDULED)
        assert job.retries_left == 1

        # The retry runs (intervals skipped) and sends the mail; a second run sends nothing.
        if job.get_status() == JobStatus.SCHEDULED:
            queue.scheduled_job_registry.remove(job)
            queue.enqueue_job(job)
        SimpleWorker([queue], connection=connection, job_class=Job).work(burst=True)
        assert len(mail.outbox) == 1
        assert send_email_task.call(**MAIL, key=key) is False
        assert len(mail.outbox) == 1
    finally:
        connection.flushdb()
