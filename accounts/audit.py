"""The one way to write the audit trail."""

import logging
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import HttpRequest

from accounts import events
from accounts.models import Account, AuditAction, AuditEvent, User
from core.http import client_ip

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a user, possibly through a token, from an IP. All optional."""

    user: User | None = None
    token_id: int | None = None
    token_prefix: str = ""
    ip: str | None = None


SYSTEM = Actor()


def actor_from_request(request: HttpRequest) -> Actor:
    """The audit actor of a page or API request (the token, when the API was called with one)."""
    user = getattr(request, "user", None)
    token = getattr(getattr(request, "auth", None), "token", None)
    return Actor(
        user=user if user is not None and user.is_authenticated else None,
        token_id=token.pk if token is not None else None,
        token_prefix=token.prefix if token is not None else "",
        ip=client_ip(request),
    )


def record(
    action: AuditAction,
    *,
    actor: Actor = SYSTEM,
    account: Account | None = None,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. Call it inside the transaction of the change it describes.
    Only the actions of AuditAction: a name nobody subscribes to is a bug, not an event."""
    if action not in AuditAction.values:
        raise ValueError(f"Unknown audit action {action!r}: add it to AuditAction.")
    user = actor.user if actor.user is not None and actor.user.pk else None
    events.from_audit(action, account=account, target=target, changes=changes or {})
    event = AuditEvent.objects.create(
        action=action,
        actor=user,
        actor_email=user.email if user else "",
        actor_token_id=actor.token_id,
        actor_token_prefix=actor.token_prefix,
        account=account,
        target_type=(target._meta.model_name or "") if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:254] if target is not None else "",
        ip=actor.ip,
        changes=changes or {},
    )
    logger.info(
        "audit event %s",
        action,
        extra={
            "event": "audit",
            "action": action,
            "account_id": event.account_id,
            "target": f"{event.target_type}:{event.target_id}" if target is not None else None,
            "actor_id": event.actor_id,
            "actor_token_prefix": event.actor_token_prefix or None,
        },
    )
    return event
