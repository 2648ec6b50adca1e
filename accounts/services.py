"""The rules for accounts, members and users. Each function is one change, in one transaction,
with its audit event. Views, the admin and commands call these; nothing else writes these rows."""

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts import audit
from accounts.audit import SYSTEM, Actor
from accounts.models import (
    Account,
    AuditAction,
    Membership,
    Role,
    User,
    normalize_email,
    normalize_networks,
)
from accounts.signals import membership_removed
from core.errors import ServiceError
from core.text import ACCOUNT_NAME_MAX_LENGTH, NAME_MAX_LENGTH, clean_text

POLICY_FIELDS = (
    "token_access_enabled",
    "members_can_create_tokens",
    "token_max_lifetime_days",
    "revoke_unused_after_days",
    "require_two_factor",
    "token_allowed_ips",
    "token_rate_limit_per_minute",
)
ACCOUNT_FIELDS = ("name", *POLICY_FIELDS)


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ServiceError(
            f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.", field="role"
        )


def _valid_email(email: str) -> str:
    """The normalised address, or a ServiceError on the email field."""
    normalized = normalize_email(email)
    try:
        validate_email(normalized)
    except ValidationError:
        raise ServiceError(f"{email!r} is not a valid email address.", field="email") from None
    return normalized


def generate_password() -> str:
    return secrets.token_urlsafe(15)


@transaction.atomic
def account_create(
    *,
    slug: str,
    name: str,
    admin_email: str,
    admin_password: str | None = None,
    actor: Actor = SYSTEM,
) -> tuple[Account, User, str | None]:
    """Create an account with its first admin, reusing an existing user with that email.

    Returns the account, the admin and the generated password when a new user got one."""
    try:
        validate_slug(slug)
    except ValidationError:
        raise ServiceError(
            "The slug may hold only letters, digits, hyphens and underscores.", field="slug"
        ) from None
    email = _valid_email(admin_email)
    if Account.objects.filter(slug=slug).exists():
        raise ServiceError(f"An account with the slug {slug!r} already exists.", field="slug")

    generated = None
    user = User.objects.filter(email=email).first()
    if user is None:
        password = admin_password or generate_password()
        candidate = User(email=email)
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise ServiceError(" ".join(exc.messages), field="password") from None
        user = User.objects.create_user(email, password)
        generated = None if admin_password else password
    elif user.is_service_account:
        raise ServiceError("A service account cannot administer an account.", field="email")

    name = clean_text(
        name, field="name", max_length=ACCOUNT_NAME_MAX_LENGTH, label="name", required=False
    )
    account = Account.objects.create(slug=slug, name=name or slug)
    audit.record(
        AuditAction.ACCOUNT_CREATED,
        actor=actor,
        account=account,
        target=account,
        changes={"slug": slug, "name": account.name},
    )
    member_add(account=account, user=user, role=Role.ADMIN, actor=actor)
    return account, user, generated


@transaction.atomic
def account_update(*, account: Account, actor: Actor, **fields: Any) -> Account:
    """Change the account's name or policy. Turning token access on or off is its own event."""
    unknown = set(fields) - set(ACCOUNT_FIELDS)
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))}.")
    if "name" in fields:
        fields["name"] = clean_text(
            fields["name"], field="name", max_length=ACCOUNT_NAME_MAX_LENGTH, label="name"
        )
    if "token_allowed_ips" in fields:
        try:
            fields["token_allowed_ips"] = normalize_networks(fields["token_allowed_ips"])
        except ValueError as error:
            raise ServiceError(str(error), field="token_allowed_ips") from None
    account = Account.objects.select_for_update().get(pk=account.pk)
    changed = {k: [getattr(account, k), v] for k, v in fields.items() if getattr(account, k) != v}
    if not changed:
        return account
    for key, (_, new) in changed.items():
        setattr(account, key, new)
    account.save(update_fields=list(changed))
    toggle = changed.pop("token_access_enabled", None)
    if toggle is not None:
        action = (
            AuditAction.ACCOUNT_TOKEN_ACCESS_ENABLED
            if toggle[1]
            else AuditAction.ACCOUNT_TOKEN_ACCESS_DISABLED
        )
        audit.record(
            action,
            actor=actor,
            account=account,
            target=account,
            changes={"token_access_enabled": toggle},
        )
    if changed:
        audit.record(
            AuditAction.ACCOUNT_UPDATED,
            actor=actor,
            account=account,
            target=account,
            changes=changed,
        )
    return account


def check_member_add(*, account: Account, user: User, role: str) -> None:
    """Raise ServiceError when `user` may not join `account` with `role`."""
    _check_role(role)
    if not user.is_active:
        raise ServiceError("This user is deactivated.", field="email")
    if user.is_service_account and user.memberships.exclude(account=account).exists():
        raise ServiceError("A service account belongs to exactly one account.", field="email")
    if Membership.objects.filter(account=account, user=user).exists():
        raise ServiceError(f"{user.email} is already a member of this account.", field="email")


@transaction.atomic
def member_add(*, account: Account, user: User, role: str, actor: Actor) -> Membership:
    check_member_add(account=account, user=user, role=role)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(account=account, user=user, role=role)
    except IntegrityError:
        raise ServiceError(
            f"{user.email} is already a member of this account.", field="email"
        ) from None
    audit.record(
        AuditAction.MEMBER_ADDED,
        actor=actor,
        account=account,
        target=membership,
        changes={"user": user.email, "role": role},
    )
    return membership


