"""Rotation replaces the secret and nothing else; only admins change when a token expires
(SPEC section 9)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.audit import Actor
from accounts.models import AuditEvent
from tokens import services
from tokens.models import Token

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(api, issue, admin_a, account_a):
    return api(issue(admin_a, account_a)[1])


@pytest.fixture
def agent_api(api, issue, agent_a, account_a):
    return api(issue(agent_a, account_a)[1])


def rotate(client, token, **data):
    return client.post(f"/api/v1/tokens/{token.pk}/rotate", data, format="json")


def patch(client, token, data):
    return client.patch(f"/api/v1/tokens/{token.pk}", data, format="json")


def age(token, days):
    """Pretend `token` was created `days` ago, its expiry unchanged."""
    Token.objects.filter(pk=token.pk).update(created_at=timezone.now() - timedelta(days=days))


# --- rotation ---------------------------------------------------------------------------------


def test_rotation_keeps_the_same_expiry_never_a_later_one(admin_api, issue, agent_a, account_a):
    expires_at = timezone.now() + timedelta(days=20)
    token, _ = issue(agent_a, account_a, description="CI", expires_at=expires_at)
    age(token, 340)  # a fresh lifetime would now run to now + 360 days
    response = rotate(admin_api, token)
    assert response.status_code == 201
    new = Token.objects.get(pk=response.json()["id"])
    assert new.expires_at == expires_at
    assert (new.owner, new.description, new.scopes) == (agent_a, "CI", token.scopes)
    event = AuditEvent.objects.get(action="token.rotated")
    assert event.changes["expires_at"] == expires_at.isoformat()


def test_rotation_keeps_a_token_without_expiry_without_expiry(admin_api, issue, agent_a, account_a):
    account_a.token_max_lifetime_days = None
    account_a.save()
    token, _ = issue(agent_a, account_a, expires_at=None)
    response = rotate(admin_api, token)
    assert response.status_code == 201 and response.json()["expires_at"] is None


def test_an_expired_token_cannot_be_rotated(admin_api, api, issue, agent_a, account_a):
    token, _ = issue(agent_a, account_a)
    Token.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = rotate(admin_api, token)
    assert response.status_code == 400 and response.json()["code"] == "token_expired"
    assert Token.objects.filter(owner=agent_a).count() == 1
    assert Token.objects.get(pk=token.pk).revoked_at is None
    assert not AuditEvent.objects.filter(action="token.rotated").exists()


def test_a_revoked_token_cannot_be_rotated(admin_api, issue, agent_a, admin_a, account_a):
    token, _ = issue(agent_a, account_a)
    services.token_revoke(token=token, actor=Actor(user=admin_a))
    response = rotate(admin_api, token)
    assert response.status_code == 400 and response.json()["code"] == "token_revoked"
    assert Token.objects.filter(owner=agent_a).count() == 1


def test_members_rotate_their_own_tokens_whatever_the_creation_policy(
    api, agent_api, issue, agent_a, account_a
):
    assert not account_a.members_can_create_tokens
    token, old = issue(agent_a, account_a, description="laptop")
    age(token, 300)
    response = rotate(agent_api, token, grace_seconds=0)
    assert response.status_code == 201
    assert Token.objects.get(pk=response.json()["id"]).expires_at == token.expires_at
    assert api(old).get("/api/v1/me").status_code == 401


def test_a_token_cannot_rotate_a_token_with_scopes_it_lacks(
    api, issue, admin_a, agent_a, account_a
):
    _, narrow = issue(admin_a, account_a, scopes=["tokens:read", "tokens:write"])
    token, _ = issue(agent_a, account_a, scopes=["tokens:write", "members:read"])
    response = rotate(api(narrow), token)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert Token.objects.get(pk=token.pk).revoked_at is None


# --- changing the expiry (admins only) --------------------------------------------------------


def test_an_admin_extends_a_token_within_the_maximum_counted_from_now(
    admin_api, issue, agent_a, account_a
):
    token, _ = issue(agent_a, account_a, expires_at=timezone.now() + timedelta(days=5))
    age(token, 300)
    later = timezone.now() + timedelta(days=360)
    response = patch(admin_api, token, {"expires_at": later.isoformat()})
    assert response.status_code == 200
    assert response.json()["expires_at"] == later.isoformat().replace("+00:00", "Z")
    assert Token.objects.get(pk=token.pk).expires_at == later


def test_the_expiry_change_is_audited_with_old_and_new(admin_api, issue, agent_a, account_a):
    before = timezone.now() + timedelta(days=5)
    after = timezone.now() + timedelta(days=50)
    token, _ = issue(agent_a, account_a, expires_at=before)
    patch(admin_api, token, {"expires_at": after.isoformat()})
    event = AuditEvent.objects.get(action="token.updated")
    assert event.changes == {"expires_at": [before.isoformat(), after.isoformat()]}


def test_an_expiry_beyond_the_maximum_or_in_the_past_is_refused(
    admin_api, issue, agent_a, account_a
):
    token, _ = issue(agent_a, account_a)
    too_late = timezone.now() + timedelta(days=366)
    past = timezone.now() - timedelta(minutes=1)
    for value, words in ((too_late, "365 days"), (past, "future")):
        response = patch(admin_api, token, {"expires_at": value.isoformat()})
        assert response.status_code == 400 and words in response.json()["expires_at"][0]
    assert Token.objects.get(pk=token.pk).expires_at == token.expires_at
    assert not AuditEvent.objects.filter(action="token.updated").exists()


def test_no_expiry_only_when_the_policy_allows(admin_api, issue, agent_a, account_a):
    token, _ = issue(agent_a, account_a)
    response = patch(admin_api, token, {"expires_at": None})
    assert response.status_code == 400 and "365 days" in response.json()["expires_at"][0]
    account_a.token_max_lifetime_days = None
    account_a.save()
    response = patch(admin_api, token, {"expires_at": None})
    assert response.status_code == 200 and response.json()["expires_at"] is None


def test_members_cannot_change_when_their_own_token_expires(agent_api, issue, agent_a, account_a):
    token, _ = issue(agent_a, account_a, description="mine")
    later = timezone.now() + timedelta(days=300)
    sooner = timezone.now() + timedelta(days=1)
    for data in (
        {"expires_at": later.isoformat()},
        {"expires_at": sooner.isoformat()},
        {"description": "renamed", "expires_at": later.isoformat()},
    ):
        response = patch(agent_api, token, data)
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    token.refresh_from_db()
    assert token.description == "mine"
    assert not AuditEvent.objects.filter(action="token.updated").exists()


def test_description_and_expiry_change_together_in_one_event(admin_api, issue, agent_a, account_a):
    token, _ = issue(agent_a, account_a, description="old")
    later = timezone.now() + timedelta(days=100)
    response = patch(admin_api, token, {"description": "new", "expires_at": later.isoformat()})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="token.updated")
    assert set(event.changes) == {"description", "expires_at"}


def test_a_patch_must_change_something(admin_api, issue, agent_a, account_a):
    token, _ = issue(agent_a, account_a)
    response = patch(admin_api, token, {})
    assert response.status_code == 400 and "expires_at" in response.json()["non_field_errors"][0]


def test_a_revoked_tokens_expiry_cannot_change(admin_api, issue, admin_a, agent_a, account_a):
    token, _ = issue(agent_a, account_a)
    services.token_revoke(token=token, actor=Actor(user=admin_a))
    later = timezone.now() + timedelta(days=100)
    response = patch(admin_api, token, {"expires_at": later.isoformat()})
    assert response.status_code == 400 and response.json()["code"] == "token_revoked"
