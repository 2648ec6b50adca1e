"""accounts.audit: one writer of the trail, over a closed list of actions."""

import re

import pytest

from accounts import audit
from accounts.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

SPEC_NAMES = {
    # SPEC section 3
    "token.created",
    "token.updated",
    "token.revoked",
    "token.rotated",
    "token.leak_reported",
    "account.updated",
    "account.token_access_enabled",
    "account.token_access_disabled",
    "member.added",
    "member.role_changed",
    "member.removed",
    "user.deactivated",
    # SPEC sections 8 and 10 (wave 2)
    "token.expiring",
    "token.expired",
    "member.joined",
    "invitation.created",
    "invitation.resent",
    "invitation.cancelled",
}


def test_the_closed_list_holds_every_name_the_spec_gives():
    assert set(AuditAction.values) >= SPEC_NAMES
    assert all(re.fullmatch(r"[a-z]+\.[a-z_]+", name) for name in AuditAction.values)


def test_an_unknown_action_is_refused_and_nothing_is_written(account_a):
    with pytest.raises(ValueError, match="token.deleted"):
        audit.record("token.deleted", account=account_a)
    assert not AuditEvent.objects.exists()


def test_a_listed_action_is_written(account_a):
    event = audit.record(AuditAction.ACCOUNT_UPDATED, account=account_a, target=account_a)
    assert AuditEvent.objects.get().action == "account.updated" == event.action
