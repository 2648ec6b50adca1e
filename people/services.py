"""Invitations: invite, resend, cancel, accept. Each is one transaction with its audit event.
Nobody joins an account without accepting, and no answer depends on whether the invited email
belongs to a user anywhere."""

import secrets
from datetime import datetime

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.audit import Actor
from accounts.models import Account, AuditAction, Membership, Role, User, normalize_email
from accounts.services import member_add
from core.errors import ServiceError
from people import mail
from people.models import INVITATION_VALID_FOR, Invitation, invitation_digest

NOT_PENDING = {
    "accepted": "This invitation has already been used.",
    "cancelled": "This invitation was cancelled by an admin of the account.",
    "expired": "This invitation has expired. Ask an admin of the account to send a new one.",
}


def _new_link(invitation: Invitation, now: datetime) -> str:
    """Give the invitation a fresh single-use secret, valid for 7 days; return the secret."""
    secret = secrets.token_urlsafe(32)
    invitation.digest = invitation_digest(secret)
    invitation.expires_at = now + INVITATION_VALID_FOR
    return secret


def _lock_account(account: Account) -> None:
    # Serialises invitations of one account, so one email cannot get two pending invitations.
    Account.objects.select_for_update().filter(pk=account.pk).first()


def pending_invitations(account: Account):
    return Invitation.objects.filter(
        account=account,
        accepted_at__isnull=True,
        cancelled_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


def invitation_for_secret(secret: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("account", "invited_by")
        .filter(digest=invitation_digest(secret))
        .first()
    )


@transaction.atomic
def invitation_create(
    *, account: Account, email: str, role: str, actor: Actor
) -> tuple[Invitation, str]:
    """Invite `email` to `account` with `role` and mail the link. Returns the invitation and the
    link's secret. Whether a user has this email is never looked at here: the answer must not
    tell."""
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ServiceError("Enter a valid email address.", field="email") from None
    if role not in Role.values:
        raise ServiceError(f"Choose one of {', '.join(Role.values)}.", field="role")
    _lock_account(account)
    # The admin already sees the members and invitations of their own account: no leak here.
    if Membership.objects.filter(account=account, user__email__iexact=email).exists():
        raise ServiceError(f"{email} is already a member of this account.", field="email")
    if pending_invitations(account).filter(email=email).exists():
        raise ServiceError(
            f"{email} already has a pending invitation; resend it instead.", field="email"
        )
    now = timezone.now()
    invitation = Invitation(
        account=account, email=email, role=role, invited_by=actor.user, created_at=now
    )
    secret = _new_link(invitation, now)
    invitation.save()
    audit.record(
        AuditAction.INVITATION_CREATED,
        actor=actor,
        account=account,
        target=invitation,
        changes={"email": email, "role": role},
    )
    mail.send_invitation(invitation, secret)
    return invitation, secret


def _locked(invitation: Invitation) -> Invitation:
    return (
        # Only the invitation row: PostgreSQL cannot lock the outer-joined (nullable) inviter.
        Invitation.objects.select_for_update(of=("self",))
        .select_related("account", "invited_by")
        .get(pk=invitation.pk)
    )


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: Actor) -> tuple[Invitation, str]:
    """Mail a new link (the old one stops working) valid 7 days from now. An expired invitation
    may be resent; an accepted or cancelled one may not."""
    invitation = _locked(invitation)
    if invitation.accepted_at is not None or invitation.cancelled_at is not None:
        raise ServiceError(NOT_PENDING[invitation.status], code="not_pending")
    secret = _new_link(invitation, timezone.now())
    invitation.save(update_fields=["digest", "expires_at"])
    audit.record(
        AuditAction.INVITATION_RESENT,
        actor=actor,
        account=invitation.account,
        target=invitation,
        changes={"email": invitation.email, "expires_at": invitation.expires_at.isoformat()},
    )
    mail.send_invitation(invitation, secret)
    return invitation, secret


@transaction.atomic
def invitation_cancel(*, invitation: Invitation, actor: Actor) -> Invitation:
    invitation = _locked(invitation)
    if invitation.accepted_at is not None or invitation.cancelled_at is not None:
        raise ServiceError(NOT_PENDING[invitation.status], code="not_pending")
    invitation.cancelled_at = timezone.now()
    invitation.save(update_fields=["cancelled_at"])
    audit.record(
        AuditAction.INVITATION_CANCELLED,
        actor=actor,
        account=invitation.account,
        target=invitation,
        changes={"email": invitation.email},
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User, actor: Actor) -> Membership:
    """`user` accepts: they join with the invited role, and the link is used up."""
    invitation = _locked(invitation)
    if not invitation.is_pending:
        raise ServiceError(NOT_PENDING[invitation.status], code="not_pending")
    if normalize_email(user.email) != invitation.email:
        raise ServiceError(
            f"This invitation is for another email address; you are signed in as {user.email}.",
            code="wrong_user",
        )
    membership = member_add(
        account=invitation.account, user=user, role=invitation.role, actor=actor
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        AuditAction.MEMBER_JOINED,
        actor=actor,
        account=invitation.account,
        target=membership,
        changes={
            "user": user.email,
            "role": invitation.role,
            "invitation": invitation.pk,
            "invited_by": invitation.invited_by.email if invitation.invited_by else None,
        },
    )
    return membership


@transaction.atomic
def invitation_sign_up(
    *, invitation: Invitation, name: str, password: str, actor: Actor
) -> tuple[User, Membership]:
    """Someone without a user accepts: a user with the invited email, `name` and `password`."""
    if not invitation.is_pending:
        raise ServiceError(NOT_PENDING[invitation.status], code="not_pending")
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ServiceError("Sign in with this email address to accept.", code="user_exists")
    name = (name or "").strip()
    if not name:
        raise ServiceError("Enter your name.", field="name")
    try:
        validate_password(password, User(email=invitation.email, name=name))
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="password") from None
    user = User.objects.create_user(invitation.email, password, name=name)
    actor = Actor(user=user, ip=actor.ip)
    return user, invitation_accept(invitation=invitation, user=user, actor=actor)
