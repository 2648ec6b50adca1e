"""Every way a token is made, changed, used or revoked. Each change runs in one transaction with
its audit event; every path (page, API, command, rotation) goes through `token_issue`'s rules."""

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import connections, transaction
from django.db.models import (
    DateTimeField,
    ExpressionWrapper,
    F,
    Model,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Least
from django.utils import timezone

from accounts import audit
from accounts.access import ALL_SCOPES, SCOPES, Access
from accounts.audit import SYSTEM, Actor
from accounts.models import (
    Account,
    AuditAction,
    Membership,
    User,
    ip_allowed,
    normalize_networks,
)
from core.errors import ServiceError
from core.text import DESCRIPTION_MAX_LENGTH, clean_text
from tokens import crypto
from tokens.models import RECENT_IPS, Status, Token
from tokens.signals import token_created, token_revoked, token_used

OWNER_NOT_MEMBER = "The owner must be an active member of this account."

# Passed as `expires_at` when the caller did not choose: the account's maximum lifetime applies.
DEFAULT_EXPIRY = object()
# A field token_update leaves as it is.
UNCHANGED = object()

# Rotation overlap (SPEC section 9): how long the old token keeps working after the new one's
# first use, by default and at most; and the latest it works after the rotation whatever happens.
DEFAULT_GRACE_SECONDS = 86400
MAX_GRACE_SECONDS = 604800
MAX_OVERLAP = timedelta(days=7)
ROTATED = "rotated"
MAX_RATE_LIMIT_PER_MINUTE = 1_000_000


class InvalidToken(Exception):
    """The presented string does not authenticate. Deliberately says nothing more."""


class TokenAccessDisabled(Exception):
    """A valid token of an account whose token access is switched off."""


class AddressNotAllowed(Exception):
    """A valid token used from outside its own or its account's allowed addresses."""


@dataclass(frozen=True)
class IssuedToken:
    token: Token
    secret: str  # shown to the caller once, never stored


def _normalise_scopes(scopes: list[str] | None, allowed: frozenset[str]) -> list[str]:
    if scopes is None:
        return [s for s in SCOPES if s in allowed]
    unknown = sorted(set(scopes) - ALL_SCOPES)
    if unknown:
        raise ServiceError(f"Unknown scope: {', '.join(unknown)}.", field="scopes")
    if not scopes:
        raise ServiceError("Choose at least one scope.", field="scopes")
    beyond = sorted(set(scopes) - allowed)
    if beyond:
        raise ServiceError(
            f"The token you are using lacks {', '.join(beyond)}, so it cannot grant it.",
            field="scopes",
        )
    return [s for s in SCOPES if s in scopes]


def _clean_description(description: str) -> str:
    return clean_text(
        description, field="description", max_length=DESCRIPTION_MAX_LENGTH, label="description"
    )


def max_expiry(account: Account, now: datetime) -> datetime | None:
    """The latest expiry the account allows for a token created `now` (None: no limit)."""
    days = account.token_max_lifetime_days
    return None if days is None else now + timedelta(days=days)


def _resolve_expiry(account: Account, expires_at, now: datetime) -> datetime | None:
    limit = max_expiry(account, now)
    if expires_at is DEFAULT_EXPIRY:
        return limit
    if expires_at is None:
        if limit is not None:
            raise ServiceError(
                f"This account requires tokens to expire within "
                f"{account.token_max_lifetime_days} days.",
                field="expires_at",
            )
        return None
    if expires_at <= now:
        raise ServiceError("The expiry must be in the future.", field="expires_at")
    if limit is not None and expires_at > limit:
        raise ServiceError(
            f"This account allows tokens to live at most {account.token_max_lifetime_days} days.",
            field="expires_at",
        )
    return expires_at


def _create(
    *,
    account: Account,
    owner: User,
    created_by: User | None,
    description: str,
    scopes: list[str],
    expires_at: datetime | None,
    now: datetime,
    **kept: Any,
) -> IssuedToken:
    secret = crypto.generate()
    token = Token.objects.create(
        account=account,
        owner=owner,
        created_by=created_by,
        description=description,
        prefix=crypto.display_prefix(secret),
        digest=crypto.digest(secret),
        scopes=scopes,
        created_at=now,
        expires_at=expires_at,
        **kept,
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def token_issue(
    *,
    account: Account,
    owner: User,
    description: str,
    actor: Actor,
    access: Access | None = None,
    scopes: list[str] | None = None,
    expires_at=DEFAULT_EXPIRY,
) -> IssuedToken:
    """Create a token for `owner` in `account`.

    `access` is the caller's access (None for the operator's command line): non-admins may only
    create their own tokens, and only when the account lets members create tokens; a caller
    using a token cannot grant scopes that token lacks."""
    if access is not None:
        access.require_token_create(owner=owner)
    description = _clean_description(description)
    if not owner.is_active or not Membership.objects.filter(account=account, user=owner).exists():
        raise ServiceError(OWNER_NOT_MEMBER, field="owner_id")
    now = timezone.now()
    issued = _create(
        account=account,
        owner=owner,
        created_by=actor.user,
        description=description,
        scopes=_normalise_scopes(scopes, access.scopes if access else ALL_SCOPES),
        expires_at=_resolve_expiry(account, expires_at, now),
        now=now,
    )
    token = issued.token
    audit.record(
        AuditAction.TOKEN_CREATED,
        actor=actor,
        account=account,
        target=token,
        changes={
            "owner": owner.email,
            "description": description,
            "scopes": token.scopes,
            "expires_at": _iso(token.expires_at),
        },
    )
    token_created.send(sender=Token, token=token, actor=actor)
    return issued


@transaction.atomic
def token_rotate(
    *,
    token: Token,
    actor: Actor,
    access: Access | None = None,
    grace_seconds: int = DEFAULT_GRACE_SECONDS,
) -> IssuedToken:
    """Replace a token's secret, nothing else: the new token keeps the owner, description,
    scopes and the same expiry, so rotation mints no new power and no new lifetime.

    The old token keeps working until `grace_seconds` after the new token's first use, never
    later than MAX_OVERLAP after now nor its own expiry; with 0 it is revoked at once. Expired,
    revoked and already replaced tokens are not rotated."""
    token = (
        Token.objects.select_for_update(of=("self",))
        .select_related("account", "owner")
        .get(pk=token.pk)
    )
    if access is not None:
        access.require_token_rotate(token)
    if not 0 <= grace_seconds <= MAX_GRACE_SECONDS:
        raise ServiceError(
            f"The overlap must be between 0 and {MAX_GRACE_SECONDS} seconds.",
            field="grace_seconds",
        )
    now = timezone.now()
    status = token.status_at(now)
    if status == Status.REVOKED:
        raise ServiceError("This token is revoked; create a new one instead.", code="token_revoked")
    if status == Status.EXPIRED:
        raise ServiceError(
            "This token has expired; create a new one instead.", code="token_expired"
        )
    if token.replaced_by_id is not None:
        raise ServiceError(
            "This token has already been replaced; rotate its replacement instead.",
            code="token_replaced",
        )
    owner, account = token.owner, token.account
    if (
        owner is None
        or not owner.is_active
        or not Membership.objects.filter(account=account, user=owner).exists()
    ):
        raise ServiceError(
            "The owner of this token is no longer an active member.", code="owner_not_member"
        )
    issued = _create(
        account=account,
        owner=owner,
        created_by=actor.user,
        description=token.description,
        scopes=token.scopes,
        expires_at=token.expires_at,
        now=now,
        allowed_ips=token.allowed_ips,
        rate_limit_per_minute=token.rate_limit_per_minute,
    )
    token.replaced_by = issued.token
    token.rotation_grace = timedelta(seconds=grace_seconds)
    latest = now + MAX_OVERLAP if grace_seconds else now
    token.stops_at = latest if token.expires_at is None else min(latest, token.expires_at)
    token.save(update_fields=["replaced_by", "rotation_grace", "stops_at"])
    audit.record(
        AuditAction.TOKEN_ROTATED,
        actor=actor,
        account=account,
        target=issued.token,
        changes={
            "rotated_from": token.pk,
            "old_prefix": token.prefix,
            "expires_at": _iso(token.expires_at),
            "grace_seconds": grace_seconds,
        },
    )
    if not grace_seconds:
        token_revoke(token=token, actor=actor, reason=ROTATED)
    return issued


def token_stop_replaced(token: Token) -> bool:
    """Revoke a replaced token whose overlap is over, as of when it stopped. Whoever notices first
    (a request presenting it, the sweep) writes its audit event; False for the others."""
    return token_revoke(token=token, actor=SYSTEM, reason=ROTATED, at=token.stops_at)


def tokens_stop_replaced(now: datetime) -> int:
    """Revoke every replaced token whose overlap is over; how many this call revoked."""
    stopped = Token.objects.filter(revoked_at__isnull=True, stops_at__lte=now)
    return sum(token_stop_replaced(token) for token in stopped.select_related("account"))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _clean_allowed_ips(values: list[str]) -> list[str]:
    try:
        return normalize_networks(values)
    except ValueError as error:
        raise ServiceError(str(error), field="allowed_ips") from None


def _clean_rate_limit(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= MAX_RATE_LIMIT_PER_MINUTE:
        raise ServiceError(
            f"Between 1 and {MAX_RATE_LIMIT_PER_MINUTE} requests per minute, or none.",
            field="rate_limit_per_minute",
        )
    return value


# The fields token_update changes that only admins may: a lifetime and a limit are policy.
_ADMIN_FIELDS = ("expires_at", "rate_limit_per_minute")


@transaction.atomic
def token_update(
    *,
    token: Token,
    actor: Actor,
    access: Access | None = None,
    description: str | object = UNCHANGED,
    expires_at: datetime | None | object = UNCHANGED,
    allowed_ips: list[str] | object = UNCHANGED,
    rate_limit_per_minute: int | None | object = UNCHANGED,
) -> Token:
    """Relabel a token, restrict where it may be used from, and (admins only) change when it
    expires (within the account's maximum lifetime counted from now; None only when the policy
    allows) or its rate limit. One audit event holds every change; nothing changed, nothing
    written."""
    given = {
        "description": description,
        "expires_at": expires_at,
        "allowed_ips": allowed_ips,
        "rate_limit_per_minute": rate_limit_per_minute,
    }
    given = {name: value for name, value in given.items() if value is not UNCHANGED}
    if access is not None:
        if any(name in _ADMIN_FIELDS for name in given):
            access.require_token_extend(token)
        else:
            access.require_token_change(token)
    if token.revoked_at is not None and set(given) - {"description"}:
        raise ServiceError("This token is revoked; create a new one instead.", code="token_revoked")
    new: dict[str, Any] = {}
    if "description" in given:
        new["description"] = _clean_description(cast(str, description))
    if "expires_at" in given:
        new["expires_at"] = _resolve_expiry(token.account, expires_at, timezone.now())
    if "allowed_ips" in given:
        new["allowed_ips"] = _clean_allowed_ips(cast(list[str], allowed_ips))
    if "rate_limit_per_minute" in given:
        new["rate_limit_per_minute"] = _clean_rate_limit(cast("int | None", rate_limit_per_minute))
    changed = [name for name, value in new.items() if getattr(token, name) != value]
    if not changed:
        return token
    shown = {"expires_at": _iso}
    changes = {
        name: [shown.get(name, _same)(getattr(token, name)), shown.get(name, _same)(new[name])]
        for name in changed
    }
    for name in changed:
        setattr(token, name, new[name])
    token.save(update_fields=changed)
    audit.record(
        AuditAction.TOKEN_UPDATED,
        actor=actor,
        account=token.account,
        target=token,
        changes=changes,
    )
    return token


def _same(value: Any) -> Any:
    return value


@transaction.atomic
def token_revoke(
    *,
    token: Token,
    actor: Actor,
    access: Access | None = None,
    reason: str = "",
    action: AuditAction = AuditAction.TOKEN_REVOKED,
    at: datetime | None = None,
) -> bool:
    """Revoke a token (as of `at`, default now); the row stays for the audit trail. False if it
    was already revoked. `access` is the caller's (None for staff, the operator and the system).
    """
    if access is not None:
        access.require_token_change(token)
    now = at or timezone.now()
    revoked = Token.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor.user if actor.user and actor.user.pk else None
    )
    if not revoked:
        return False
    token.revoked_at = now
    changes = {"reason": reason} if reason else {}
    audit.record(action, actor=actor, account=token.account, target=token, changes=changes)
    token_revoked.send(sender=Token, token=token, actor=actor, action=action, reason=reason)
    return True


def tokens_revoke_all(*, tokens, actor: Actor, reason: str) -> int:
    """Revoke every active token of a queryset, one audited revocation each."""
    count = 0
    for token in tokens.filter(revoked_at__isnull=True).select_related("account"):
        count += token_revoke(token=token, actor=actor, reason=reason)
    return count


# What authentication loads: every column of the token, its owner and its account that a request
# may read, so none costs a query of its own later. A field missing here fails the tests that read
# it (tests/conftest.py); tests/tokens/test_authentication.py names the columns left out on purpose.
_TOKEN_COLUMNS = (
    "id",
    "account_id",
    "owner_id",
    "created_by_id",
    "description",
    "prefix",
    "scopes",
    "created_at",
    "expires_at",
    "last_used_at",
    "last_used_ip",
    "revoked_at",
    "revoked_by_id",
    "replaced_by_id",
    "rotation_grace",
    "stops_at",
    "allowed_ips",
    "rate_limit_per_minute",
    "recent_ips",
)
_OWNER_COLUMNS = (
    "email",
    "name",
    "is_active",
    "is_service_account",
    "is_staff",
    "is_superuser",
    "date_joined",
)
_ACCOUNT_COLUMNS = (
    "slug",
    "name",
    "token_access_enabled",
    "members_can_create_tokens",
    "token_max_lifetime_days",
    "revoke_unused_after_days",
    "require_two_factor",
    "token_allowed_ips",
    "token_rate_limit_per_minute",
    "created_at",
)

# Stands for the digest while the query is compiled; the only parameter the query may have.
_DIGEST_PLACEHOLDER = "<digest>"


@functools.cache
def _authentication_sql(alias: str) -> str:
    """The query of `token_authenticate`, compiled by the ORM once per database: compiling it on
    every request cost more than all of DRF's plaintext TokenAuthentication, running it a
    fraction of that (docs/performance.md). The digest is its only parameter: a filter that
    binds another one would be run with the wrong values, so compiling refuses it.

    The role comes from a subquery rather than a fourth join: PostgreSQL plans a four-way join
    in several times the time it takes to run it."""
    role = Membership.objects.filter(user=OuterRef("owner_id"), account=OuterRef("account_id"))
    query = Token.objects.filter(digest=_DIGEST_PLACEHOLDER).values(
        *_TOKEN_COLUMNS,
        *(f"owner__{name}" for name in _OWNER_COLUMNS),
        *(f"account__{name}" for name in _ACCOUNT_COLUMNS),
        role=Subquery(role.values("role")[:1]),
    )
    sql, params = query.query.get_compiler(alias).as_sql()
    if tuple(params) != (_DIGEST_PLACEHOLDER,):
        raise RuntimeError(f"The authentication query must bind only the digest, not {params!r}.")
    return sql


def _loaded(model: type[Model], db: str, values: dict[str, Any]) -> Any:
    """An instance of `model` from the given columns, as if the ORM had loaded it. `raw()`
    converts the token's own columns only, so the joined ones go through their fields' database
    converters here (SQLite returns a joined timestamp as a naive datetime)."""
    connection = connections[db]
    fields = [field for field in model._meta.concrete_fields if field.attname in values]
    row = []
    for field in fields:
        value, column = values[field.attname], field.cached_col
        for convert in connection.ops.get_db_converters(column) + field.get_db_converters(
            connection
        ):
            value = convert(value, column, connection)
        row.append(value)
    return model.from_db(db, [field.attname for field in fields], row)


def token_authenticate(raw: str, *, email: str | None = None, ip: str | None = None) -> Access:
    """Who a presented token acts as, from the client address `ip` (core.http.client_ip). One
    indexed query (token, owner, account and the owner's current role, in one statement) and no
    write.

    Raises InvalidToken, the same for every reason, TokenAccessDisabled or AddressNotAllowed."""
    if not crypto.is_well_formed(raw):
        raise InvalidToken
    db = Token.objects.db
    # A row of the raw query: a Token with the owner's, account's and role's columns beside it.
    token: Any = next(
        iter(Token.objects.raw(_authentication_sql(db), [crypto.digest(raw)], using=db)), None
    )
    now = timezone.now()
    if token is not None and token.revoked_at is None and token.has_stopped(now):
        token_stop_replaced(token)
        raise InvalidToken
    if (
        token is None
        or token.revoked_at is not None
        or (token.expires_at is not None and token.expires_at <= now)
        or token.owner_id is None
        or not token.owner__is_active
        or token.role is None
        or (email is not None and email.strip().lower() != token.owner__email.lower())
    ):
        raise InvalidToken
    if not token.account__token_access_enabled:
        raise TokenAccessDisabled
    token.owner = _loaded(
        User,
        db,
        {"id": token.owner_id} | {n: getattr(token, f"owner__{n}") for n in _OWNER_COLUMNS},
    )
    token.account = _loaded(
        Account,
        db,
        {"id": token.account_id} | {n: getattr(token, f"account__{n}") for n in _ACCOUNT_COLUMNS},
    )
    if not (ip_allowed(ip, token.allowed_ips) and ip_allowed(ip, token.account.token_allowed_ips)):
        raise AddressNotAllowed
    return Access(
        user=token.owner,
        account=token.account,
        role=token.role,
        scopes=frozenset(token.scopes),
        token=token,
    )


def token_record_use(token: Token, *, ip: str | None) -> None:
    """Note when and from where a token was last used, at most once per interval: a write on
    every request would make the hottest path the slowest."""
    now = timezone.now()
    interval = timedelta(seconds=settings.TOKEN_LAST_USED_INTERVAL)
    if token.last_used_at is not None and now - token.last_used_at < interval:
        return
    token_used.send(sender=Token, token=token, ip=ip)
    # Conditional, so concurrent requests of one token write once between them.
    Token.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - interval), pk=token.pk
    ).update(last_used_at=now, last_used_ip=ip, recent_ips=_recent(token.recent_ips, ip, now))
    if token.last_used_at is None:
        _start_overlap_end(token, now)
    token.last_used_at = now


