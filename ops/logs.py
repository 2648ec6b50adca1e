"""Log lines: a request id on each, one JSON object a line in production, readable text in
development, and the line for each run of a job.

Fields travel in `extra={...}`: both formatters print every field a record carries."""

import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

logger = logging.getLogger(__name__)

NO_REQUEST = "-"
# The id of the request (or job run) this thread or task is serving.
current_id: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)

# Record attributes that are not fields of a line. `request` is Django's request object, whose
# repr holds the query string (which can hold a secret); `server_time` is runserver's.
NOT_FIELDS = frozenset([*RESERVED_ATTRS, "request", "server_time", "request_id"])


def new_id() -> str:
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record. Django logs a response's 4xx/5xx line after the
    middleware has returned, so the id is read from the record's request first."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or current_id.get()
        return True


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in NOT_FIELDS}


class TextFormatter(logging.Formatter):
    """`time level logger [request id] message key=value ...`, for a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        fields = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        return f"{line} {fields}" if fields else line


class JsonFormatter(BaseJsonFormatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, request_id, message, then
    the record's fields."""

    def __init__(self) -> None:
        super().__init__(
            ["levelname", "name", "request_id", "message"],
            rename_fields={"levelname": "level", "name": "logger"},
            reserved_attrs=sorted(NOT_FIELDS),
            timestamp="time",
        )


@contextmanager
def job_run(job: str, **fields: Any) -> Iterator[dict[str, Any]]:
    """Log one line when a job's run ends: `with job_run("sweep") as details: ...`.

    The line says "ok" or "failed" (with the traceback; the exception still propagates), the
    duration, and whatever the body put into `details` (counts, ids; never a secret, and no
    name of a LogRecord attribute). Lines logged during a run outside a request carry the
    run's own id."""
    details = dict(fields)
    reset = current_id.set(new_id()) if current_id.get() == NO_REQUEST else None
    started = time.monotonic()

    def line(outcome: str) -> dict[str, Any]:
        duration_ms = round((time.monotonic() - started) * 1000)
        return {"event": "job.run", "job": job, "outcome": outcome, "duration_ms": duration_ms}

    try:
        yield details
    except Exception:
        logger.exception("job %s failed", job, extra=line("failed") | details)
        raise
    else:
        logger.info("job %s done", job, extra=line("ok") | details)
    finally:
        if reset is not None:
            current_id.reset(reset)
