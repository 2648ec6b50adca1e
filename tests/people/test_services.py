"""The invitation rules, through the services."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.audit import Actor
from accounts.models import AuditEvent, Membership, Role, User
from core.errors import ServiceError
from people import services
from people.models import Invitation, InvitationStatus, invitation_digest
from tests.factories import MembershipFactory, UserFactory
from tests.people.conftest import link_secret

pytestmark = pytest.mark.django_db


def test_an_invitation_stores_only_a_digest_and_mails_the_link(invite, outbox, settings):
    settings.SITE_URL = "https://portal.example"
    invitation, secret = invite("New.Person@Example.com", Role.LIGHT_AGENT)
    assert invitation.email == "new.person@example.com"
    assert invitation.status == InvitationStatus.PENDING
    assert invitation.digest == invitation_digest(secret) and secret not in invitation.digest
    assert not Invitation.objects.filter(digest=secret).exists()
    [message] = outbox
    assert message.to == ["new.person@example.com"]
    assert f"https://portal.example/invitations/{secret}/" in message.body
    assert "Acme" in message.subject and "light agent" in message.body


def test_an_invitation_is_valid_seven_days(invite):
    invitation, _ = invite("someone@example.com")
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    with time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)):
        assert invitation.status == InvitationStatus.EXPIRED


def test_inviting_adds_nobody_and_creates_no_user(invite, account_a):
    members_before = Membership.objects.count()
    invite("stranger@example.com")
    assert Membership.objects.count() == members_before
    assert not User.objects.filter(email="stranger@example.com").exists()


def test_inviting_an_existing_user_adds_nobody_either(invite, account_a, admin_b):
    invite(admin_b.email)
    assert not Membership.objects.filter(account=account_a, user=admin_b).exists()


def test_inviting_a_member_or_a_pending_email_is_refused(invite, agent_a):
    with pytest.raises(ServiceError, match="already a member") as exc:
        invite(agent_a.email.upper())
    assert exc.value.field == "email"
    invite("twice@example.com")
    with pytest.raises(ServiceError, match="pending invitation"):
        invite("Twice@example.com")
    assert Invitation.objects.filter(email="twice@example.com").count() == 1


def test_an_expired_or_cancelled_invitation_does_not_block_a_new_one(invite, admin_a):
    first, _ = invite("again@example.com")
    services.invitation_cancel(invitation=first, actor=Actor(user=admin_a))
    second, _ = invite("again@example.com")
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        third, _ = invite("again@example.com")
    assert len({first.pk, second.pk, third.pk}) == 3


@pytest.mark.parametrize(
    ("email", "role", "field"),
    [("not-an-email", Role.AGENT, "email"), ("a@example.com", "owner", "role")],
)
def test_bad_input_is_refused_with_the_field(invite, email, role, field):
    with pytest.raises(ServiceError) as exc:
        invite(email, role)
    assert exc.value.field == field
    assert not Invitation.objects.exists()


def test_resend_mails_a_new_link_and_the_old_one_stops(invite, admin_a, outbox):
    invitation, old = invite("resend@example.com")
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        resent, new = services.invitation_resend(invitation=invitation, actor=Actor(user=admin_a))
        assert resent.expires_at > timezone.now() + timedelta(days=6, hours=23)
    assert new != old
    assert services.invitation_for_secret(old) is None
    assert services.invitation_for_secret(new).pk == invitation.pk
    assert [link_secret(m) for m in outbox] == [old, new]


def test_an_expired_invitation_can_be_resent(invite, admin_a):
    invitation, _ = invite("late@example.com")
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        resent, _ = services.invitation_resend(invitation=invitation, actor=Actor(user=admin_a))
        assert resent.status == InvitationStatus.PENDING


def test_a_cancelled_or_used_invitation_cannot_be_resent_or_cancelled(invite, admin_a):
    invitation, _ = invite("done@example.com")
    services.invitation_cancel(invitation=invitation, actor=Actor(user=admin_a))
    for change in (services.invitation_resend, services.invitation_cancel):
        with pytest.raises(ServiceError, match="cancelled"):
            change(invitation=invitation, actor=Actor(user=admin_a))


def test_an_existing_user_accepts_and_joins_with_the_role(invite, account_a, admin_b):
    invitation, _ = invite(admin_b.email, Role.LIGHT_AGENT)
    membership = services.invitation_accept(
        invitation=invitation, user=admin_b, actor=Actor(user=admin_b)
    )
    assert membership.account == account_a and membership.role == Role.LIGHT_AGENT
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.accepted_by == admin_b


def test_a_link_works_once(invite, admin_b):
    invitation, _ = invite(admin_b.email)
    services.invitation_accept(invitation=invitation, user=admin_b, actor=Actor(user=admin_b))
    with pytest.raises(ServiceError, match="already been used"):
        services.invitation_accept(invitation=invitation, user=admin_b, actor=Actor(user=admin_b))


def test_someone_else_cannot_accept(invite, account_a, admin_b):
    invitation, _ = invite("intended@example.com")
    with pytest.raises(ServiceError, match="another email") as exc:
        services.invitation_accept(invitation=invitation, user=admin_b, actor=Actor(user=admin_b))
    assert exc.value.code == "wrong_user"
    assert not Membership.objects.filter(account=account_a, user=admin_b).exists()
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING


def test_an_expired_invitation_cannot_be_accepted(invite, admin_b):
    invitation, _ = invite(admin_b.email)
    later = time_machine.travel(timezone.now() + timedelta(days=8))
    with later, pytest.raises(ServiceError, match="expired"):
        services.invitation_accept(invitation=invitation, user=admin_b, actor=Actor(user=admin_b))


def test_sign_up_creates_the_user_with_a_checked_password(invite, account_a):
    invitation, _ = invite("newcomer@example.com")
    with pytest.raises(ServiceError) as exc:
        services.invitation_sign_up(
            invitation=invitation, name="New Comer", password="password", actor=Actor()
        )
    assert exc.value.field == "password"
    assert not User.objects.filter(email="newcomer@example.com").exists()
    user, membership = services.invitation_sign_up(
        invitation=invitation, name="New Comer", password="a long unusual phrase", actor=Actor()
    )
    assert user.check_password("a long unusual phrase") and user.name == "New Comer"
    assert membership.account == account_a and membership.user == user


def test_sign_up_is_refused_when_the_email_has_a_user(invite):
    existing = UserFactory(email="taken@example.com")
    invitation, _ = invite("taken@example.com")
    with pytest.raises(ServiceError, match="Sign in"):
        services.invitation_sign_up(
            invitation=invitation, name="X", password="a long unusual phrase", actor=Actor()
        )
    assert not existing.memberships.exists()


def test_a_failed_sign_up_keeps_nothing(invite, monkeypatch):
    invitation, _ = invite("fails@example.com")

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "member_add", broken)
    with pytest.raises(RuntimeError):
        services.invitation_sign_up(
            invitation=invitation, name="X", password="a long unusual phrase", actor=Actor()
        )
    assert not User.objects.filter(email="fails@example.com").exists()
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING


def test_a_mail_server_that_refuses_leaves_no_invitation(invite, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on discard
    with pytest.raises(ServiceError, match="could not be sent") as exc:
        invite("unlucky@example.com")
    assert exc.value.code == "email_failed"
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(action="invitation.created").exists()


def test_every_step_writes_its_audit_event(invite, admin_a, account_a):
    person = UserFactory(email="person@example.com")
    invitation, secret = invite(person.email, Role.AGENT)
    services.invitation_resend(invitation=invitation, actor=Actor(user=admin_a))
    services.invitation_accept(invitation=invitation, user=person, actor=Actor(user=person))
    other, _ = invite("other@example.com")
    services.invitation_cancel(invitation=other, actor=Actor(user=admin_a))
    events = list(AuditEvent.objects.filter(account=account_a).order_by("id"))
    actions = [(e.action, e.actor_email) for e in events if e.action != "member.added"]
    assert actions[-5:] == [
        ("invitation.created", admin_a.email),
        ("invitation.resent", admin_a.email),
        ("member.joined", person.email),
        ("invitation.created", admin_a.email),
        ("invitation.cancelled", admin_a.email),
    ]
    joined = next(e for e in events if e.action == "member.joined")
    assert joined.changes == {
        "user": person.email,
        "role": "agent",
        "invitation": invitation.pk,
        "invited_by": admin_a.email,
    }
    assert all(secret not in str(e.changes) for e in events)


def test_a_service_account_cannot_be_invited_elsewhere(invite, account_b):
    service = MembershipFactory(
        account=account_b,
        user=UserFactory(email="bot@globex.service.invalid", is_service_account=True),
    ).user
    invitation, _ = invite(service.email)
    with pytest.raises(ServiceError, match="exactly one account"):
        services.invitation_accept(invitation=invitation, user=service, actor=Actor(user=service))
