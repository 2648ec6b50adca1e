"""The Members page, through Django's test client."""

import re

import pytest

from accounts.models import AuditEvent, Membership, Role
from people.models import Invitation, InvitationStatus
from tests.factories import MembershipFactory, UserFactory
from tokens.models import Token

pytestmark = pytest.mark.django_db

PAGE = "/accounts/acme/members/"


@pytest.fixture
def as_user(client):
    def _as(user):
        client.force_login(user)
        return client

    return _as


def membership(user):
    return Membership.objects.get(user=user)


def test_admin_sees_every_member_with_tokens_and_pending_invitations(
    as_user, admin_a, agent_a, light_a, account_a, issue, invite
):
    issue(agent_a, account_a)
    issue(agent_a, account_a)
    revoked, _ = issue(agent_a, account_a)
    revoked.revoked_at = revoked.created_at
    revoked.save()
    invite("pending@example.com")
    html = as_user(admin_a).get(PAGE).content.decode()
    for user in (admin_a, agent_a, light_a):
        assert user.email in html
    row = html.split(agent_a.email)[1].split("</tr>")[0]
    assert "<td>2</td>" in row  # active tokens only
    assert "pending@example.com" in html
    assert ">Invite member<" in html and ">Resend<" in html and ">Cancel<" in html
    assert 'aria-current="page">Members<' in html
    assert ">Audit trail<" in html and ">API tokens<" in html


def test_agent_sees_the_list_read_only_and_can_leave(as_user, admin_a, agent_a):
    response = as_user(agent_a).get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200 and admin_a.email in html
    assert "Invite member" not in html and "Change role" not in html and ">Remove<" not in html
    assert "Pending invitations" not in html and "Audit trail" not in html
    assert "Leave account" in html


def test_light_agent_sees_only_their_own_membership(as_user, admin_a, light_a):
    html = as_user(light_a).get(PAGE).content.decode()
    assert light_a.email in html and admin_a.email not in html and "Leave account" in html


def test_outsiders_get_404(as_user, admin_b, account_a):
    assert as_user(admin_b).get(PAGE).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, account_a):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_admin_invites_from_the_page(as_user, admin_a, outbox):
    client = as_user(admin_a)
    assert client.get(PAGE + "invite/").status_code == 200
    response = client.post(PAGE + "invite/", {"email": "Joe@Example.com", "role": "agent"})
    assert response.status_code == 302 and response["Location"] == PAGE
    assert Invitation.objects.get().email == "joe@example.com"
    assert len(outbox) == 1
    page = client.get(PAGE).content.decode()
    assert "Invitation sent to joe@example.com" in page


def test_the_page_answer_to_an_invite_does_not_tell_whether_the_email_is_a_user(
    as_user, admin_a, account_b
):
    client = as_user(admin_a)
    unknown = client.post(PAGE + "invite/", {"email": "who@example.com", "role": "agent"})
    unknown_page = client.get(PAGE).content
    Invitation.objects.all().delete()
    MembershipFactory(account=account_b, user=UserFactory(email="who@example.com"))
    known = client.post(PAGE + "invite/", {"email": "who@example.com", "role": "agent"})
    known_page = client.get(PAGE).content
    assert (known.status_code, known.content, known["Location"]) == (
        unknown.status_code,
        unknown.content,
        unknown["Location"],
    )
    assert _comparable(known_page) == _comparable(unknown_page)


def _comparable(page: bytes) -> bytes:
    # The invitation's id (in action URLs), its times and the CSRF token differ between the
    # two runs; none depends on the email.
    page = re.sub(rb"/invitations/\d+/", b"/invitations/N/", page)
    page = re.sub(rb'datetime="[^"]+"', b"", page)
    page = re.sub(rb"csrfmiddlewaretoken\" value=\"[^\"]+\"", b"", page)
    return re.sub(rb">[^<]*UTC<", b"><", page)


def test_invite_form_errors_are_400(as_user, admin_a, agent_a):
    client = as_user(admin_a)
    response = client.post(PAGE + "invite/", {"email": agent_a.email, "role": "agent"})
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    assert client.post(PAGE + "invite/", {"email": "bad", "role": "agent"}).status_code == 400
    assert not Invitation.objects.exists()


