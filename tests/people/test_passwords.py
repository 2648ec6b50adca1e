"""Password reset by email and password change."""

import re

import pytest
from django.test import Client

from accounts.models import User
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

RESET = "/password/reset/"
CHANGE = "/password/change/"
NEW = "a brand new passphrase"


def reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/password/reset/\S+/)", message.body).group(1)


def test_reset_answers_the_same_for_known_and_unknown_emails(client, agent_a, outbox):
    known = client.post(RESET, {"email": agent_a.email})
    unknown = client.post(RESET, {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"], known.content) == (
        unknown.status_code,
        unknown["Location"],
        unknown.content,
    )
    # Every header but the request id, which is new for each request.
    assert {k: v for k, v in known.items() if k != "X-Request-ID"} == {
        k: v for k, v in unknown.items() if k != "X-Request-ID"
    }
    assert client.get(known["Location"]).content == client.get(unknown["Location"]).content
    assert [m.to for m in outbox] == [[agent_a.email]]


def test_reset_link_comes_from_site_url_not_the_host_header(client, agent_a, outbox, settings):
    settings.SITE_URL = "https://portal.example"
    settings.ALLOWED_HOSTS = ["*"]
    client.post(RESET, {"email": agent_a.email}, headers={"host": "evil.example"})
    [message] = outbox
    assert "https://portal.example/password/reset/" in message.body
    assert "evil.example" not in message.body


def test_reset_sets_a_new_password_once(client, agent_a, outbox):
    client.post(RESET, {"email": agent_a.email.upper()})
    link = reset_link(outbox[0])
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    agent_a.refresh_from_db()
    assert agent_a.check_password(NEW)
    again = Client().get(link, follow=True)
    assert "cannot be used" in again.content.decode()


def test_reset_refuses_a_weak_password(client, agent_a, outbox):
    client.post(RESET, {"email": agent_a.email})
    set_url = client.get(reset_link(outbox[0]), follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200 and "too common" in response.content.decode()
    agent_a.refresh_from_db()
    assert agent_a.check_password(PASSWORD)


def test_service_accounts_get_no_reset_link(client, account_a, outbox):
    service = MembershipFactory(
        account=account_a,
        user=UserFactory(email="bot@acme.service.invalid", is_service_account=True),
    ).user
    service.set_password("whatever it was")
    service.save()
    response = client.post(RESET, {"email": service.email})
    assert response.status_code == 302 and outbox == []


def test_change_asks_for_the_current_password(client, agent_a):
    client.force_login(agent_a)
    wrong = client.post(
        CHANGE, {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW}
    )
    assert wrong.status_code == 200 and "incorrectly" in wrong.content.decode()
    agent_a.refresh_from_db()
    assert agent_a.check_password(PASSWORD)


def test_change_keeps_this_session_and_signs_out_the_others(agent_a):
    here, elsewhere = Client(), Client()
    here.force_login(agent_a)
    elsewhere.force_login(agent_a)
    assert elsewhere.get("/accounts/acme/tokens/").status_code == 200
    response = here.post(
        CHANGE, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    assert here.get("/accounts/acme/tokens/").status_code == 200
    gone = elsewhere.get("/accounts/acme/tokens/")
    assert gone.status_code == 302 and gone["Location"].startswith("/login/")
    assert User.objects.get(pk=agent_a.pk).check_password(NEW)


def test_change_needs_a_signed_in_person(client, account_a):
    assert client.get(CHANGE)["Location"].startswith("/login/")
    service = MembershipFactory(
        account=account_a,
        user=UserFactory(email="bot@acme.service.invalid", is_service_account=True),
    ).user
    client.force_login(service)  # a service account's session is never honoured
    assert client.get(CHANGE)["Location"].startswith("/login/")


def test_the_header_links_to_password_change(client, agent_a):
    client.force_login(agent_a)
    assert f'href="{CHANGE}"' in client.get("/accounts/acme/members/").content.decode()


# --- limited like sign-in ----------------------------------------------------------------------

PAIR_LIMIT = 3


@pytest.fixture
def signin_rates(settings):
    settings.THROTTLE_RATES = {
        **settings.THROTTLE_RATES,
        "login": "6/min",
        "login_pair": f"{PAIR_LIMIT}/min",
    }


def reset_from(email: str, ip: str):
    return Client(REMOTE_ADDR=ip).post(RESET, {"email": email})


@pytest.mark.usefixtures("signin_rates")
def test_reset_is_limited_per_address_and_email_the_same_for_known_and_unknown(
    agent_a, outbox, ratelimit_clock
):
    answers = {}
    for email in (agent_a.email, "nobody@example.com"):
        for _ in range(PAIR_LIMIT):
            assert reset_from(email, "10.0.0.1").status_code == 302
        refused = reset_from(email, "10.0.0.1")
        # The form shows back what was typed, and a fresh CSRF token; nothing else may differ.
        page = refused.content.replace(email.encode(), b"EMAIL")
        page = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page)
        answers[email] = (refused.status_code, refused["Retry-After"], page)
    assert answers[agent_a.email] == answers["nobody@example.com"]
    assert answers[agent_a.email][0] == 429
    assert b"Too many" in answers[agent_a.email][2]
    assert len(outbox) == PAIR_LIMIT
    # Another address is not refused, and the window passes.
    assert reset_from(agent_a.email, "10.0.0.2").status_code == 302
    ratelimit_clock.advance(61)
    assert reset_from(agent_a.email, "10.0.0.1").status_code == 302


@pytest.mark.usefixtures("signin_rates")
def test_wrong_current_passwords_are_counted_like_failed_sign_ins(agent_a):
    attacker = Client(REMOTE_ADDR="10.0.0.9")
    attacker.force_login(agent_a)
    wrong = {"old_password": "guess", "new_password1": NEW, "new_password2": NEW}
    for _ in range(PAIR_LIMIT):
        assert attacker.post(CHANGE, wrong).status_code == 200
    refused = attacker.post(CHANGE, {**wrong, "old_password": PASSWORD})
    assert refused.status_code == 429 and "Retry-After" in refused
    assert User.objects.get(pk=agent_a.pk).check_password(PASSWORD)
    # The same person, from an address that has not failed, still signs in.
    signs_in = Client(REMOTE_ADDR="10.0.0.1").post(
        "/login/", {"username": agent_a.email, "password": PASSWORD}
    )
    assert signs_in.status_code == 302
