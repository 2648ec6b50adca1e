"""Background jobs of webhooks (Django's tasks API)."""

import logging

from django.utils import timezone
from django_tasks import task

from webhooks import delivery
from webhooks.models import Delivery

logger = logging.getLogger(__name__)


def enqueue(attempt: Delivery) -> None:
    """Run the attempt on a worker, at its scheduled time."""
    due = attempt.scheduled_at <= timezone.now()
    (deliver if due else deliver.using(run_after=attempt.scheduled_at)).enqueue(attempt.pk)


@task()
def fan_out(uid: str) -> int:
    """Start delivering a committed event to the endpoints that want it."""
    attempts = delivery.fan_out(uid)
    for first in attempts:
        enqueue(first)
    return len(attempts)


@task()
def deliver(delivery_id: int) -> None:
    """One attempt; a failed one schedules the next."""
    following = delivery.attempt(delivery_id)
    done = Delivery.objects.select_related("event").filter(pk=delivery_id).first()
    if done is not None:  # None: its endpoint was deleted meanwhile
        # Ids, codes and states only: payloads, URLs and secrets stay out of the log.
        logger.info(
            "webhook delivery %s event %s attempt %s: %s %s",
            done.pk,
            done.event.uid,
            done.attempt,
            done.status,
            done.response_code or "-",
        )
    if following is not None:
        enqueue(following)
