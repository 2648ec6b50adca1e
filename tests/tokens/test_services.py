"""The token services' rules, called directly: who may issue what, for how long, and what each
change leaves in the audit trail. (Rotation has its own tests.)"""

from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts import services as account_services
from accounts.access import ALL_SCOPES, SCOPES, Access
from accounts.audit import SYSTEM, Actor
from accounts.models import AuditEvent, Membership, Role
from core.errors import AccessDenied, ServiceError
from tests.factories import AccountFactory, MembershipFactory, UserFactory
from tokens import crypto, services
from tokens.models import Token

pytestmark = pytest.mark.django_db


def access(user, account, role=None, scopes=ALL_SCOPES):
    role = role or Membership.objects.get(user=user, account=account).role
    return Access(user=user, account=account, role=role, scopes=frozenset(scopes))


def issue(account, owner, by=None, **kwargs):
    kwargs.setdefault("description", "deploys")
    by = by or owner
    return services.token_issue(
        account=account, owner=owner, actor=Actor(user=by), access=access(by, account), **kwargs
    )


@contextmanager
def refused(field=None, code=None):
    """pytest.raises for a ServiceError on `field` and/or with `code`."""
    with pytest.raises(ServiceError) as info:
        yield info
    assert field is None or info.value.field == field
    assert code is None or info.value.code == code


# Who may issue a token for whom.


def test_admin_issues_a_token_for_another_member(account_a, admin_a, agent_a):
    issued = issue(account_a, agent_a, by=admin_a)
    assert issued.token.owner == agent_a and issued.token.created_by == admin_a


def test_a_member_may_not_issue_for_someone_else(account_a, admin_a, agent_a):
    account_a.members_can_create_tokens = True
    account_a.save()
    with refused(code="permission_denied"):
        issue(account_a, admin_a, by=agent_a)


@pytest.mark.parametrize("allowed", [False, True])
def test_a_member_issues_their_own_only_when_the_policy_allows(account_a, agent_a, allowed):
    account_a.members_can_create_tokens = allowed
    account_a.save()
    if allowed:
        assert issue(account_a, agent_a).token.owner == agent_a
    else:
        with refused(code="permission_denied"):
            issue(account_a, agent_a)


def test_admins_issue_whatever_the_policy(account_a, admin_a):
    assert not account_a.members_can_create_tokens
    assert issue(account_a, admin_a).token.owner == admin_a


def test_the_operators_command_line_is_not_limited_by_a_role(account_a, agent_a):
    issued = services.token_issue(
        account=account_a, owner=agent_a, description="cli", actor=SYSTEM, access=None
    )
    assert issued.token.created_by is None and issued.token.scopes == list(SCOPES)


def test_issuing_to_a_deactivated_owner_is_refused(account_a, admin_a, agent_a):
    agent_a.is_active = False
    agent_a.save()
    with refused(field="owner_id"):
        issue(account_a, agent_a, by=admin_a)
    assert not Token.objects.exists()


def test_issuing_to_someone_outside_the_account_is_refused(account_a, admin_a, admin_b):
    with refused(field="owner_id"):
        issue(account_a, admin_b, by=admin_a)


# Description, scopes and expiry.


@pytest.mark.parametrize("description", ["", "   ", None, "x" * 201])
def test_a_missing_or_overlong_description_is_refused(account_a, admin_a, description):
    with refused(field="description"):
        issue(account_a, admin_a, description=description)


def test_the_description_is_stripped_and_may_be_200_characters(account_a, admin_a):
    assert issue(account_a, admin_a, description=" CI ").token.description == "CI"
    assert issue(account_a, admin_a, description="x" * 200).token.description == "x" * 200


def test_scopes_default_to_everything_the_caller_may_grant(account_a, admin_a):
    by_token = access(admin_a, account_a, scopes={"tokens:read", "tokens:write", "audit:read"})
    issued = services.token_issue(
        account=account_a,
        owner=admin_a,
        description="d",
        actor=Actor(user=admin_a),
        access=by_token,
    )
    assert issued.token.scopes == ["tokens:read", "tokens:write", "audit:read"]


def test_scopes_are_stored_in_the_canonical_order_without_repeats(account_a, admin_a):
    scopes = ["audit:read", "account:read", "audit:read"]
    assert issue(account_a, admin_a, scopes=scopes).token.scopes == ["account:read", "audit:read"]


@pytest.mark.parametrize(
    ("scopes", "message"),
    [([], "Choose at least one scope."), (["tokens:read", "root", "x"], "Unknown scope: root, x.")],
)
def test_no_scope_or_an_unknown_one_is_refused(account_a, admin_a, scopes, message):
    with refused(field="scopes") as info:
        issue(account_a, admin_a, scopes=scopes)
    assert info.value.message == message


def test_a_token_cannot_grant_scopes_it_lacks(account_a, admin_a):
    by_token = access(admin_a, account_a, scopes={"tokens:read", "tokens:write"})
    with refused(field="scopes") as info:
        services.token_issue(
            account=account_a,
            owner=admin_a,
            description="d",
            actor=Actor(user=admin_a),
            access=by_token,
            scopes=["tokens:read", "members:write", "audit:read"],
        )
    assert "lacks audit:read, members:write" in info.value.message


