"""The outbox of domain events (SPEC §10, webhooks).

`audit.record()` calls `from_audit()` for every change, inside the change's transaction, so an
event exists exactly when its change was committed. After the commit `committed` is sent with
the event's uid; the webhooks app listens and fans it out to endpoints. Event data is built
from an allowlist of fields (ids, prefixes, descriptions, roles, members' emails): a secret or
a digest cannot reach it, whatever a change records in its audit `changes`."""

import secrets
from typing import Any

from django.db import models, transaction
from django.dispatch import Signal

from accounts.models import Account, Event

EVENT_TYPES = (
    "token.created",
    "token.rotated",
    "token.revoked",
    "token.expiring",
    "token.expired",
    "token.leak_reported",
    "member.joined",
    "member.removed",
    "member.role_changed",
    "account.token_access_changed",
)

# The audit actions that are webhook events, and the event type each one is.
AUDIT_EVENT_TYPES = {
    "token.created": "token.created",
    "token.rotated": "token.rotated",
    "token.revoked": "token.revoked",
    "token.leak_reported": "token.leak_reported",
    "member.added": "member.joined",
    "member.removed": "member.removed",
    "member.role_changed": "member.role_changed",
    "account.token_access_enabled": "account.token_access_changed",
    "account.token_access_disabled": "account.token_access_changed",
}

# Sent after the commit of each event's transaction, with `uid`.
committed = Signal()


def new_uid() -> str:
    return f"msg_{secrets.token_hex(16)}"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def token_data(token: Any) -> dict[str, Any]:
    """A token as events show it: never its secret or digest."""
    owner = token.owner if token.owner_id else None
    return {
        "id": token.pk,
        "prefix": token.prefix,
        "description": token.description,
        "owner": owner.email if owner is not None else None,
        "scopes": list(token.scopes),
        "expires_at": _iso(token.expires_at),
    }


def member_data(membership: Any) -> dict[str, Any]:
    return {
        "id": membership.pk,
        "user_id": membership.user_id,
        "email": membership.user.email,
        "role": membership.role,
    }


def _audit_data(action: str, target: models.Model | None, changes: dict[str, Any]):
    if action.startswith("token."):
        data: dict[str, Any] = {"token": token_data(target)}
        if action == "token.rotated":
            data["rotated_from"] = {"id": changes["rotated_from"], "prefix": changes["old_prefix"]}
        if changes.get("reason"):
            data["reason"] = changes["reason"]
        return data
    if action.startswith("member."):
        data = {"member": member_data(target)}
        if action == "member.role_changed":
            data["previous_role"] = changes["role"][0]
        return data
    return {"token_access_enabled": action == "account.token_access_enabled"}


def from_audit(
    action: str, *, account: Account | None, target: models.Model | None, changes: dict[str, Any]
) -> Event | None:
    """The event of an audited change, if that change is one webhooks announce."""
    event_type = AUDIT_EVENT_TYPES.get(action)
    if event_type is None or account is None:
        return None
    return emit(event_type, account=account, data=_audit_data(action, target, changes))


def emit(
    event_type: str, *, account: Account, data: dict[str, Any], key: str | None = None
) -> Event | None:
    """Record an event in the current transaction and announce it after the commit. With a
    `key`, an event with that key already recorded (by a concurrent worker) wins: returns None."""
    event = Event(
        uid=new_uid(),
        type=event_type,
        account=account,
        data={"account": {"id": account.pk, "slug": account.slug}, **data},
        key=key,
    )
    if key is None:
        event.save()
    else:
        Event.objects.bulk_create([event], ignore_conflicts=True)
        if not Event.objects.filter(uid=event.uid).exists():
            return None
    transaction.on_commit(lambda: committed.send(sender=Event, uid=event.uid))
    return event


def payload(event: Event) -> dict[str, Any]:
    """The JSON body of a delivery, in the Standard Webhooks shape."""
    return {"type": event.type, "timestamp": event.created_at.isoformat(), "data": event.data}
