"""The periodic sweep: expiry reminders, the inactivity policy, and delivery of every notice
still pending. Safe to run from any number of workers at once: notices are unique rows (see
notifications.models.Notice), mails go out under row locks (notifications.mail.deliver), and a
revocation is a conditional update that succeeds once."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import events
from accounts.audit import SYSTEM
from accounts.models import UNUSED_TOKEN_DAYS
from notifications import mail
from notifications.models import EXPIRY_KINDS, UNUSED_WARNING, Kind, Notice
from notifications.notices import Due, record
from tokens.models import Token
from tokens.services import token_revoke, tokens_stop_replaced

# Each token is in at most one stage at a time; it is told once per stage it reaches.
EXPIRY_STAGES = [
    (Kind.EXPIRED, timedelta(0)),
    (Kind.EXPIRES_IN_1_DAY, timedelta(days=1)),
    (Kind.EXPIRES_IN_7_DAYS, timedelta(days=7)),
    (Kind.EXPIRES_IN_30_DAYS, timedelta(days=30)),
]
# Tokens that expired longer ago than this (say, before notices existed) are not announced.
EXPIRED_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class SweepResult:
    due: int
    revoked: int
    mails: int


def sweep() -> SweepResult:
    now = timezone.now()
    due = expiry_notices(now) + unused_warnings(now)
    record(due)
    announce(due)
    revoked = revoke_unused(now) + tokens_stop_replaced(now)
    return SweepResult(due=len(due), revoked=revoked, mails=mail.deliver())


def announce(due: list[Due]) -> None:
    """The token.expiring / token.expired webhook events of the expiry stages reached, once per
    token and stage however many sweeps see it (the event's key is unique)."""
    for d in due:
        if d.kind in EXPIRY_KINDS:
            events.emit(
                "token.expired" if d.kind == Kind.EXPIRED else "token.expiring",
                account=d.token.account,
                data={"token": events.token_data(d.token), "stage": d.kind},
                key=f"{d.kind}:{d.token.pk}:{d.period.isoformat()}",
            )


def _unrecorded(tokens, kind: str, period: str):
    """Tokens without a notice of `kind` for the occurrence in their column `period`."""
    recorded = Notice.objects.filter(token=OuterRef("pk"), kind=kind, period=OuterRef(period))
    return tokens.exclude(Exists(recorded))


def expiry_notices(now: datetime) -> list[Due]:
    """Each token reaching an expiry stage. A token created inside the 30- or 7-day stage is
    not told about that one (nobody needs "expires within 30 days" about the 30-day token they
    just made); the last day and the expiry itself are always told."""
    due = []
    lower = now - EXPIRED_LOOKBACK
    for kind, before in EXPIRY_STAGES:
        tokens = Token.objects.filter(
            revoked_at__isnull=True, expires_at__gt=lower, expires_at__lte=now + before
        ).select_related("owner")
        if before > timedelta(days=1):
            stage_start = ExpressionWrapper(F("expires_at") - before, output_field=DateTimeField())
            tokens = tokens.filter(created_at__lt=stage_start)
        due += [Due(t, kind, t.expires_at) for t in _unrecorded(tokens, kind, "expires_at")]
        lower = now + before
    return due


def _idle(days: int, now: datetime, *, for_at_least: timedelta):
    """Active tokens of accounts revoking after `days`, unused (or, if never used, since their
    creation) for at least `for_at_least`."""
    return (
        Token.objects.active(now)
        .filter(account__revoke_unused_after_days=days)
        .annotate(idle_since=Coalesce("last_used_at", "created_at"))
        .filter(idle_since__lte=now - for_at_least)
    )


def unused_warnings(now: datetime) -> list[Due]:
    due = []
    for days, _ in UNUSED_TOKEN_DAYS:
        tokens = _idle(days, now, for_at_least=timedelta(days=days) - UNUSED_WARNING)
        tokens = _unrecorded(tokens.select_related("owner"), Kind.UNUSED, "idle_since")
        due += [Due(t, Kind.UNUSED, t.idle_since) for t in tokens]
    return due


def revoke_unused(now: datetime) -> int:
    """Revoke tokens idle past their account's limit, only once a warning about this idle
    period went out at least 7 days ago. Returns how many this run revoked. (A token nobody
    could be warned about has an owner who left or was deactivated: it no longer works.)"""
    revoked = 0
    warned = Notice.objects.filter(
        token=OuterRef("pk"),
        kind=Kind.UNUSED,
        period=OuterRef("idle_since"),
        sent_at__lte=now - UNUSED_WARNING,
    )
    for days, _ in UNUSED_TOKEN_DAYS:
        for token in _idle(days, now, for_at_least=timedelta(days=days)).filter(Exists(warned)):
            revoked += _revoke_if_still_unused(token)
    return revoked


def _revoke_if_still_unused(token: Token) -> bool:
    # Locked and checked again: a request may have used the token since the query above.
    unchanged = (
        Q(last_used_at=token.last_used_at)
        if token.last_used_at is not None
        else Q(last_used_at__isnull=True)
    )
    with transaction.atomic():
        locked = (
            Token.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("account")
            .filter(unchanged, pk=token.pk, revoked_at__isnull=True)
            .first()
        )
        if locked is None:
            return False
        return token_revoke(token=locked, actor=SYSTEM, reason="unused")
