"""accounts.access: the one place that answers "may this caller do X to Y"."""

from types import SimpleNamespace

import pytest

from accounts import access as access_module
from accounts.access import (
    ALL_SCOPES,
    ROLE_SCOPES,
    Access,
    require_staff_deactivate,
    staff_may_edit_user,
)
from accounts.models import Role
from core.errors import AccessDenied
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def access(user, account, role, scopes=ALL_SCOPES):
    return Access(user=user, account=account, role=role, scopes=frozenset(scopes))


def token(account, owner, scopes=("tokens:read",)):
    return SimpleNamespace(account_id=account.pk, owner_id=owner.pk, scopes=list(scopes))


def test_role_table_is_the_spec_table():
    table = {role: set(scopes) for role, scopes in ROLE_SCOPES.items()}
    assert table == {
        Role.ADMIN: set(ALL_SCOPES),
        Role.AGENT: {"account:read", "members:read", "tokens:read", "tokens:write"},
        Role.LIGHT_AGENT: {"account:read", "tokens:read", "tokens:write"},
    }


def test_a_scope_needs_both_the_role_and_the_token(account_a, agent_a, admin_a):
    assert access(admin_a, account_a, Role.ADMIN).allows("audit:read")
    assert not access(admin_a, account_a, Role.ADMIN, {"tokens:read"}).allows("audit:read")
    assert not access(agent_a, account_a, Role.AGENT).allows("audit:read")
    with pytest.raises(AccessDenied) as role:
        access(agent_a, account_a, Role.AGENT).require("audit:read")
    with pytest.raises(AccessDenied) as scope:
        access(admin_a, account_a, Role.ADMIN, {"tokens:read"}).require("audit:read")
    assert (role.value.code, scope.value.code) == ("permission_denied", "insufficient_scope")


def test_an_unknown_role_may_do_nothing(account_a, agent_a):
    assert not any(access(agent_a, account_a, "owner").allows(s) for s in ALL_SCOPES)


def test_admins_see_every_token_of_their_account_only(account_a, account_b, admin_a, agent_a):
    admin = access(admin_a, account_a, Role.ADMIN)
    assert admin.token_filter() == {"account": account_a}
    assert admin.sees_token(token(account_a, agent_a))
    assert not admin.sees_token(token(account_b, admin_a))


def test_members_see_their_own_tokens_only(account_a, account_b, admin_a, agent_a):
    agent = access(agent_a, account_a, Role.AGENT)
    assert agent.token_filter() == {"account": account_a, "owner": agent_a}
    assert agent.sees_token(token(account_a, agent_a))
    assert not agent.sees_token(token(account_a, admin_a))
    assert not agent.sees_token(token(account_b, agent_a))


def test_members_create_their_own_tokens_only_when_the_policy_allows(account_a, agent_a, admin_a):
    agent = access(agent_a, account_a, Role.AGENT)
    assert not agent.may_create_tokens
    with pytest.raises(AccessDenied, match="only admins create tokens"):
        agent.require_token_create(owner=agent_a)
    account_a.members_can_create_tokens = True
    assert agent.may_create_tokens
    agent.require_token_create(owner=agent_a)
    with pytest.raises(AccessDenied, match="Only admins create tokens for other members"):
        agent.require_token_create(owner=admin_a)


def test_admins_create_tokens_for_anyone_but_not_without_tokens_write(account_a, admin_a, agent_a):
    access(admin_a, account_a, Role.ADMIN).require_token_create(owner=agent_a)
    reader = access(admin_a, account_a, Role.ADMIN, {"tokens:read"})
    assert not reader.may_create_tokens
    with pytest.raises(AccessDenied):
        reader.require_token_create(owner=admin_a)


def test_members_rotate_their_own_tokens_whatever_the_creation_policy(account_a, agent_a):
    assert not account_a.members_can_create_tokens
    access(agent_a, account_a, Role.AGENT).require_token_rotate(token(account_a, agent_a))


def test_a_token_cannot_rotate_a_token_with_scopes_it_lacks(account_a, admin_a, agent_a):
    narrow = access(admin_a, account_a, Role.ADMIN, {"tokens:read", "tokens:write"})
    narrow.require_token_rotate(token(account_a, agent_a, ["tokens:read"]))
    with pytest.raises(AccessDenied, match="lacks some of this token's scopes"):
        narrow.require_token_rotate(token(account_a, agent_a, ["tokens:read", "audit:read"]))


def test_nobody_changes_a_token_they_do_not_see(account_a, admin_a, agent_a, light_a):
    agent = access(agent_a, account_a, Role.AGENT)
    for check in (agent.require_token_change, agent.require_token_rotate):
        with pytest.raises(AccessDenied):
            check(token(account_a, light_a))


def test_only_admins_change_when_a_token_expires(account_a, admin_a, agent_a):
    access(admin_a, account_a, Role.ADMIN).require_token_extend(token(account_a, agent_a))
    with pytest.raises(AccessDenied, match="Only account admins"):
        access(agent_a, account_a, Role.AGENT).require_token_extend(token(account_a, agent_a))


def test_only_superusers_edit_users_or_deactivate_staff(db):
    staff = UserFactory(is_staff=True)
    root = UserFactory(is_staff=True, is_superuser=True)
    person = UserFactory()
    assert staff_may_edit_user(root) and not staff_may_edit_user(staff)
    require_staff_deactivate(staff, person)
    require_staff_deactivate(root, staff)
    with pytest.raises(AccessDenied, match="Only superusers deactivate staff users"):
        require_staff_deactivate(staff, root)


def test_the_pages_follow_the_role_table(client, monkeypatch, account_a, agent_a):
    """The audit page asks for audit:read, like the API, not for "is admin"."""
    client.force_login(agent_a)
    assert client.get("/accounts/acme/tokens/audit/").status_code == 403
    monkeypatch.setitem(
        access_module.ROLE_SCOPES, Role.AGENT, ROLE_SCOPES[Role.AGENT] | {"audit:read"}
    )
    assert client.get("/accounts/acme/tokens/audit/").status_code == 200
