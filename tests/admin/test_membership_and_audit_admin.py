"""Memberships and the audit trail in the admin: superusers manage members through the services;
support staff only read both."""

import pytest

from accounts.models import AuditEvent, Membership, Role
from tests.factories import UserFactory

MEMBERS = "/admin/accounts/membership/"
EVENTS = "/admin/accounts/auditevent/"


def membership_url(membership: Membership, page: str = "change") -> str:
    return f"{MEMBERS}{membership.pk}/{page}/"


@pytest.mark.parametrize("who", ["staff_client", "superuser_client"])
def test_membership_list_search_and_filter(
    request, changelist_rows, admin_a, agent_a, admin_b, who
):
    client = request.getfixturevalue(who)
    assert len(changelist_rows(client.get(MEMBERS))) == 3
    assert [m.user for m in changelist_rows(client.get(MEMBERS, {"q": "globex"}))] == [admin_b]
    assert [m.user for m in changelist_rows(client.get(MEMBERS, {"q": "agent@"}))] == [agent_a]
    rows = changelist_rows(client.get(MEMBERS, {"role__exact": Role.ADMIN}))
    assert {m.user for m in rows} == {admin_a, admin_b}


def test_superuser_changes_a_role_through_the_service(superuser_client, superuser, agent_a):
    membership = agent_a.memberships.get()
    response = superuser_client.post(membership_url(membership), {"role": Role.LIGHT_AGENT})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="member.role_changed")
    assert event.actor == superuser and event.changes["role"] == ["agent", "light_agent"]


def test_superuser_adds_a_member_through_the_service(superuser_client, superuser, account_a):
    user = UserFactory(email="new@acme.example")
    response = superuser_client.post(
        f"{MEMBERS}add/", {"user": user.pk, "account": account_a.pk, "role": Role.AGENT}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=user, account=account_a, role=Role.AGENT).exists()
    assert AuditEvent.objects.get(action="member.added").actor == superuser


def test_a_second_membership_is_refused_with_a_message(superuser_client, agent_a, account_a):
    response = superuser_client.post(
        f"{MEMBERS}add/", {"user": agent_a.pk, "account": account_a.pk, "role": Role.ADMIN}
    )
    assert response.status_code == 200
    assert "already a member" in response.content.decode()


def test_the_last_admin_can_be_neither_demoted_nor_removed(superuser_client, admin_a):
    membership = admin_a.memberships.get()
    response = superuser_client.post(membership_url(membership), {"role": Role.AGENT})
    assert response.status_code == 200
    assert "at least one admin" in response.content.decode()
    assert superuser_client.get(membership_url(membership, "delete")).status_code == 403
    assert Membership.objects.get(pk=membership.pk).role == Role.ADMIN


def test_superuser_removes_a_member_through_the_service(superuser_client, agent_a):
    membership = agent_a.memberships.get()
    response = superuser_client.post(membership_url(membership, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="member.removed").exists()


def test_staff_only_read_memberships(staff_client, agent_a, account_a):
    membership = agent_a.memberships.get()
    assert staff_client.get(membership_url(membership)).status_code == 200
    assert staff_client.post(membership_url(membership), {"role": "admin"}).status_code == 403
    assert staff_client.get(membership_url(membership, "delete")).status_code == 403
    assert staff_client.get(f"{MEMBERS}add/").status_code == 403
    assert Membership.objects.get(pk=membership.pk).role == Role.AGENT


@pytest.mark.parametrize("who", ["staff_client", "superuser_client"])
def test_audit_trail_list_search_and_filters(
    request, changelist_rows, issue, agent_a, admin_b, account_a, account_b, who
):
    client = request.getfixturevalue(who)
    token, _ = issue(agent_a, account_a, description="CI deploys")
    issue(admin_b, account_b)
    assert len(changelist_rows(client.get(EVENTS))) == 2
    rows = changelist_rows(client.get(EVENTS, {"account__id__exact": account_a.pk}))
    assert [e.target_id for e in rows] == [str(token.pk)]
    assert [e.account for e in changelist_rows(client.get(EVENTS, {"q": "globex"}))] == [account_b]
    rows = changelist_rows(client.get(EVENTS, {"q": token.prefix}))
    assert [e.target_id for e in rows] == [str(token.pk)]
    assert len(changelist_rows(client.get(EVENTS, {"action__exact": "token.created"}))) == 2
    assert changelist_rows(client.get(EVENTS, {"action__exact": "token.revoked"})) == []


@pytest.mark.parametrize("who", ["staff_client", "superuser_client"])
def test_audit_events_are_read_only_for_everyone(request, issue, agent_a, account_a, who):
    client = request.getfixturevalue(who)
    issue(agent_a, account_a)
    event = AuditEvent.objects.get(action="token.created")
    page = client.get(f"{EVENTS}{event.pk}/change/")
    assert page.status_code == 200 and "token.created" in page.content.decode()
    assert client.post(f"{EVENTS}{event.pk}/change/", {"action": "forged"}).status_code == 403
    assert client.get(f"{EVENTS}{event.pk}/delete/").status_code == 403
    assert client.post(f"{EVENTS}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{EVENTS}add/").status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "token.created"
