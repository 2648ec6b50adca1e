"""A failure in the middle of a multi-step change leaves nothing half-written: the audit event
is written last or near last, so failing it proves every earlier row is rolled back too."""

import pytest

from accounts import audit, services
from accounts.audit import Actor
from accounts.models import Account, AuditEvent, Membership, Role, User
from tokens import services as token_services
from tokens.models import Token

pytestmark = pytest.mark.django_db


class InjectedFailure(Exception):
    pass


@pytest.fixture
def fail_on(monkeypatch):
    """fail_on(action): audit.record raises when asked to write that action."""

    def arm(action: str) -> None:
        real = audit.record

        def record(name, **kwargs):
            if name == action:
                raise InjectedFailure(name)
            return real(name, **kwargs)

        monkeypatch.setattr(audit, "record", record)

    return arm


def snapshot():
    return {
        "tokens": list(Token.objects.values_list("id", "revoked_at").order_by("id")),
        "members": list(Membership.objects.values_list("id", "role").order_by("id")),
        "users": list(User.objects.values_list("id", "is_active").order_by("id")),
        "accounts": list(Account.objects.values_list("id", "token_access_enabled").order_by("id")),
        "events": AuditEvent.objects.count(),
    }


def test_failed_rotation_keeps_the_old_token_and_makes_no_new_one(
    fail_on, issue, admin_a, account_a
):
    token, secret = issue(admin_a, account_a)
    before = snapshot()
    fail_on("token.rotated")
    with pytest.raises(InjectedFailure):
        token_services.token_rotate(token=token, actor=Actor(user=admin_a))
    assert snapshot() == before
    assert token_services.token_authenticate(secret).token.pk == token.pk


def test_failed_member_removal_keeps_the_member_and_their_tokens(
    fail_on, issue, admin_a, agent_a, account_a
):
    issue(agent_a, account_a)
    issue(agent_a, account_a)
    before = snapshot()
    fail_on("token.revoked")  # the second step: revoking the removed member's tokens
    with pytest.raises(InjectedFailure):
        services.member_remove(
            membership=Membership.objects.get(user=agent_a), actor=Actor(user=admin_a)
        )
    assert snapshot() == before


def test_failed_service_account_removal_leaves_it_active_and_a_member(
    fail_on, issue, admin_a, account_a, service_a
):
    issue(service_a, account_a)
    before = snapshot()
    fail_on("user.deactivated")  # the last step
    with pytest.raises(InjectedFailure):
        services.member_remove(
            membership=Membership.objects.get(user=service_a), actor=Actor(user=admin_a)
        )
    assert snapshot() == before


def test_failed_account_creation_leaves_no_account_and_no_user(fail_on, db):
    before = snapshot()
    fail_on("member.added")  # after the account and its first admin were created
    with pytest.raises(InjectedFailure):
        services.account_create(slug="initech", name="Initech", admin_email="bill@initech.example")
    assert snapshot() == before
    assert not User.objects.filter(email="bill@initech.example").exists()


@pytest.mark.parametrize(
    ("action", "fields"),
    [
        ("account.token_access_disabled", {"token_access_enabled": False, "name": "Renamed"}),
        ("account.updated", {"token_access_enabled": False, "name": "Renamed"}),
    ],
)
def test_failed_policy_change_changes_nothing(fail_on, admin_a, account_a, action, fields):
    before = snapshot()
    fail_on(action)
    with pytest.raises(InjectedFailure):
        services.account_update(account=account_a, actor=Actor(user=admin_a), **fields)
    assert snapshot() == before
    assert Account.objects.get(pk=account_a.pk).name == "Acme"


def test_failed_issue_and_role_change_write_nothing(fail_on, admin_a, agent_a, account_a):
    before = snapshot()
    fail_on("token.created")
    with pytest.raises(InjectedFailure):
        token_services.token_issue(
            account=account_a, owner=agent_a, description="x", actor=Actor(user=admin_a)
        )
    fail_on("member.role_changed")
    with pytest.raises(InjectedFailure):
        services.member_change_role(
            membership=Membership.objects.get(user=agent_a),
            role=Role.LIGHT_AGENT,
            actor=Actor(user=admin_a),
        )
    assert snapshot() == before
