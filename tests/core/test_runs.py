"""The one life of a background run (core.runs), on badge print runs."""

import datetime as dt

import pytest
from django.utils import timezone

from atrium.checkin.models import BadgePrintRun
from atrium.core.runs import (
    STALE_AFTER,
    RunStatus,
    run_claim,
    run_failed,
    run_in_progress,
    runs_polling,
)
from tests.factories import ConferenceFactory

pytestmark = pytest.mark.django_db


def _run(conference, **kwargs):
    return BadgePrintRun.objects.create(conference=conference, layout="a6", **kwargs)


def test_a_run_is_claimed_once():
    run = _run(ConferenceFactory())
    claimed, mine = run_claim(BadgePrintRun.objects, run.pk)
    assert mine and claimed.status == RunStatus.RUNNING and claimed.started_at is not None
    again, mine_again = run_claim(BadgePrintRun.objects, run.pk)  # a task delivered twice
    assert not mine_again and again.status == RunStatus.RUNNING


def test_a_stale_run_no_longer_blocks_and_stops_polling():
    conference = ConferenceFactory()
    run = _run(conference)
    runs = BadgePrintRun.objects.filter(conference=conference)
    assert run_in_progress(runs) == run
    assert runs_polling([run])
    later = timezone.now() + STALE_AFTER + dt.timedelta(minutes=1)
    assert run_in_progress(runs, now=later) is None
    assert not runs_polling([run], now=later)
    assert run_in_progress(BadgePrintRun.objects.filter(conference=ConferenceFactory())) is None


def test_a_failed_run_ends_with_its_message():
    run = _run(ConferenceFactory())
    run_failed(BadgePrintRun.objects, run.pk, ValueError("x" * 3000))
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.finished_at is not None
    assert run.error == "x" * 2000
    assert run.is_finished
