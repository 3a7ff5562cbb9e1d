"""What a load balancer asks: is the process up, and can it serve (database, cache, queue)?

Each check returns a small dict for the JSON answer; a failing one raises nothing but
says ``"ok": false`` with the error's class only (the answer may be seen from outside:
no host, no URL, no message); the full error goes to the log.
"""

from __future__ import annotations

import logging
import time
import uuid

from django.core.cache import cache, caches
from django.db import connection
from django_tasks import task_backends
from django_tasks.base import TaskResultStatus

logger = logging.getLogger(__name__)


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        details = check() or {}
        ok = True
    except Exception as error:  # a health check reports every failure, it never raises
        # The answer names the kind of failure only (it may be public); the log has it all.
        logger.warning("Health check %s failed", check.__qualname__, exc_info=True)
        details = {"error": error.__class__.__name__}
        ok = False
    return {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1), **details}


def check_database() -> dict:
    def run():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"vendor": connection.vendor}

    return _timed(run)


def check_cache() -> dict:
    def run():
        key = f"atrium:health:{uuid.uuid4().hex}"
        cache.set(key, "1", timeout=10)
        value = cache.get(key)
        cache.delete(key)
        if value != "1":
            raise RuntimeError("the cache did not return what was just written")
        return {"backend": caches["default"].__class__.__name__}

    return _timed(run)


def queue_depth() -> int | None:
    """Tasks waiting to run (None when the backend runs them inline or cannot tell)."""
    backend = task_backends["default"]
    if hasattr(backend, "queue_depth"):
        return backend.queue_depth()
    if backend.__class__.__module__.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()
    return None


def check_queue() -> dict:
    def run():
        backend = task_backends["default"]
        return {"backend": backend.__class__.__name__, "depth": queue_depth()}

    return _timed(run)


def readiness() -> dict:
    checks = {"database": check_database(), "cache": check_cache(), "queue": check_queue()}
    return {"status": "ok" if all(c["ok"] for c in checks.values()) else "fail", "checks": checks}
