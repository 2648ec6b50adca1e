"""Delivering events: fan-out to endpoints, one signed attempt, retries, giving up.

Delivery is at least once: an attempt whose outcome is unknown (a timeout after the receiver
got the request) is retried, and every attempt of an event carries the same `webhook-id`, so
receivers drop duplicates by it. Ordering is not guaranteed: retries and parallel workers can
deliver a later event before an earlier one; receivers order by the payload's `timestamp`."""

import json
import random
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from accounts.audit import SYSTEM
from accounts.events import payload
from accounts.models import Event, Membership, Role
from webhooks import net, services
from webhooks.models import Delivery, Endpoint, Status

# After attempt n fails, attempt n + 1 follows RETRY_DELAYS[n - 1] later (±JITTER): about 31
# hours from the first attempt to the last.
RETRY_DELAYS = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
]
JITTER = 0.1
# An endpoint whose attempts have all failed for this long is turned off.
DISABLE_AFTER = timedelta(days=3)
USER_AGENT = "token-portal-webhooks/1"


def fan_out(uid: str) -> list[Delivery]:
    """First attempts of the event for each enabled endpoint of its account subscribed to its
    type. Running it twice for one event adds nothing."""
    event = Event.objects.filter(uid=uid).first()
    if event is None:
        return []
    endpoints = Endpoint.objects.filter(account_id=event.account_id, enabled=True)
    Delivery.objects.bulk_create(
        [Delivery(event=event, endpoint=e) for e in endpoints if event.type in e.events],
        ignore_conflicts=True,
    )
    return list(Delivery.objects.filter(event=event, attempt=1, status=Status.PENDING))


def retry_delay(attempt: int) -> timedelta | None:
    """How long after failed attempt number `attempt` the next one runs; None: no more."""
    if attempt > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[attempt - 1] * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 -- spreads retries only


def body(event: Event) -> str:
    """The same bytes on every attempt (the signature covers them)."""
    return json.dumps(payload(event), separators=(",", ":"), sort_keys=True)


def signed_headers(endpoint: Endpoint, event: Event, data: str) -> dict[str, str]:
    now = timezone.now()
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": event.uid,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(endpoint.signing_secret).sign(event.uid, now, data),
    }


def _send(endpoint: Endpoint, event: Event) -> tuple[int | None, str]:
    """POST the event; returns the response code (None if there was none) and what went
    wrong ("" on a 2xx). Never raises for the receiver's faults."""
    data = body(event)
    try:
        code = net.post(endpoint.url, data.encode(), signed_headers(endpoint, event, data))
    except net.Refused as exc:
        return None, str(exc)
    except TimeoutError:
        return None, f"No response within {settings.WEBHOOKS_TIMEOUT_SECONDS} seconds."
    except Exception as exc:  # noqa: BLE001 -- any network or TLS failure is the receiver's
        return None, f"{type(exc).__name__}: {exc}"[:300]
    if 300 <= code < 400:
        return code, "Redirects are not followed."
    if not 200 <= code < 300:
        return code, f"The endpoint answered {code}."
    return code, ""


def attempt(delivery_id: int) -> Delivery | None:
    """Make the attempt `delivery_id` if it is due and nobody else is making it. Returns the
    next attempt when this one failed and another follows, for the caller to schedule."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint__account", "event")
            .filter(pk=delivery_id, status=Status.PENDING, scheduled_at__lte=timezone.now())
            .first()
        )
        if delivery is None:
            return None
        endpoint, event = delivery.endpoint, delivery.event
        if not endpoint.enabled and event.type != services.TEST_EVENT:
            code, error, duration_ms = None, "The endpoint is turned off.", 0
        else:
            started = time.monotonic()
            code, error = _send(endpoint, event)
            duration_ms = round((time.monotonic() - started) * 1000)
        now = timezone.now()
        delivery.attempted_at = now
        delivery.response_code = code
        delivery.duration_ms = duration_ms
        delivery.error = error
        if not error:
            delivery.status = Status.SUCCEEDED
            delivery.save()
            Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
            return None
        delivery.status = Status.FAILED
        # A test event is a one-off check: not retried, and not counted against the endpoint.
        retried = event.type != services.TEST_EVENT and _still_on_after_failure(endpoint, now)
        delay = retry_delay(delivery.attempt) if retried else None
        delivery.next_retry_at = now + delay if delay is not None else None
        delivery.save()
        if delivery.next_retry_at is None:
            return None
        return Delivery.objects.create(
            event=event,
            endpoint=endpoint,
            attempt=delivery.attempt + 1,
            scheduled_at=delivery.next_retry_at,
        )


def _still_on_after_failure(endpoint: Endpoint, now) -> bool:
    """Note when the endpoint started failing; after DISABLE_AFTER, turn it off and tell the
    account's admins. True while the endpoint stays on."""
    if not endpoint.enabled:
        return False
    failing_since = (
        Endpoint.objects.select_for_update()
        .values_list("failing_since", flat=True)
        .get(pk=endpoint.pk)
        or now
    )
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=failing_since)
    if now - failing_since < DISABLE_AFTER:
        return True
    reason = f"Every delivery failed for {DISABLE_AFTER.days} days."
    if services.endpoint_disable(endpoint=endpoint, actor=SYSTEM, reason=reason):
        transaction.on_commit(lambda: _mail_disabled(endpoint, reason))
    return False


def _mail_disabled(endpoint: Endpoint, reason: str) -> None:
    admins = Membership.objects.filter(
        account_id=endpoint.account_id,
        role=Role.ADMIN,
        user__is_active=True,
        user__is_service_account=False,
    ).values_list("user__email", flat=True)
    context = {
        "endpoint": endpoint,
        "account": endpoint.account,
        "reason": reason,
        "url": settings.SITE_URL + reverse("webhooks:page", args=[endpoint.account.slug]),
    }
    send_mail(
        render_to_string("webhooks/email/disabled_subject.txt", context).strip(),
        render_to_string("webhooks/email/disabled.txt", context),
        None,
        sorted(admins),
    )