def test_expiry_defaults_to_the_accounts_maximum_lifetime(account_a, admin_a):
    before = timezone.now()
    token = issue(account_a, admin_a).token
    assert token.expires_at == token.created_at + timedelta(days=365)
    assert before <= token.created_at <= timezone.now()


def test_without_a_maximum_lifetime_the_default_is_no_expiry(account_a, admin_a):
    account_a.token_max_lifetime_days = None
    account_a.save()
    assert issue(account_a, admin_a).token.expires_at is None
    assert issue(account_a, admin_a, expires_at=None).token.expires_at is None


def test_no_expiry_is_refused_while_the_account_has_a_maximum(account_a, admin_a):
    with refused(field="expires_at") as info:
        issue(account_a, admin_a, expires_at=None)
    assert "within 365 days" in info.value.message


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(seconds=-1)])
def test_an_expiry_now_or_in_the_past_is_refused(account_a, admin_a, offset):
    with refused(field="expires_at"):
        issue(account_a, admin_a, expires_at=timezone.now() + offset)


def test_an_expiry_beyond_the_maximum_is_refused_and_up_to_it_accepted(account_a, admin_a):
    account_a.token_max_lifetime_days = 30
    account_a.save()
    with refused(field="expires_at") as info:
        issue(account_a, admin_a, expires_at=timezone.now() + timedelta(days=30, minutes=1))
    assert "at most 30 days" in info.value.message
    soon = timezone.now() + timedelta(days=29, hours=23)
    assert issue(account_a, admin_a, expires_at=soon).token.expires_at == soon


def test_max_expiry():
    now = timezone.now()
    assert services.max_expiry(AccountFactory.build(token_max_lifetime_days=7), now) == now + (
        timedelta(days=7)
    )
    assert services.max_expiry(AccountFactory.build(token_max_lifetime_days=None), now) is None


# What a new token stores and records.


def test_only_the_digest_and_prefix_are_stored(account_a, admin_a):
    issued = issue(account_a, admin_a)
    assert crypto.is_well_formed(issued.secret)
    assert issued.token.digest == crypto.digest(issued.secret)
    assert issued.token.prefix == issued.secret[:12]
    assert not Token.objects.filter(digest=issued.secret).exists()


def test_issuing_records_one_event_without_the_secret(account_a, admin_a, agent_a):
    issued = issue(account_a, agent_a, by=admin_a, description="CI", scopes=["tokens:read"])
    event = AuditEvent.objects.get(action="token.created")
    assert event.actor == admin_a and event.account == account_a
    assert event.target_id == str(issued.token.pk)
    assert event.changes == {
        "owner": agent_a.email,
        "description": "CI",
        "scopes": ["tokens:read"],
        "expires_at": issued.token.expires_at.isoformat(),
    }
    assert issued.secret not in str(event.changes) + event.target_repr


def test_a_refused_issue_writes_nothing(account_a, admin_a):
    with refused():
        issue(account_a, admin_a, scopes=["nope"])
    assert not Token.objects.exists() and not AuditEvent.objects.filter(action="token.created")


# Update, revoke, record use, leaks.


def test_update_changes_the_description_with_an_event(account_a, admin_a):
    token = issue(account_a, admin_a, description="old").token
    services.token_update(token=token, description=" new ", actor=Actor(user=admin_a))
    token.refresh_from_db()
    assert token.description == "new"
    event = AuditEvent.objects.get(action="token.updated")
    assert event.changes == {"description": ["old", "new"]}


def test_update_to_the_same_description_writes_nothing(account_a, admin_a):
    token = issue(account_a, admin_a, description="same").token
    services.token_update(token=token, description="same ", actor=SYSTEM)
    assert not AuditEvent.objects.filter(action="token.updated").exists()


def test_update_refuses_an_empty_description(account_a, admin_a):
    token = issue(account_a, admin_a).token
    with refused(field="description"):
        services.token_update(token=token, description=" ", actor=SYSTEM)


def test_revoke_once_with_an_event_then_false(account_a, admin_a):
    token = issue(account_a, admin_a).token
    assert services.token_revoke(token=token, actor=Actor(user=admin_a), reason="lost")
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin_a
    event = AuditEvent.objects.get(action="token.revoked")
    assert event.changes == {"reason": "lost"} and event.actor == admin_a
    assert not services.token_revoke(token=token, actor=Actor(user=admin_a))
    assert AuditEvent.objects.filter(action="token.revoked").count() == 1


def test_revoke_by_the_system_names_no_revoker(account_a, admin_a):
    token = issue(account_a, admin_a).token
    assert services.token_revoke(token=token, actor=SYSTEM)
    token.refresh_from_db()
    assert token.revoked_by is None
    assert AuditEvent.objects.get(action="token.revoked").changes == {}