def test_agents_cannot_invite_or_manage(as_user, agent_a, light_a, invite):
    invitation, _ = invite("x@example.com")
    client = as_user(agent_a)
    target = membership(light_a)
    assert client.get(PAGE + "invite/").status_code == 403
    assert (
        client.post(PAGE + "invite/", {"email": "y@example.com", "role": "admin"}).status_code
        == 403
    )
    assert client.post(f"{PAGE}{target.pk}/role/", {"role": "admin"}).status_code == 403
    assert client.post(f"{PAGE}{target.pk}/remove/").status_code == 403
    assert client.post(f"/accounts/acme/invitations/{invitation.pk}/cancel/").status_code == 403
    assert Membership.objects.get(pk=target.pk).role == Role.LIGHT_AGENT
    assert Invitation.objects.get().status == InvitationStatus.PENDING


def test_admin_changes_a_role(as_user, admin_a, agent_a):
    target = membership(agent_a)
    response = as_user(admin_a).post(f"{PAGE}{target.pk}/role/", {"role": "light_agent"})
    assert response.status_code == 302
    assert Membership.objects.get(pk=target.pk).role == Role.LIGHT_AGENT
    assert AuditEvent.objects.filter(action="member.role_changed").exists()


def test_the_last_admin_cannot_be_demoted_and_is_told(as_user, admin_a):
    own = membership(admin_a)
    client = as_user(admin_a)
    response = client.post(f"{PAGE}{own.pk}/role/", {"role": "agent"}, follow=True)
    assert "at least one admin" in response.content.decode()
    assert Membership.objects.get(pk=own.pk).role == Role.ADMIN
    page = client.get(PAGE).content.decode()
    assert "The last admin" in page and "you cannot leave" in page


def test_removal_confirmation_counts_the_tokens_then_removes_and_revokes(
    as_user, admin_a, agent_a, account_a, issue
):
    token, _ = issue(agent_a, account_a)
    issue(agent_a, account_a)
    target = membership(agent_a)
    client = as_user(admin_a)
    confirm = client.get(f"{PAGE}{target.pk}/remove/").content.decode()
    assert "2 active tokens" in confirm and "will be revoked" in confirm
    assert Membership.objects.filter(pk=target.pk).exists()
    response = client.post(f"{PAGE}{target.pk}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=target.pk).exists()
    assert Token.objects.filter(owner=agent_a, revoked_at__isnull=True).count() == 0
    assert AuditEvent.objects.filter(action="member.removed", actor=admin_a).exists()


def test_a_member_of_another_account_cannot_be_removed_through_this_one(as_user, admin_a, admin_b):
    other = membership(admin_b)
    assert as_user(admin_a).post(f"{PAGE}{other.pk}/remove/").status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


def test_a_member_leaves_after_confirming(as_user, agent_a, account_a, issue):
    issue(agent_a, account_a)
    client = as_user(agent_a)
    confirm = client.get(PAGE + "leave/").content.decode()
    assert "1 active token" in confirm and "Leave account" in confirm
    response = client.post(PAGE + "leave/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert not Membership.objects.filter(user=agent_a).exists()
    assert Token.objects.get(owner=agent_a).revoked_at is not None
    assert client.get(PAGE).status_code == 404


def test_the_last_admin_cannot_leave(as_user, admin_a):
    client = as_user(admin_a)
    confirm = client.get(PAGE + "leave/").content.decode()
    assert "last admin" in confirm and "Leave account</button>" not in confirm
    response = client.post(PAGE + "leave/", follow=True)
    assert "at least one admin" in response.content.decode()
    assert Membership.objects.filter(user=admin_a).exists()


def test_admin_resends_and_cancels_an_invitation(as_user, admin_a, invite, outbox):
    invitation, _ = invite("r@example.com")
    client = as_user(admin_a)
    client.post(f"/accounts/acme/invitations/{invitation.pk}/resend/")
    assert len(outbox) == 2
    response = client.post(f"/accounts/acme/invitations/{invitation.pk}/cancel/", follow=True)
    assert "is cancelled" in response.content.decode()
    assert Invitation.objects.get().status == InvitationStatus.CANCELLED
    assert "r@example.com" not in client.get(PAGE).content.decode()


def test_the_tokens_page_links_to_members(as_user, agent_a):
    html = as_user(agent_a).get("/accounts/acme/tokens/").content.decode()
    assert 'href="/accounts/acme/members/"' in html
