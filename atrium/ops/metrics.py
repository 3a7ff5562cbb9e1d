"""Prometheus metrics: requests, latencies, database queries, tasks, and Atrium's counts.

Counters and histograms live in each server process (``prometheus_client``); with
several gunicorn workers set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder per server
(``scripts/cluster.sh`` does) and every worker's figures are added up at each scrape.
Atrium's own figures (registrations, check-ins, scans, the task queue's depth, the
cache) are read from the database, the cache and the queue at each scrape, so they are
the same whichever server answers.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager

from django.db import connection
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter("atrium_http_requests", "HTTP requests answered", ["method", "view", "status"])
LATENCY = Histogram(
    "atrium_http_request_duration_seconds",
    "Time to answer a request",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
DB_QUERIES = Counter("atrium_db_queries", "Database queries run", ["vendor"])
DB_SECONDS = Counter("atrium_db_query_seconds", "Time spent in database queries", ["vendor"])
DB_ERRORS = Counter("atrium_db_query_errors", "Database queries that raised", ["vendor"])
TASKS = Counter("atrium_tasks", "Tasks queued, started and finished here", ["event"])


def observe_request(*, method: str, view: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method=method, view=view, status=str(status)).inc()
    LATENCY.labels(view=view).observe(seconds)


def _timed_query(execute, sql, params, many, context):
    vendor = context["connection"].vendor
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    except Exception:
        DB_ERRORS.labels(vendor=vendor).inc()
        raise
    finally:
        DB_QUERIES.labels(vendor=vendor).inc()
        DB_SECONDS.labels(vendor=vendor).inc(time.perf_counter() - started)


@contextmanager
def count_queries():
    """Count and time the default database's queries inside the block."""
    with connection.execute_wrapper(_timed_query):
        yield


class AtriumCollector:
    """Figures read at scrape time from the database, the cache and the queue."""

    def collect(self):
        from django.db.models import Count

        from atrium.checkin.models import CheckIn
        from atrium.ops.health import check_cache, queue_depth
        from atrium.registration.models import Registration, SeatBooking

        registrations = GaugeMetricFamily(
            "atrium_registrations",
            "Registrations by edition and status",
            labels=["edition", "status"],
        )
        for row in Registration.objects.values("conference__slug", "status").annotate(
            n=Count("pk")
        ):
            registrations.add_metric([row["conference__slug"], row["status"]], row["n"])
        yield registrations

        checkins = GaugeMetricFamily(
            "atrium_checkins",
            "Check-ins by edition: at the entrance, and scans at session points",
            labels=["edition", "point"],
        )
        for point, at_entrance in (("entrance", True), ("session", False)):
            rows = (
                CheckIn.objects.filter(session__isnull=at_entrance)
                .values("conference__slug")
                .annotate(n=Count("pk"))
            )
            for row in rows:
                checkins.add_metric([row["conference__slug"], point], row["n"])
        yield checkins

        bookings = GaugeMetricFamily(
            "atrium_seat_bookings", "Seat bookings and waiting-list places", labels=["status"]
        )
        for row in SeatBooking.objects.values("status").annotate(n=Count("pk")):
            bookings.add_metric([str(row["status"])], row["n"])
        yield bookings

        depth = queue_depth()
        queue = GaugeMetricFamily("atrium_task_queue_depth", "Tasks waiting to run")
        queue.add_metric([], depth if depth is not None else 0)
        yield queue

        cache = check_cache()
        yield GaugeMetricFamily("atrium_cache_up", "The cache answered", value=int(cache["ok"]))
        yield GaugeMetricFamily(
            "atrium_cache_roundtrip_seconds",
            "Time of a write, read and delete in the cache",
            value=cache["ms"] / 1000,
        )
        yield from _redis_figures()


def _redis_figures():
    from django.core.cache import cache

    client_of = getattr(cache, "_cache", None)
    if client_of is None or not hasattr(client_of, "get_client"):
        return
    try:
        info = client_of.get_client(write=False).info(section="stats")
    except Exception:  # the cache_up gauge says it already
        return
    for field in ("keyspace_hits", "keyspace_misses", "evicted_keys"):
        if field in info:
            yield GaugeMetricFamily(
                f"atrium_redis_{field}", f"Redis {field.replace('_', ' ')}", value=info[field]
            )


def render() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        from prometheus_client import REGISTRY as processes
    atrium = CollectorRegistry()
    atrium.register(AtriumCollector())
    return generate_latest(processes) + generate_latest(atrium), CONTENT_TYPE_LATEST