@transaction.atomic
def service_account_create(*, account: Account, name: str, role: str, actor: Actor) -> Membership:
    """A non-login user that belongs to this account only and exists to own integration tokens."""
    _check_role(role)
    name = clean_text(name, field="name", max_length=NAME_MAX_LENGTH, label="name")
    email = (
        f"{slugify(name)[:40] or 'service'}-{secrets.token_hex(4)}@{account.slug}.service.invalid"
    )
    user = User.objects.create_user(email, None, name=name, is_service_account=True)
    return member_add(account=account, user=user, role=role, actor=actor)


LAST_ADMIN_MESSAGE = "An account must keep at least one admin: make someone else admin first."


def _lock_account(account_id: int) -> None:
    # Serialises admin-count checks of one account, so two demotions cannot both pass.
    Account.objects.select_for_update().filter(pk=account_id).first()


def is_last_human_admin(membership: Membership) -> bool:
    """True when removing or demoting this member would leave the account without an admin."""
    if membership.role != Role.ADMIN or membership.user.is_service_account:
        return False
    others = Membership.objects.filter(
        account_id=membership.account_id,
        role=Role.ADMIN,
        user__is_service_account=False,
        user__is_active=True,
    ).exclude(pk=membership.pk)
    return not others.exists()


@transaction.atomic
def member_change_role(*, membership: Membership, role: str, actor: Actor) -> Membership:
    _check_role(role)
    _lock_account(membership.account_id)
    membership = Membership.objects.select_related("user", "account").get(pk=membership.pk)
    old = membership.role
    if old == role:
        return membership
    if role != Role.ADMIN and is_last_human_admin(membership):
        raise ServiceError(LAST_ADMIN_MESSAGE, field="role", code="last_admin")
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(
        AuditAction.MEMBER_ROLE_CHANGED,
        actor=actor,
        account=membership.account,
        target=membership,
        changes={"user": membership.user.email, "role": [old, role]},
    )
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, actor: Actor) -> None:
    """Remove a member. Their tokens stop working; a service account is deactivated too."""
    _lock_account(membership.account_id)
    membership = Membership.objects.select_related("user", "account").get(pk=membership.pk)
    if is_last_human_admin(membership):
        raise ServiceError(LAST_ADMIN_MESSAGE, code="last_admin")
    user, account = membership.user, membership.account
    audit.record(
        AuditAction.MEMBER_REMOVED,
        actor=actor,
        account=account,
        target=membership,
        changes={"user": user.email, "role": membership.role},
    )
    membership_removed.send(sender=Membership, membership=membership, actor=actor)
    membership.delete()
    if user.is_service_account and user.is_active:
        user_deactivate(user=user, actor=actor)


def _record_user_event(action: AuditAction, *, user: User, actor: Actor, changes: dict) -> None:
    # In the trail of every account the user belongs to, so each account's admins see it.
    for account in Account.objects.filter(memberships__user=user) or [None]:
        audit.record(action, actor=actor, account=account, target=user, changes=changes)


@transaction.atomic
def user_deactivate(*, user: User, actor: Actor) -> User:
    """Deactivate a user: they cannot sign in and every one of their tokens is refused."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    _record_user_event(
        AuditAction.USER_DEACTIVATED, user=user, actor=actor, changes={"is_active": [True, False]}
    )
    return user


@transaction.atomic
def user_reactivate(*, user: User, actor: Actor) -> User:
    """Let a deactivated user sign in again; their tokens that are still active work again."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    _record_user_event(
        AuditAction.USER_REACTIVATED, user=user, actor=actor, changes={"is_active": [False, True]}
    )
    return user


@transaction.atomic
def user_create(*, email: str, name: str, password: str | None, actor: Actor) -> User:
    """A user added by a superuser in the admin, in no account yet. None: no usable password."""
    user = User.objects.create_user(_checked_email(email), password, name=name)
    changes = {"email": user.email, "name": name}
    _record_user_event(AuditAction.USER_CREATED, user=user, actor=actor, changes=changes)
    return user


USER_FIELDS = ("email", "name", "is_active", "is_staff", "is_superuser")


def check_user_rights(*, user: User, is_staff: bool, is_superuser: bool) -> None:
    """Raise ServiceError when `user` may not hold these rights: a service account is never
    staff (it exists to own tokens; nobody signs in as it)."""
    if user.is_service_account and (is_staff or is_superuser):
        raise ServiceError(
            "A service account cannot be staff or a superuser.",
            field="is_staff" if is_staff else "is_superuser",
        )


@transaction.atomic
def user_update(*, user: User, actor: Actor, **fields: Any) -> User:
    """A superuser's edit of a user (the admin's user form): the fields of USER_FIELDS, each
    change audited. Deactivating and reactivating are their own events."""
    unknown = set(fields) - set(USER_FIELDS)
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))}.")
    user = User.objects.select_for_update().get(pk=user.pk)
    active = fields.pop("is_active", user.is_active)
    if "email" in fields:
        fields["email"] = _checked_email(fields["email"], user=user)
    check_user_rights(
        user=user,
        is_staff=fields.get("is_staff", user.is_staff),
        is_superuser=fields.get("is_superuser", user.is_superuser),
    )
    changed = {k: [getattr(user, k), v] for k, v in fields.items() if getattr(user, k) != v}
    if changed:
        for key, (_, new) in changed.items():
            setattr(user, key, new)
        user.save(update_fields=list(changed))
        _record_user_event(AuditAction.USER_UPDATED, user=user, actor=actor, changes=changed)
    if active != user.is_active:
        change = user_reactivate if active else user_deactivate
        user = change(user=user, actor=actor)
    return user


def _checked_email(email: str, *, user: User | None = None) -> str:
    """A valid address no other user has."""
    email = _valid_email(email)
    others = User.objects.filter(email=email)
    if user is not None:
        others = others.exclude(pk=user.pk)
    if others.exists():
        raise ServiceError("Another user has this email address.", field="email")
    return email
