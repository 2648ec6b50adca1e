"""Sudo mode: each guarded action goes ahead in a fresh session, and asks for the password again
in an old one, then lands back on the page with what was typed filled in."""

import re
from urllib.parse import quote

import pytest

from accounts.models import AuditEvent, Membership, Role
from people.models import Invitation
from tests.factories import PASSWORD
from tests.twofactor.conftest import code_of
from tokens.models import Token
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db
OLD = 901  # seconds: SUDO_MODE_SECONDS is 900

TOKEN = {
    "description": "CI deploy",
    "scope_account": "none",
    "scope_members": "none",
    "scope_tokens": "read",
    "scope_audit": "none",
    "expiration": "30",
    "form_id": "f1",
}


def _guarded(agent_a):
    """(action URL, posted data, the page the form is on, what happened)."""
    member = Membership.objects.get(user=agent_a)
    return {
        "token": (
            "/accounts/acme/tokens/new/",
            TOKEN,
            "/accounts/acme/tokens/new/",
            lambda: Token.objects.filter(description="CI deploy").exists(),
        ),
        "access": (
            "/accounts/acme/tokens/access/",
            {},
            "/accounts/acme/tokens/",
            lambda: not Membership.objects.get(pk=member.pk).account.token_access_enabled,
        ),
        "policy": (
            "/accounts/acme/tokens/policy/",
            {"token_max_lifetime_days": "77", "require_two_factor": ""},
            "/accounts/acme/tokens/",
            lambda: member.account.__class__.objects.get().token_max_lifetime_days == 77,
        ),
        "invite": (
            "/accounts/acme/members/invite/",
            {"email": "new@example.com", "role": "agent"},
            "/accounts/acme/members/invite/",
            lambda: Invitation.objects.filter(email="new@example.com").exists(),
        ),
        "role": (
            f"/accounts/acme/members/{member.pk}/role/",
            {"role": "light_agent"},
            "/accounts/acme/members/",
            lambda: Membership.objects.get(pk=member.pk).role == Role.LIGHT_AGENT,
        ),
        "remove": (
            f"/accounts/acme/members/{member.pk}/remove/",
            {},
            f"/accounts/acme/members/{member.pk}/remove/",
            lambda: not Membership.objects.filter(pk=member.pk).exists(),
        ),
        "webhook": (
            "/accounts/acme/webhooks/",
            {"url": "http://127.0.0.1:9/hook", "events": ["token.created"], "description": "CI"},
            "/accounts/acme/webhooks/",
            lambda: Endpoint.objects.filter(url="http://127.0.0.1:9/hook").exists(),
        ),
    }


ACTIONS = ["token", "access", "policy", "invite", "role", "remove", "webhook"]


@pytest.fixture
def signed_in(client, admin_a, agent_a, account_a, clock):
    account_a.token_access_enabled = True
    account_a.save()
    client.force_login(admin_a)
    return client


@pytest.mark.parametrize("name", ACTIONS)
def test_a_fresh_session_is_not_asked(signed_in, agent_a, clock, name):
    url, data, _, done = _guarded(agent_a)[name]
    clock.shift(OLD - 2)
    answer = signed_in.post(url, data)
    assert not answer.get("Location", "").startswith("/sudo/")
    assert done()


@pytest.mark.parametrize("name", ACTIONS)
def test_an_old_session_confirms_the_password_then_goes_on(
    signed_in, admin_a, agent_a, clock, name
):
    url, data, page, done = _guarded(agent_a)[name]
    clock.shift(OLD)
    answer = signed_in.post(url, data)
    assert answer.status_code == 302
    assert answer["Location"] == f"/sudo/?next={quote(page, safe='')}"
    assert not done()

    prompt = signed_in.get(answer["Location"])
    assert prompt.status_code == 200 and 'name="code"' not in prompt.content.decode()
    wrong = signed_in.post("/sudo/", {"password": "nope", "next": page})
    assert wrong.status_code == 400
    back = signed_in.post("/sudo/", {"password": PASSWORD, "next": page})
    assert back["Location"] == page
    assert AuditEvent.objects.filter(action="user.sudo_passed", actor=admin_a).count() == 1

    assert signed_in.get(page).status_code == 200
    signed_in.post(url, data)
    assert done()


def test_what_was_typed_is_filled_in_again(signed_in, agent_a, clock):
    clock.shift(OLD)
    signed_in.post("/accounts/acme/tokens/new/", TOKEN)
    signed_in.post("/sudo/", {"password": PASSWORD, "next": "/accounts/acme/tokens/new/"})
    html = signed_in.get("/accounts/acme/tokens/new/").content.decode()
    assert 'value="CI deploy"' in html
    tokens_level = [
        re.search(r'value="(\w+)"', tag).group(1)
        for tag in re.findall(r'<input[^>]*name="scope_tokens"[^>]*>', html)
        if " checked" in tag
    ]
    assert tokens_level == ["read"]
    # Shown once: the next visit starts empty.
    assert 'value="CI deploy"' not in signed_in.get("/accounts/acme/tokens/new/").content.decode()

    clock.shift(OLD)
    signed_in.post("/accounts/acme/members/invite/", {"email": "kept@example.com", "role": "admin"})
    signed_in.post("/sudo/", {"password": PASSWORD, "next": "/accounts/acme/members/invite/"})
    html = signed_in.get("/accounts/acme/members/invite/").content.decode()
    assert 'value="kept@example.com"' in html
    assert '<option value="admin" selected>' in html

    clock.shift(OLD)
    signed_in.post("/accounts/acme/tokens/policy/", {"token_max_lifetime_days": "42"})
    signed_in.post("/sudo/", {"password": PASSWORD, "next": "/accounts/acme/tokens/"})
    assert 'value="42"' in signed_in.get("/accounts/acme/tokens/").content.decode()


def test_with_two_factor_the_prompt_asks_for_a_code(signed_in, admin_a, enroll, clock):
    device, _ = enroll(admin_a)
    clock.shift(OLD)
    page = "/accounts/acme/tokens/new/"
    assert signed_in.get(page)["Location"].startswith("/sudo/")
    assert 'name="code"' in signed_in.get("/sudo/").content.decode()
    no_code = signed_in.post("/sudo/", {"password": PASSWORD, "code": "000000", "next": page})
    assert no_code.status_code == 400
    ok = signed_in.post("/sudo/", {"password": PASSWORD, "code": code_of(device), "next": page})
    assert ok["Location"] == page


def test_the_prompt_goes_nowhere_else(signed_in, clock):
    answer = signed_in.post("/sudo/", {"password": PASSWORD, "next": "https://evil.example/"})
    assert answer["Location"] == "/"


def test_the_session_api_answers_403_and_tokens_are_not_affected(
    signed_in, admin_a, account_a, issue, api, clock
):
    _, secret = issue(admin_a, account_a)
    clock.shift(OLD)
    body = {"description": "x", "scopes": ["tokens:read"]}
    answer = signed_in.post("/api/v1/tokens", body, content_type="application/json")
    assert answer.status_code == 403 and answer.json()["code"] == "reauthentication_required"
    assert signed_in.get("/api/v1/tokens").status_code == 200  # reading is not guarded
    assert api(secret).post("/api/v1/tokens", body).status_code == 201
