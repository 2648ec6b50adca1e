from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent
from tokens import crypto
from tokens.models import Token

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("createtoken", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_createtoken_prints_a_working_secret_once(api, agent_a, account_a):
    secret, note = run(
        "--account",
        "acme",
        "--owner",
        "AGENT@acme.example",
        "--description",
        "deploy",
        "--scopes",
        "tokens:read",
        "--expires-in-days",
        "30",
    )
    assert crypto.is_well_formed(secret) and secret not in note
    token = Token.objects.get()
    assert token.scopes == ["tokens:read"] and token.owner == agent_a
    assert timedelta(days=29) < token.expires_at - token.created_at <= timedelta(days=30)
    assert api(secret).get("/api/v1/me").status_code == 200
    assert AuditEvent.objects.filter(action="token.created").count() == 1


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--account", "nope", "--owner", "agent@acme.example"], "No account"),
        (["--account", "acme", "--owner", "nobody@example.com"], "No user"),
        (["--account", "acme", "--owner", "admin@globex.example"], "active member"),
        (
            ["--account", "acme", "--owner", "agent@acme.example", "--expires-in-days", "400"],
            "at most 365 days",
        ),
        (
            ["--account", "acme", "--owner", "agent@acme.example", "--expires-in-days", "0"],
            "at least 1",
        ),
    ],
)
def test_createtoken_refuses_bad_input(agent_a, admin_b, args, reason):
    with pytest.raises(CommandError, match=reason):
        run(*args, "--description", "x")
    assert not Token.objects.filter(account__slug="acme").exists()


ARGS = ["--account", "acme", "--owner", "agent@acme.example", "--description", "deploy"]


def test_createtoken_warns_when_the_accounts_token_access_is_off(api, agent_a, account_a):
    account_a.token_access_enabled = False
    account_a.save()
    secret, note = run(*ARGS)
    assert "Token access is off for acme" in note
    assert crypto.is_well_formed(secret)
    assert api(secret).get("/api/v1/me").status_code == 403


def test_createtoken_does_not_warn_when_token_access_is_on(agent_a, account_a):
    _, note = run(*ARGS)
    assert "Token access is off" not in note
