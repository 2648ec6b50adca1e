"""The one way to write the audit trail."""

from dataclasses import dataclass
from typing import Any

from django.db import models

from accounts.models import Account, AuditEvent, User


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a user, possibly through a token, from an IP. All optional."""

    user: User | None = None
    token_id: int | None = None
    token_prefix: str = ""
    ip: str | None = None


SYSTEM = Actor()


def record(
    action: str,
    *,
    actor: Actor = SYSTEM,
    account: Account | None = None,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. Call it inside the transaction of the change it describes."""
    user = actor.user if actor.user is not None and actor.user.pk else None
    return AuditEvent.objects.create(
        action=action,
        actor=user,
        actor_email=user.email if user else "",
        actor_token_id=actor.token_id,
        actor_token_prefix=actor.token_prefix,
        account=account,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:254] if target is not None else "",
        ip=actor.ip,
        changes=changes or {},
    )
