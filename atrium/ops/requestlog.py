"""One line per request, with a request id that follows the work into the task queue.

``RequestLogMiddleware`` (first in ``MIDDLEWARE``) takes the request id from the
``X-Request-ID`` header (HAProxy or another proxy sets it; only letters, digits and
``.-_:`` up to 64 characters are kept) or makes one, sends it back in ``X-Request-ID``,
and writes, at the end, one record to the logger ``atrium.request``: method, path,
status, duration, the user's id (never an e-mail address or a name), and the edition
when the URL names one. ``ATRIUM_LOG_JSON=1`` formats every log record as one JSON line
(``JsonFormatter``); otherwise the request records are not written (the demo).

A task queued during a request writes a record ``task.enqueued`` with the same request
id and the task's id; the worker's records of that task carry the task id.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.utils.functional import empty

from atrium.ops import metrics

request_logger = logging.getLogger("atrium.request")
task_logger = logging.getLogger("atrium.tasks")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("atrium_request_id", default="")
_VALID_ID = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
#: The URL keywords that name an edition.
EDITION_KWARGS = ("slug", "conference_slug")


def current_request_id() -> str:
    """The id of the request being served ("" outside a request)."""
    return _request_id.get()


def request_id_from(header: str | None) -> str:
    if header and _VALID_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def _user_id(request) -> int | None:
    """The user's id if the request already looked the user up (no extra query for it)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


def _edition(request) -> str | None:
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route.startswith("c/"):
        return None
    for name in EDITION_KWARGS:
        if name in match.kwargs:
            return str(match.kwargs[name])
    return None


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        status = 500
        try:
            with metrics.count_queries():
                response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            duration = time.perf_counter() - started
            match = getattr(request, "resolver_match", None)
            view = match.view_name if match is not None else "<unresolved>"
            metrics.observe_request(
                method=request.method, view=view, status=status, seconds=duration
            )
            if settings.ATRIUM_LOG_JSON:
                request_logger.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    status,
                    extra={
                        "event": "request",
                        "request_id": request_id,
                        "method": request.method,
                        "path": request.path,
                        "view": view,
                        "status": status,
                        "duration_ms": round(duration * 1000, 1),
                        "user_id": _user_id(request),
                        "edition": _edition(request),
                    },
                )
            _request_id.reset(token)


#: Attributes every LogRecord has; anything else was passed in ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """A log record as one JSON line: time, level, logger, message, and the extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        document = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if "request_id" not in record.__dict__ and current_request_id():
            document["request_id"] = current_request_id()
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                document[key] = value
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, ensure_ascii=False, default=str)


def _on_enqueued(sender, task_result, **kwargs):
    metrics.TASKS.labels(event="enqueued").inc()
    task_logger.info(
        "task queued: %s",
        task_result.task.name,
        extra={
            "event": "task.enqueued",
            "task": task_result.task.module_path,
            "task_id": task_result.id,
            "request_id": current_request_id() or None,
        },
    )


def _on_started(sender, task_result, **kwargs):
    metrics.TASKS.labels(event="started").inc()
    task_logger.info(
        "task started: %s",
        task_result.task.name,
        extra={
            "event": "task.started",
            "task": task_result.task.module_path,
            "task_id": task_result.id,
        },
    )


def _on_finished(sender, task_result, **kwargs):
    metrics.TASKS.labels(event=str(task_result.status).lower()).inc()
    task_logger.info(
        "task finished: %s",
        task_result.task.name,
        extra={
            "event": "task.finished",
            "task": task_result.task.module_path,
            "task_id": task_result.id,
            "status": str(task_result.status),
        },
    )


def connect_task_signals() -> None:
    from django_tasks.signals import task_enqueued, task_finished, task_started

    task_enqueued.connect(_on_enqueued, dispatch_uid="atrium.ops.task_enqueued")
    task_started.connect(_on_started, dispatch_uid="atrium.ops.task_started")
    task_finished.connect(_on_finished, dispatch_uid="atrium.ops.task_finished")
