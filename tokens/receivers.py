"""Tokens follow their owner: removed from the account or deleted, the owner's tokens are
revoked (the rows stay for the audit trail)."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from accounts.audit import SYSTEM
from accounts.models import User
from accounts.signals import membership_removed
from tokens.models import Token
from tokens.services import tokens_revoke_all


@receiver(membership_removed)
def revoke_removed_members_tokens(sender, membership, actor, **kwargs):
    tokens = Token.objects.filter(account_id=membership.account_id, owner_id=membership.user_id)
    tokens_revoke_all(tokens=tokens, actor=actor, reason="owner removed from the account")


@receiver(pre_delete, sender=User)
def revoke_deleted_users_tokens(sender, instance, **kwargs):
    tokens_revoke_all(
        tokens=Token.objects.filter(owner=instance), actor=SYSTEM, reason="owner deleted"
    )
