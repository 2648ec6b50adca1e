"""The rules for webhook endpoints. Each function is one change, in one transaction, with its
audit event. The signing secret is returned by create and rotate only: it is shown once."""

from collections.abc import Iterable

from django.db import transaction

from accounts import audit
from accounts.audit import Actor
from accounts.events import EVENT_TYPES, new_uid
from accounts.models import Account, AuditAction, Event
from core.errors import ServiceError
from webhooks import net
from webhooks.models import Delivery, Endpoint, new_secret_salt

TEST_EVENT = "webhook.test"
MAX_ENDPOINTS = 20


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if len(url) > 2000:
        raise ServiceError("The URL may be at most 2000 characters long.", field="url")
    try:
        net.check_url(url)
    except net.Refused as exc:
        raise ServiceError(str(exc), field="url") from None
    return url


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = set(events or ())
    unknown = chosen - set(EVENT_TYPES)
    if unknown:
        raise ServiceError(f"Unknown event types: {', '.join(sorted(unknown))}.", field="events")
    if not chosen:
        raise ServiceError("Choose at least one event to send.", field="events")
    return [t for t in EVENT_TYPES if t in chosen]


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > 200:
        raise ServiceError(
            "The description may be at most 200 characters long.", field="description"
        )
    return description


def _shown(endpoint: Endpoint) -> dict:
    """What the audit trail keeps of an endpoint: never its secret."""
    return {"url": endpoint.url, "events": endpoint.events, "description": endpoint.description}


@transaction.atomic
def endpoint_create(
    *, account: Account, url: str, events: Iterable[str], description: str = "", actor: Actor
) -> tuple[Endpoint, str]:
    """Register an endpoint. Returns it and its signing secret, which is shown this once."""
    endpoint = Endpoint(
        account=account,
        url=_clean_url(url),
        events=_clean_events(events),
        description=_clean_description(description),
    )
    Account.objects.select_for_update().filter(pk=account.pk).first()
    if Endpoint.objects.filter(account=account).count() >= MAX_ENDPOINTS:
        raise ServiceError(f"An account can have at most {MAX_ENDPOINTS} webhook endpoints.")
    endpoint.save()
    audit.record(
        AuditAction.WEBHOOK_CREATED,
        actor=actor,
        account=account,
        target=endpoint,
        changes=_shown(endpoint),
    )
    return endpoint, endpoint.signing_secret


@transaction.atomic
def endpoint_update(
    *,
    endpoint: Endpoint,
    actor: Actor,
    url: str | None = None,
    events: Iterable[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> Endpoint:
    """Change an endpoint. Turning it on or off is an event of its own; turning it on starts
    its count of failing days afresh."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    new = {
        "url": None if url is None else _clean_url(url),
        "events": None if events is None else _clean_events(events),
        "description": None if description is None else _clean_description(description),
    }
    changed = {
        key: [getattr(endpoint, key), value]
        for key, value in new.items()
        if value is not None and getattr(endpoint, key) != value
    }
    for key, (_, value) in changed.items():
        setattr(endpoint, key, value)
    if changed:
        endpoint.save(update_fields=list(changed))
        audit.record(
            AuditAction.WEBHOOK_UPDATED,
            actor=actor,
            account=endpoint.account,
            target=endpoint,
            changes=changed,
        )
    if enabled is not None and enabled != endpoint.enabled:
        _set_enabled(endpoint, enabled=enabled, actor=actor, reason="")
    return endpoint


def _set_enabled(endpoint: Endpoint, *, enabled: bool, actor: Actor, reason: str) -> None:
    endpoint.enabled = enabled
    endpoint.disabled_reason = "" if enabled else reason
    endpoint.failing_since = None if enabled else endpoint.failing_since
    endpoint.save(update_fields=["enabled", "disabled_reason", "failing_since"])
    changes = {"enabled": [not enabled, enabled]} | ({"reason": reason} if reason else {})
    audit.record(
        AuditAction.WEBHOOK_ENABLED if enabled else AuditAction.WEBHOOK_DISABLED,
        actor=actor,
        account=endpoint.account,
        target=endpoint,
        changes=changes,
    )


@transaction.atomic
def endpoint_disable(*, endpoint: Endpoint, actor: Actor, reason: str = "") -> bool:
    """Turn an endpoint off (by an admin, or the worker after days of failures). False if it
    was already off."""
    endpoint = Endpoint.objects.select_for_update().select_related("account").get(pk=endpoint.pk)
    if not endpoint.enabled:
        return False
    _set_enabled(endpoint, enabled=False, actor=actor, reason=reason)
    return True


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint, actor: Actor) -> None:
    audit.record(
        AuditAction.WEBHOOK_DELETED,
        actor=actor,
        account=endpoint.account,
        target=endpoint,
        changes=_shown(endpoint),
    )
    endpoint.delete()


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: Endpoint, actor: Actor) -> str:
    """Give the endpoint a new signing secret, in force from the next attempt. Returns it: it
    is shown this once."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret_salt = new_secret_salt()
    endpoint.save(update_fields=["secret_salt"])
    audit.record(
        AuditAction.WEBHOOK_SECRET_ROTATED, actor=actor, account=endpoint.account, target=endpoint
    )
    return endpoint.signing_secret


@transaction.atomic
def send_test(*, endpoint: Endpoint) -> Delivery:
    """A `webhook.test` event for this endpoint alone (other endpoints never receive it),
    delivered by the worker like any other."""
    event = Event.objects.create(
        uid=new_uid(),
        type=TEST_EVENT,
        account=endpoint.account,
        data={
            "account": {"id": endpoint.account_id, "slug": endpoint.account.slug},
            "endpoint": {"id": endpoint.pk, "url": endpoint.url},
        },
    )
    delivery = Delivery.objects.create(event=event, endpoint=endpoint)
    # Imported here: the tasks module imports the delivery module, which imports this one.
    from webhooks.tasks import enqueue

    transaction.on_commit(lambda: enqueue(delivery))
    return delivery
