"""Who hears about a token, and recording what they are owed (SPEC §10)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from accounts.models import Membership, Role, User
from notifications.models import EXPIRY_KINDS, Notice
from tokens.models import Token


@dataclass(frozen=True)
class Due:
    """A notice that is owed about `token`, before its recipients are known."""

    token: Token
    kind: str
    period: datetime
    details: dict[str, Any] = field(default_factory=dict)


def recipients(tokens: Iterable[Token]) -> dict[int, list[User]]:
    """Who hears about each token: its owner; for a service account's token, the account's
    admins. Nobody for an owner who is deactivated or no longer a member: the token no longer
    works. Two queries, whatever the number of tokens. `tokens` need `owner` loaded."""
    tokens = [t for t in tokens if t.owner is not None and t.owner.is_active]
    members = set(
        Membership.objects.filter(
            account_id__in={t.account_id for t in tokens},
            user_id__in={t.owner_id for t in tokens},
        ).values_list("account_id", "user_id")
    )
    admins: dict[int, list[User]] = defaultdict(list)
    # Members' tokens: every one has an owner.
    service_accounts = {t.account_id for t in tokens if cast(User, t.owner).is_service_account}
    for membership in Membership.objects.filter(
        account_id__in=service_accounts,
        role=Role.ADMIN,
        user__is_active=True,
        user__is_service_account=False,
    ).select_related("user"):
        admins[membership.account_id].append(membership.user)
    found: dict[int, list[User]] = {}
    for token in tokens:
        if (token.account_id, token.owner_id) not in members:
            continue
        owner = cast(User, token.owner)
        found[token.pk] = admins[token.account_id] if owner.is_service_account else [owner]
    return found


def record(due: list[Due]) -> None:
    """Record each due notice for each of its recipients, once: a row that already exists
    (recorded by an earlier or a concurrent sweep) is left alone. Expiry reminders skip people
    who turned them off."""
    if not due:
        return
    to = recipients(d.token for d in due)
    rows = [
        Notice(token=d.token, recipient=user, kind=d.kind, period=d.period, details=d.details)
        for d in due
        for user in to.get(d.token.pk, [])
        if d.kind not in EXPIRY_KINDS or user.email_expiry_reminders
    ]
    # In one order everywhere, so concurrent sweeps wait on each other's rows, never deadlock.
    rows.sort(key=lambda n: (n.token_id, n.kind, n.period, n.recipient_id))
    Notice.objects.bulk_create(rows, ignore_conflicts=True)
