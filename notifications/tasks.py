"""Background jobs (Django's tasks API). Each run writes one log line: what it did, how long."""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django_tasks import task

from notifications import mail
from notifications.sweep import sweep

logger = logging.getLogger(__name__)

SCHEDULED_KEY = "notifications:sweep-scheduled"


@contextmanager
def _job_log(name: str) -> Iterator[dict]:
    """Log the job's outcome and duration, from the summary the job fills in."""
    summary: dict = {}
    started = time.monotonic()
    try:
        yield summary
    except Exception:
        logger.exception("job %s failed after %.2f s", name, time.monotonic() - started)
        raise
    done = ", ".join(f"{key} {value}" for key, value in summary.items())
    logger.info("job %s: %s in %.2f s", name, done, time.monotonic() - started)


@task()
def run_sweep() -> dict:
    """Record due reminders, revoke unused tokens, mail everything pending."""
    with _job_log("sweep") as summary:
        result = sweep()
        summary |= {"notices due": result.due, "tokens revoked": result.revoked}
        summary |= {"mails sent": result.mails}
    return summary


@task()
def deliver_notices(token_id: int) -> int:
    """Mail the pending notices of one token (security notices, right after their cause)."""
    with _job_log(f"deliver_notices token={token_id}") as summary:
        summary["mails sent"] = sent = mail.deliver(token_id=token_id)
    return sent


def schedule_sweep() -> bool:
    """Enqueue a sweep unless one was enqueued in the last SWEEP_SECONDS. Every worker calls
    this; with a shared cache (Redis) only one of them enqueues per period."""
    if not cache.add(SCHEDULED_KEY, True, timeout=max(settings.SWEEP_SECONDS - 1, 1)):
        return False
    run_sweep.enqueue()
    return True
