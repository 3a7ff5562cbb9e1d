"""Background runs: work that may take longer than a request (badge print runs, B2B
scheduler runs, and whatever comes next) has one shape and one life.

- A run row has ``status`` (``RunStatus``), ``created``, ``created_by``, ``started_at``,
  ``finished_at`` and ``error``; its app adds what it needs (the PDF, the figures).
- ``run_in_progress``: one run at a time per edition; a run queued or running for longer
  than ``STALE_AFTER`` (a worker died) no longer blocks a new one.
- ``run_after_commit``: small jobs run right after the request's transaction commits
  (``inline``), larger ones go to the task queue; either way after the run row is saved.
- ``run_claim``: the executor takes a queued run under a row lock and marks it running,
  so a task delivered twice does the work once; a run left running by a worker that died
  (no heartbeat for ``RUN_LEASE``) is taken over by the task's retry.
- ``run_heartbeat`` / ``run_owned``: a long run shows it is alive after each step, and
  writes its progress and result only while it still owns the run (a takeover ends it).
- ``run_failed``: a run always ends; a failure is recorded with its message.
- ``runs_polling``: whether a page showing runs should keep refreshing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import partial

from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: A run queued or running for longer than this no longer blocks a new one.
STALE_AFTER = timedelta(hours=1)
#: A running run whose worker gave no sign of life for this long was lost with its worker.
RUN_LEASE = timedelta(minutes=5)

logger = logging.getLogger(__name__)


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)
FINISHED = (RunStatus.DONE, RunStatus.FAILED)


def run_in_progress(runs: models.QuerySet, *, now=None):
    """The newest run of ``runs`` (already filtered to one edition) queued or running, and
    not stale; None if there is none."""
    fresh = (now or timezone.now()) - STALE_AFTER
    return runs.filter(status__in=ACTIVE, created__gt=fresh).order_by("-created").first()


def runs_polling(runs: Iterable, *, now=None) -> bool:
    """Should a page listing ``runs`` refresh itself? Yes while one is active and fresh."""
    fresh = (now or timezone.now()) - STALE_AFTER
    return any(run.status in ACTIVE and run.created > fresh for run in runs)


def run_after_commit(*, inline: bool, execute: Callable[..., object], task, run_id: int) -> None:
    """Once the current transaction commits: ``execute(run_id=…)`` now, or the task queued."""
    if inline:
        transaction.on_commit(partial(execute, run_id=run_id))
    else:
        transaction.on_commit(partial(task.enqueue, run_id=run_id))


def _alive_key(run) -> str:
    return f"atrium:run:{run._meta.label_lower}:{run.pk}:alive"


def run_heartbeat(run) -> None:
    """The worker doing ``run`` is alive (call it after each step; kept in the cache)."""
    cache.set(_alive_key(run), run.started_at.isoformat(), timeout=RUN_LEASE.total_seconds())


def run_abandoned(run, *, now=None) -> bool:
    """A run left running by a worker that died: no heartbeat, and started long ago."""
    return (
        run.status == RunStatus.RUNNING
        and run.started_at is not None
        and run.started_at < (now or timezone.now()) - RUN_LEASE
        and cache.get(_alive_key(run)) is None
    )


def run_owned(runs: models.QuerySet, run) -> models.QuerySet:
    """The run, only while this worker still owns it (running, from its own start): an
    update through it changes nothing once a retry has taken the run over."""
    return runs.filter(pk=run.pk, status=RunStatus.RUNNING, started_at=run.started_at)


def run_claim(runs: models.QuerySet, run_id: int):
    """Take the queued run ``run_id`` and mark it running, in one transaction.

    Returns ``(run, True)`` when this caller is to do the work, ``(run, False)`` when the
    run was taken already (a task delivered twice, a live worker on it): do nothing then.
    A run abandoned by a dead worker (``run_abandoned``) is taken over and started again.
    """
    with transaction.atomic():
        run = runs.select_for_update(of=("self",)).get(pk=run_id)
        if run_abandoned(run):
            logger.warning("%s %s: taken over from a lost worker", run._meta.label, run_id)
        elif run.status != RunStatus.QUEUED:
            return run, False
        run.status = RunStatus.RUNNING
        run.started_at = timezone.now()
        run.save(update_fields=["status", "started_at"])
    run_heartbeat(run)
    return run, True


def run_failed(runs: models.QuerySet, run_id: int, error: BaseException | str, **extra) -> int:
    """Record that the run ended in failure, with the message (at most 2,000 characters).

    ``runs`` may be ``run_owned(...)``: then nothing changes once the run was taken over.
    """
    return runs.filter(pk=run_id).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), error=str(error)[:2000], **extra
    )
