"""Security notices, recorded inside the token service's transaction (so a notice exists exactly
when its cause does) and mailed by a job enqueued once that transaction commits. If the job
never runs or fails, the notices stay pending and the next sweep mails them."""

from datetime import UTC, datetime, time
from typing import cast

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import AuditAction, User
from notifications.models import Kind
from notifications.notices import Due, record
from notifications.tasks import deliver_notices
from tokens.models import Token
from tokens.signals import token_created, token_revoked, token_used


def is_new_address(token: Token, ip: str) -> bool:
    """Whether `ip` is outside the token's recent addresses. A token used for the first time has
    none, so its first use is not news."""
    return bool(token.recent_ips) and ip not in {entry["ip"] for entry in token.recent_ips}


def _notify(due: Due) -> None:
    record([due])
    # robust: a queue that cannot take the job must not fail the change; the sweep mails later.
    transaction.on_commit(lambda: deliver_notices.enqueue(token_id=due.token.pk), robust=True)


@receiver(token_created)
def token_created_for_someone_else(sender, token: Token, **kwargs) -> None:
    # A service account's tokens are made by its admins: there is no "you" to surprise.
    if token.created_by_id in (None, token.owner_id) or cast(User, token.owner).is_service_account:
        return
    details = {"created_by": token.created_by.get_full_name() if token.created_by else ""}
    _notify(Due(token, Kind.CREATED_FOR_YOU, token.created_at, details))


@receiver(token_revoked)
def token_revoked_as_leaked(sender, token: Token, action: str, **kwargs) -> None:
    if action == AuditAction.TOKEN_LEAK_REPORTED:
        _notify(Due(token, Kind.LEAKED, cast(datetime, token.revoked_at)))  # just revoked


@receiver(token_used)
def token_used_from_new_address(sender, token: Token, ip: str | None, **kwargs) -> None:
    if ip is None or not is_new_address(token, ip):
        return
    # One notice per token and day: the day is the occurrence.
    day = datetime.combine(timezone.now().astimezone(UTC).date(), time.min, tzinfo=UTC)
    _notify(Due(token, Kind.NEW_ADDRESS, day, {"ip": ip}))