def test_revoke_all_revokes_only_the_active_ones_and_counts_them(account_a, admin_a):
    first, second, third = (issue(account_a, admin_a).token for _ in range(3))
    services.token_revoke(token=first, actor=SYSTEM)
    count = services.tokens_revoke_all(
        tokens=Token.objects.filter(account=account_a), actor=SYSTEM, reason="offboarding"
    )
    assert count == 2
    assert not Token.objects.active().exists()
    assert AuditEvent.objects.filter(changes__reason="offboarding").count() == 2


def test_record_use_writes_at_most_once_per_interval(account_a, admin_a, settings):
    settings.TOKEN_LAST_USED_INTERVAL = 60
    token = issue(account_a, admin_a).token
    services.token_record_use(token, ip="10.0.0.1")
    first = Token.objects.get(pk=token.pk).last_used_at
    assert first is not None and token.last_used_at == first
    services.token_record_use(token, ip="10.0.0.2")
    assert Token.objects.get(pk=token.pk).last_used_ip == "10.0.0.1"
    token.last_used_at = timezone.now() - timedelta(seconds=59)
    Token.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at)
    services.token_record_use(token, ip="10.0.0.2")
    assert Token.objects.get(pk=token.pk).last_used_ip == "10.0.0.1"
    token.last_used_at = timezone.now() - timedelta(seconds=60)
    Token.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at)
    services.token_record_use(token, ip="10.0.0.2")
    assert Token.objects.get(pk=token.pk).last_used_ip == "10.0.0.2"


def test_record_use_writes_again_exactly_one_interval_later(account_a, admin_a, settings):
    settings.TOKEN_LAST_USED_INTERVAL = 60
    token = issue(account_a, admin_a).token
    with time_machine.travel(timezone.now(), tick=False):
        token.last_used_at = timezone.now() - timedelta(seconds=60)
        Token.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at)
        services.token_record_use(token, ip="10.0.0.3")
    assert Token.objects.get(pk=token.pk).last_used_ip == "10.0.0.3"


def test_record_use_touches_only_its_own_token(account_a, admin_a):
    token, other = issue(account_a, admin_a).token, issue(account_a, admin_a).token
    services.token_record_use(token, ip="10.0.0.1")
    assert Token.objects.get(pk=other.pk).last_used_at is None


def test_record_use_skips_the_write_when_another_request_just_wrote(account_a, admin_a):
    token = issue(account_a, admin_a).token
    Token.objects.filter(pk=token.pk).update(last_used_at=timezone.now(), last_used_ip="10.9.9.9")
    services.token_record_use(token, ip="10.0.0.1")  # this instance has not seen that write
    assert Token.objects.get(pk=token.pk).last_used_ip == "10.9.9.9"


def test_leaked_tokens_are_revoked_once_and_junk_is_ignored(
    account_a, admin_a, django_assert_num_queries
):
    leaked = issue(account_a, admin_a)
    kept = issue(account_a, admin_a)
    with django_assert_num_queries(0):
        services.tokens_revoke_leaked(["junk", leaked.secret[:-1]], actor=SYSTEM)
    services.tokens_revoke_leaked([leaked.secret, leaked.secret, "junk"], actor=SYSTEM)
    with django_assert_num_queries(1):  # already revoked: found by nothing
        services.tokens_revoke_leaked([leaked.secret], actor=SYSTEM)
    assert Token.objects.get(pk=leaked.token.pk).revoked_at is not None
    assert Token.objects.get(pk=kept.token.pk).revoked_at is None
    event = AuditEvent.objects.get(action="token.leak_reported")
    assert event.changes == {"reason": "reported as leaked"}


# What a caller may do: the role table, then the token's scopes.


def test_a_role_without_the_scope_is_refused_with_its_own_message(account_a, light_a):
    with pytest.raises(AccessDenied) as info:
        access(light_a, account_a).require("members:read")
    assert info.value.message == "Your role (light_agent) does not allow members:read."
    assert info.value.code == "permission_denied"


def test_a_token_without_the_scope_is_refused_with_its_own_message(account_a, admin_a):
    with pytest.raises(AccessDenied) as info:
        access(admin_a, account_a, scopes={"tokens:read"}).require("audit:read")
    assert info.value.message == "This token lacks the audit:read scope."
    assert info.value.code == "insufficient_scope"


def test_an_unknown_role_may_do_nothing(account_a, admin_a):
    with pytest.raises(AccessDenied):
        access(admin_a, account_a, role="owner").require("account:read")


# Member rules that tokens depend on.


def test_a_deactivated_admin_does_not_count_as_the_remaining_admin(account_a, admin_a):
    other = MembershipFactory(account=account_a, role=Role.ADMIN).user
    account_services.user_deactivate(user=other, actor=SYSTEM)
    membership = Membership.objects.get(user=admin_a, account=account_a)
    with refused(code="last_admin"):
        account_services.member_change_role(membership=membership, role="agent", actor=SYSTEM)
    with refused(code="last_admin"):
        account_services.member_remove(membership=membership, actor=SYSTEM)


def test_adding_a_deactivated_user_is_refused(account_a):
    user = UserFactory(is_active=False)
    with refused(field="email"):
        account_services.member_add(account=account_a, user=user, role="agent", actor=SYSTEM)
    assert not Membership.objects.filter(user=user).exists()
