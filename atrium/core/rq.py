"""The RQ task backend (``ATRIUM_TASK_BACKEND=rq``), with retries of abandoned tasks.

django-tasks-rq queues each task as an RQ job without retries: a job whose worker was
killed (SIGKILL, a lost machine) is moved to RQ's failed registry by the next worker's
clean-up, and its work is never done. Here every job is given ``ATRIUM_TASK_RETRIES``
retries, so the clean-up queues it again. Atrium's tasks are idempotent (a mail is sent
once per key, a print run claims its run, a webhook delivery claims its attempt), so a
retry finishes the work and never doubles it.

The retry count is written to the job's hash just after it is queued: a job that a
worker takes and loses in that instant (microseconds) is not retried.
"""

from __future__ import annotations

import json

import django_rq
from django.conf import settings
from django_tasks_rq.backend import Job, RQBackend

#: Seconds between the tries of a job that failed or was abandoned.
RETRY_INTERVALS = [10, 60, 300]


class RetryingRQBackend(RQBackend):
    def enqueue(self, task, args, kwargs):
        result = super().enqueue(task, args, kwargs)
        retries = int(getattr(settings, "ATRIUM_TASK_RETRIES", 3))
        if retries > 0:
            connection = django_rq.get_connection(task.queue_name)
            connection.hset(
                Job.key_for(result.id),
                mapping={
                    "retries_left": retries,
                    "retry_intervals": json.dumps(RETRY_INTERVALS[:retries]),
                },
            )
        return result

    def queue_depth(self) -> int:
        """Jobs waiting in the queues (queued and scheduled), for health and metrics."""
        total = 0
        for queue in self._get_queues():
            total += queue.count + queue.scheduled_job_registry.count
        return total
