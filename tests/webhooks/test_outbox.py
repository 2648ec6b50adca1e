"""The outbox: each change that webhooks announce writes its event in the change's own
transaction, built from an allowlist of fields."""

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils.timezone import now as clock_now

from accounts import events
from accounts import services as account_services
from accounts.audit import Actor
from accounts.models import Event, Membership, Role
from notifications.sweep import sweep
from tests.factories import UserFactory
from tokens import services as token_services

pytestmark = pytest.mark.django_db


def types(account):
    return list(Event.objects.filter(account=account).values_list("type", flat=True))


def test_a_change_writes_its_event_in_its_transaction(account_a, admin_a, issue):
    token, secret = issue(admin_a, account_a, description="deploy bot")
    event = Event.objects.get(type="token.created")
    assert event.account == account_a and event.uid.startswith("msg_")
    assert event.data["token"] == {
        "id": token.pk,
        "prefix": token.prefix,
        "description": "deploy bot",
        "owner": admin_a.email,
        "scopes": token.scopes,
        "expires_at": token.expires_at.isoformat(),
    }
    assert event.data["account"] == {"id": account_a.pk, "slug": "acme"}
    assert secret not in json.dumps(event.data) and token.digest not in json.dumps(event.data)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_event_and_announces_nothing(account_a, admin_a):
    announced = []

    def listen(sender, uid, **kwargs):
        announced.append(uid)

    events.committed.connect(listen)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            token_services.token_issue(
                account=account_a, owner=admin_a, actor=Actor(user=admin_a), description="x"
            )
            assert types(account_a) == ["token.created"]
            raise RuntimeError("the change fails after its event was written")
        assert types(account_a) == []
        assert announced == []
        token_services.token_issue(
            account=account_a, owner=admin_a, actor=Actor(user=admin_a), description="y"
        )
        assert announced == [Event.objects.get(type="token.created").uid]
    finally:
        events.committed.disconnect(listen)


def test_token_lifecycle_events(account_a, admin_a, issue):
    actor = Actor(user=admin_a)
    token, _ = issue(admin_a, account_a)
    rotated = token_services.token_rotate(token=token, actor=actor).token
    token_services.token_revoke(token=rotated, actor=actor, reason="no longer needed")
    _, leaked_secret = issue(admin_a, account_a)
    token_services.tokens_revoke_leaked([leaked_secret], actor=actor)
    assert types(account_a) == [
        "token.created",
        "token.rotated",
        "token.revoked",
        "token.created",
        "token.leak_reported",
    ]
    by_type = {e.type: e.data for e in Event.objects.filter(account=account_a)}
    assert by_type["token.rotated"]["rotated_from"] == {"id": token.pk, "prefix": token.prefix}
    assert by_type["token.rotated"]["token"]["id"] == rotated.pk
    assert by_type["token.revoked"]["reason"] == "no longer needed"
    assert by_type["token.leak_reported"]["reason"] == "reported as leaked"
    everything = json.dumps([e.data for e in Event.objects.all()])
    assert leaked_secret not in everything


def test_member_and_account_events(account_a, admin_a):
    actor = Actor(user=admin_a)
    Event.objects.all().delete()
    user = UserFactory(email="new@acme.example")
    membership = account_services.member_add(
        account=account_a, user=user, role=Role.AGENT, actor=actor
    )
    account_services.member_change_role(membership=membership, role=Role.ADMIN, actor=actor)
    account_services.member_remove(membership=membership, actor=actor)
    turned_on = not account_a.token_access_enabled
    account_services.account_update(account=account_a, actor=actor, token_access_enabled=turned_on)
    account_services.account_update(account=account_a, actor=actor, name="Renamed")
    assert types(account_a) == [
        "member.joined",
        "member.role_changed",
        "member.removed",
        "account.token_access_changed",
    ]
    data = [e.data for e in Event.objects.filter(account=account_a)]
    member = {"id": membership.pk, "user_id": user.pk, "email": user.email}
    assert data[0]["member"] == member | {"role": "agent"}
    assert data[1]["member"] == member | {"role": "admin"}
    assert data[1]["previous_role"] == "agent"
    assert data[3]["token_access_enabled"] is turned_on
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_sweep_announces_expiry_once_per_stage(account_a, admin_a, issue, clock):
    token, _ = issue(admin_a, account_a, expires_at=clock_now() + timedelta(days=40))
    clock.shift(timedelta(days=11))
    sweep()
    sweep()
    expiring = Event.objects.filter(type="token.expiring")
    assert [(e.data["stage"], e.data["token"]["id"]) for e in expiring] == [
        ("expires_30d", token.pk)
    ]
    clock.shift(timedelta(days=30))
    sweep()
    assert Event.objects.filter(type="token.expired").count() == 1