def _recent(recent: list[dict], ip: str | None, now: datetime) -> list[dict]:
    """The token's recent addresses with `ip` seen `now`: newest first, distinct, at most
    RECENT_IPS."""
    if ip is None:
        return recent
    others = [entry for entry in recent if entry["ip"] != ip]
    return [{"ip": ip, "last_seen": now.isoformat()}, *others][:RECENT_IPS]


def _start_overlap_end(token: Token, first_use: datetime) -> None:
    """On a token's first use, bring the token it replaced to stop its grace after it (one
    conditional write, only ever on a first use; the 7-day and expiry cap already in stops_at
    stays whenever it comes first)."""
    ends = ExpressionWrapper(Value(first_use) + F("rotation_grace"), output_field=DateTimeField())
    Token.objects.filter(replaced_by=token.pk, revoked_at__isnull=True).update(
        stops_at=Least(F("stops_at"), ends)
    )


def tokens_revoke_leaked(candidates: list[str], *, actor: Actor) -> None:
    """Revoke every active token among strings reported as leaked (by anyone: a secret scanner,
    a user who pasted one somewhere). Malformed strings are skipped without a query."""
    digests = {crypto.digest(c) for c in candidates if crypto.is_well_formed(c)}
    if not digests:
        return
    leaked = Token.objects.filter(digest__in=digests, revoked_at__isnull=True)
    for token in leaked.select_related("account"):
        token_revoke(
            token=token,
            actor=actor,
            action=AuditAction.TOKEN_LEAK_REPORTED,
            reason="reported as leaked",
        )
