"""/api/v1/invitations and leaving through DELETE /api/v1/members/{id}."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent, Membership, Role
from people.models import Invitation, InvitationStatus
from tests.factories import UserFactory
from tokens.models import Token

pytestmark = pytest.mark.django_db

URL = "/api/v1/invitations"


@pytest.fixture
def admin_api(api, issue, admin_a, account_a):
    return api(issue(admin_a, account_a)[1])


def test_invite_answers_201_with_the_invitation(admin_api, admin_a, outbox):
    response = admin_api.post(URL, {"email": "New@Example.com", "role": "agent"}, format="json")
    assert response.status_code == 201
    body = response.json()
    invitation = Invitation.objects.get()
    assert body == {
        "id": invitation.pk,
        "email": "new@example.com",
        "role": "agent",
        "status": "pending",
        "invited_by": {"id": admin_a.pk, "email": admin_a.email, "name": admin_a.name},
        "created_at": body["created_at"],
        "expires_at": body["expires_at"],
    }
    assert "digest" not in response.content.decode() and invitation.digest not in str(body)
    assert len(outbox) == 1


def test_the_answer_to_an_invite_is_the_same_whether_or_not_the_email_is_a_user(
    admin_api, account_b
):
    """Byte for byte, headers included; only the new row's id may differ (a database sequence
    is not rolled back)."""

    def invite_and_roll_back():
        with time_machine.travel("2026-05-01 12:00:00+00:00", tick=False), transaction.atomic():
            response = admin_api.post(
                URL, {"email": "maybe@example.com", "role": "agent"}, format="json"
            )
            pk = Invitation.objects.get().pk
            transaction.set_rollback(True)
        # The rate-limit count moves with each request of the one token, whatever the email.
        varying = ("date", "x-request-id", "ratelimit-remaining")
        headers = {k: v for k, v in response.items() if k.lower() not in varying}
        return re.sub(rb'^\{"id":\d+,', b"{", response.content), headers, pk

    unknown = invite_and_roll_back()
    UserFactory(email="maybe@example.com")  # now a user, elsewhere
    known = invite_and_roll_back()
    assert known[0] == unknown[0] and known[1] == unknown[1]
    assert b'"email":"maybe@example.com"' in known[0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "x@example.com"}, "role"),
        ({"email": "x@example.com", "role": "owner"}, "role"),
        ({"email": "nope", "role": "agent"}, "email"),
        ({"role": "agent"}, "email"),
    ],
)
def test_invite_refuses_bad_input_with_field_errors(admin_api, payload, field):
    response = admin_api.post(URL, payload, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Invitation.objects.exists()


def test_inviting_a_member_or_a_pending_email_is_400(admin_api, agent_a):
    response = admin_api.post(URL, {"email": agent_a.email, "role": "agent"}, format="json")
    assert response.status_code == 400
    assert "already a member" in response.json()["email"][0]
    admin_api.post(URL, {"email": "p@example.com", "role": "agent"}, format="json")
    again = admin_api.post(URL, {"email": "p@example.com", "role": "admin"}, format="json")
    assert again.status_code == 400 and "pending" in again.json()["email"][0]


def test_agents_list_but_cannot_invite(api, issue, agent_a, light_a, account_a, invite):
    invite("listed@example.com")
    agent = api(issue(agent_a, account_a)[1])
    assert [i["email"] for i in agent.get(URL).json()["results"]] == ["listed@example.com"]
    response = agent.post(URL, {"email": "x@example.com", "role": "agent"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    light = api(issue(light_a, account_a)[1])
    assert light.get(URL).status_code == 403


def test_an_admin_token_without_members_write_cannot_invite(api, issue, admin_a, account_a):
    token = api(issue(admin_a, account_a, scopes=["members:read"])[1])
    response = token.post(URL, {"email": "x@example.com", "role": "agent"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "insufficient_scope"


def test_cancel_and_resend(admin_api, invite, outbox):
    invitation, _ = invite("c@example.com")
    resent = admin_api.post(f"{URL}/{invitation.pk}/resend")
    assert resent.status_code == 200 and resent.json()["status"] == "pending"
    assert len(outbox) == 2
    assert admin_api.delete(f"{URL}/{invitation.pk}").status_code == 204
    assert admin_api.get(f"{URL}/{invitation.pk}").json()["status"] == "cancelled"
    again = admin_api.delete(f"{URL}/{invitation.pk}")
    assert again.status_code == 400 and again.json()["code"] == "not_pending"
    assert admin_api.post(f"{URL}/{invitation.pk}/resend").status_code == 400


def test_an_expired_invitation_shows_as_expired(admin_api, invite):
    invitation, _ = invite("e@example.com")
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert admin_api.get(f"{URL}/{invitation.pk}").json()["status"] == "expired"


def test_another_accounts_invitation_is_404(api, issue, admin_b, account_b, invite):
    invitation, _ = invite("a@example.com")
    other = api(issue(admin_b, account_b)[1])
    assert other.get(URL).json()["count"] == 0
    for response in (
        other.get(f"{URL}/{invitation.pk}"),
        other.delete(f"{URL}/{invitation.pk}"),
        other.post(f"{URL}/{invitation.pk}/resend"),
    ):
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert Invitation.objects.get().status == InvitationStatus.PENDING


# --- leaving ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["agent_a", "light_a"])
def test_any_member_may_leave_and_their_tokens_stop(request, api, issue, account_a, persona):
    user = request.getfixturevalue(persona)
    token, secret = issue(user, account_a, scopes=["tokens:read"])
    membership = Membership.objects.get(user=user, account=account_a)
    client = api(secret)
    assert client.delete(f"/api/v1/members/{membership.pk}").status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert Token.objects.get(pk=token.pk).revoked_at is not None
    assert client.get("/api/v1/me").status_code == 401
    event = AuditEvent.objects.get(action="member.removed")
    assert event.actor == user and event.changes["user"] == user.email


def test_a_member_cannot_remove_someone_else(api, issue, agent_a, light_a, account_a):
    other = Membership.objects.get(user=light_a)
    response = api(issue(agent_a, account_a)[1]).delete(f"/api/v1/members/{other.pk}")
    assert response.status_code == 403
    assert Membership.objects.filter(pk=other.pk).exists()


def test_the_last_human_admin_cannot_leave(admin_api, admin_a):
    own = Membership.objects.get(user=admin_a)
    response = admin_api.delete(f"/api/v1/members/{own.pk}")
    assert response.status_code == 400 and response.json()["code"] == "last_admin"
    assert Membership.objects.filter(pk=own.pk).exists()


def test_an_admin_may_leave_when_another_admin_remains(admin_api, admin_a, account_a):
    other_admin = Membership.objects.create(account=account_a, user=UserFactory(), role=Role.ADMIN)
    own = Membership.objects.get(user=admin_a)
    assert admin_api.delete(f"/api/v1/members/{own.pk}").status_code == 204
    assert other_admin.account.memberships.count() == 1
