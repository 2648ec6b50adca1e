"""The page an invitation link opens, for each kind of visitor."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.audit import Actor
from accounts.models import AuditEvent, Membership, Role, User
from people import services
from people.models import InvitationStatus
from tests.factories import PASSWORD, UserFactory
from tests.people.conftest import link_secret

pytestmark = pytest.mark.django_db


def url(secret: str) -> str:
    return f"/invitations/{secret}/"


def test_someone_new_chooses_a_name_and_password_and_lands_on_the_tokens_page(
    client, invite, account_a, outbox
):
    invite("newbie@example.com", Role.LIGHT_AGENT)
    secret = link_secret(outbox[0])
    page = client.get(url(secret))
    assert page.status_code == 200 and "Your name" in page.content.decode()
    response = client.post(
        url(secret),
        {
            "name": "Nina Newbie",
            "password1": "a long unusual phrase",
            "password2": "a long unusual phrase",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/acme/tokens/"
    user = User.objects.get(email="newbie@example.com")
    assert user.name == "Nina Newbie" and user.check_password("a long unusual phrase")
    assert Membership.objects.get(user=user).role == Role.LIGHT_AGENT
    tokens_page = client.get(response["Location"])
    assert tokens_page.status_code == 200 and "Welcome to Acme" in tokens_page.content.decode()
    assert AuditEvent.objects.filter(action="member.joined", actor=user).exists()


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"name": "N", "password1": "password", "password2": "password"}, "too common"),
        ({"name": "N", "password1": "a long unusual phrase", "password2": "other"}, "differ"),
        (
            {
                "name": "",
                "password1": "a long unusual phrase",
                "password2": "a long unusual phrase",
            },
            "required",
        ),
        ({"name": "N", "password1": "12345678901", "password2": "12345678901"}, "entirely numeric"),
    ],
)
def test_sign_up_errors_keep_nothing(client, invite, data, field_error):
    _, secret = invite("newbie@example.com")
    response = client.post(url(secret), data)
    assert response.status_code == 400 and field_error in response.content.decode()
    assert not User.objects.filter(email="newbie@example.com").exists()


def test_an_existing_user_signs_in_then_accepts(client, invite, admin_b, account_a):
    _, secret = invite(admin_b.email, Role.AGENT)
    page = client.get(url(secret)).content.decode()
    assert "Sign in to accept" in page and "Your name" not in page
    assert client.post(url(secret)).status_code == 302  # anonymous: to sign in, nothing joins
    assert not Membership.objects.filter(account=account_a, user=admin_b).exists()
    login = client.post(
        f"/login/?next={url(secret)}",
        {"username": admin_b.email, "password": PASSWORD, "next": url(secret)},
    )
    assert login["Location"] == url(secret)
    assert "Accept invitation" in client.get(url(secret)).content.decode()
    assert not Membership.objects.filter(account=account_a, user=admin_b).exists()
    response = client.post(url(secret))
    assert response["Location"] == "/accounts/acme/tokens/"
    assert Membership.objects.get(account=account_a, user=admin_b).role == Role.AGENT


def test_someone_signed_in_with_another_email_is_told_and_nothing_happens(
    client, invite, admin_b, account_a
):
    invitation, secret = invite("intended@example.com")
    client.force_login(admin_b)
    for response in (client.get(url(secret)), client.post(url(secret))):
        assert response.status_code == 403
        assert "for someone else" in response.content.decode()
        assert admin_b.email in response.content.decode()
    assert not Membership.objects.filter(account=account_a, user=admin_b).exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_an_expired_link_gets_a_clear_page(client, invite):
    _, secret = invite("late@example.com")
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        for response in (client.get(url(secret)), client.post(url(secret), {"name": "L"})):
            assert response.status_code == 410 and "has expired" in response.content.decode()
    assert not User.objects.filter(email="late@example.com").exists()


def test_a_cancelled_link_gets_a_clear_page(client, invite, admin_a):
    invitation, secret = invite("c@example.com")
    services.invitation_cancel(invitation=invitation, actor=Actor(user=admin_a))
    response = client.get(url(secret))
    assert response.status_code == 410 and "was cancelled" in response.content.decode()


def test_a_used_link_gets_a_clear_page_even_for_its_user(client, invite, admin_b):
    invitation, secret = invite(admin_b.email)
    services.invitation_accept(invitation=invitation, user=admin_b, actor=Actor(user=admin_b))
    client.force_login(admin_b)
    response = client.get(url(secret))
    assert response.status_code == 410 and "already been used" in response.content.decode()


def test_a_resent_invitations_old_link_no_longer_works(client, invite, admin_a):
    invitation, old = invite("r@example.com")
    services.invitation_resend(invitation=invitation, actor=Actor(user=admin_a))
    assert client.get(url(old)).status_code == 404


@pytest.mark.parametrize("secret", ["nonsense", "x" * 43, "%00", "a" * 500])
def test_an_unknown_link_gets_a_clear_page(client, db, secret):
    response = client.get(url(secret))
    assert response.status_code == 404 and "not valid" in response.content.decode()


def test_the_invitation_page_is_not_cached(client, invite):
    _, secret = invite("n@example.com")
    assert "no-store" in client.get(url(secret))["Cache-Control"]


def test_a_user_created_meanwhile_cannot_sign_up_again(client, invite):
    _, secret = invite("race@example.com")
    UserFactory(email="race@example.com")
    response = client.post(
        url(secret),
        {"name": "R", "password1": "a long unusual phrase", "password2": "a long unusual phrase"},
    )
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert User.objects.filter(email="race@example.com").count() == 1


def test_signing_out_from_the_wrong_user_page_comes_back_to_the_link(client, invite, admin_b):
    _, secret = invite(admin_b.email.replace("admin", "someone"))
    client.force_login(admin_b)
    response = client.post("/logout/", {"next": url(secret)})
    assert response["Location"] == url(secret)
    assert "Your name" in client.get(url(secret)).content.decode()
