"""Background work: a scheduler run on a large edition, through the Django Tasks API."""

from __future__ import annotations

from django_tasks import task


@task()
def run_scheduler(run_id: int) -> str:
    """Do the queued scheduler run ``run_id``; returns its final status."""
    from atrium.matchmaking.planning import scheduler_execute

    return scheduler_execute(run_id=run_id).status
