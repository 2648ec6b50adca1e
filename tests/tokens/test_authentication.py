import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services as account_services
from accounts.audit import Actor
from accounts.models import Membership, Role
from tests.factories import MembershipFactory
from tokens import crypto, services
from tokens.models import Token

pytestmark = pytest.mark.django_db

GENERIC_401 = {"detail": "Invalid, expired or revoked token.", "code": "authentication_failed"}


def basic(email, secret):
    return base64.b64encode(f"{email}/token:{secret}".encode()).decode()


def assert_generic_401(response):
    assert response.status_code == 401
    assert response.json() == GENERIC_401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_bearer_token_acts_as_its_owner(api, issue, agent_a, account_a):
    token, secret = issue(agent_a, account_a, description="CI")
    body = api(secret).get("/api/v1/me").json()
    assert body["user"]["email"] == "agent@acme.example"
    assert body["account"] == {"slug": "acme", "name": "Acme"}
    assert body["role"] == "agent"
    assert body["token"]["id"] == token.pk and body["token"]["description"] == "CI"


def test_drf_style_token_scheme_works(api, issue, agent_a, account_a):
    _, secret = issue(agent_a, account_a)
    assert api(secret, scheme="Token").get("/api/v1/me").status_code == 200


def test_basic_with_the_owners_email_works_in_any_case(api, issue, agent_a, account_a):
    _, secret = issue(agent_a, account_a)
    response = api(basic("AGENT@Acme.Example", secret), scheme="Basic").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["user"]["email"] == "agent@acme.example"


def test_basic_with_another_members_email_is_refused(api, issue, agent_a, admin_a, account_a):
    """The vendor flaw: an agent's token paired with the admin's email must not act as admin."""
    _, secret = issue(agent_a, account_a)
    assert_generic_401(api(basic(admin_a.email, secret), scheme="Basic").get("/api/v1/me"))


@pytest.mark.parametrize(
    "credentials",
    [
        "",
        "not base64!",
        base64.b64encode(b"no-colon").decode(),
        base64.b64encode(b"a@b.example:tpk_x").decode(),
        base64.b64encode(b"/token:tpk_x").decode(),
        base64.b64encode(b"\xff\xfe").decode(),
    ],
)
def test_malformed_basic_credentials_are_refused(api, credentials, db):
    assert_generic_401(api(credentials, scheme="Basic").get("/api/v1/me"))


def test_missing_credentials_get_401_with_challenge(api, db):
    response = api().get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def _tamper(secret):
    body = secret[:-7] + ("A" if secret[-7] != "A" else "B")
    return body + secret[-6:]


@pytest.mark.parametrize(
    "make",
    [
        lambda s: s[:-1],  # truncated
        _tamper,  # wrong checksum
        lambda s: "ghp_" + s[4:],  # wrong prefix
        lambda s: s[:10] + "é" + s[11:],  # non-ASCII
        lambda s: s + "x" * 10_000,  # 10 KB header
        lambda s: crypto.generate(),  # well-formed but unknown
    ],
    ids=["truncated", "checksum", "prefix", "non-ascii", "10kb", "unknown"],
)
def test_bad_tokens_get_the_same_401(api, issue, agent_a, account_a, make):
    _, secret = issue(agent_a, account_a)
    assert_generic_401(api(make(secret)).get("/api/v1/me"))


def test_malformed_tokens_are_refused_without_a_query(
    api, issue, agent_a, account_a, django_assert_num_queries
):
    _, secret = issue(agent_a, account_a)
    client = api(_tamper(secret))
    with django_assert_num_queries(0):
        assert client.get("/api/v1/me").status_code == 401


def test_expired_token_gets_401(api, issue, agent_a, account_a):
    token, secret = issue(agent_a, account_a)
    Token.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_generic_401(api(secret).get("/api/v1/me"))


def test_revoked_token_gets_401_on_the_next_request(api, issue, agent_a, account_a):
    token, secret = issue(agent_a, account_a)
    client = api(secret)
    assert client.get("/api/v1/me").status_code == 200
    assert client.delete(f"/api/v1/tokens/{token.pk}").status_code == 204
    assert_generic_401(client.get("/api/v1/me"))


def test_token_access_off_gives_403_and_on_again_works(api, issue, agent_a, admin_a, account_a):
    _, secret = issue(agent_a, account_a)
    account_services.account_update(
        account=account_a, actor=Actor(user=admin_a), token_access_enabled=False
    )
    response = api(secret).get("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["code"] == "token_access_disabled"
    account_services.account_update(
        account=account_a, actor=Actor(user=admin_a), token_access_enabled=True
    )
    assert api(secret).get("/api/v1/me").status_code == 200


def test_demoted_owner_loses_admin_calls_on_the_next_request(api, issue, admin_a, account_a):
    MembershipFactory(account=account_a, role=Role.ADMIN)  # so admin_a may step down
    _, secret = issue(admin_a, account_a)
    client = api(secret)
    assert client.get("/api/v1/audit-events").status_code == 200
    membership = Membership.objects.get(user=admin_a, account=account_a)
    account_services.member_change_role(membership=membership, role="agent", actor=Actor())
    assert client.get("/api/v1/me").json()["role"] == "agent"
    response = client.get("/api/v1/audit-events")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_promoted_owner_gains_admin_calls_on_the_next_request(api, issue, agent_a, account_a):
    _, secret = issue(agent_a, account_a)
    client = api(secret)
    assert client.get("/api/v1/audit-events").status_code == 403
    membership = Membership.objects.get(user=agent_a, account=account_a)
    account_services.member_change_role(membership=membership, role="admin", actor=Actor())
    assert client.get("/api/v1/audit-events").status_code == 200


def test_removed_owner_gets_401(api, issue, agent_a, admin_a, account_a):
    _, secret = issue(agent_a, account_a)
    membership = Membership.objects.get(user=agent_a, account=account_a)
    account_services.member_remove(membership=membership, actor=Actor(user=admin_a))
    assert_generic_401(api(secret).get("/api/v1/me"))


def test_deactivated_owner_gets_401(api, issue, agent_a, account_a):
    _, secret = issue(agent_a, account_a)
    account_services.user_deactivate(user=agent_a, actor=Actor())
    assert_generic_401(api(secret).get("/api/v1/me"))


def test_deleted_owners_tokens_are_revoked_and_kept(api, issue, agent_a, account_a):
    token, secret = issue(agent_a, account_a)
    agent_a.delete()
    token.refresh_from_db()
    assert token.owner is None and token.revoked_at is not None
    assert_generic_401(api(secret).get("/api/v1/me"))


def test_creator_leaving_changes_nothing(api, admin_a, account_a):
    creator = MembershipFactory(account=account_a, role=Role.ADMIN).user
    issued = services.token_issue(
        account=account_a, owner=admin_a, description="for admin", actor=Actor(user=creator)
    )
    creator.delete()
    response = api(issued.secret).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["user"]["email"] == admin_a.email


def test_authentication_is_one_query_and_no_write_within_the_minute(
    api, issue, agent_a, account_a, django_assert_num_queries
):
    _, secret = issue(agent_a, account_a)
    client = api(secret)
    client.get("/api/v1/me")  # first use writes last_used_at
    with django_assert_num_queries(1) as ctx:
        assert client.get("/api/v1/me").status_code == 200
    assert ctx.captured_queries[0]["sql"].lstrip().upper().startswith("SELECT")
    assert secret not in ctx.captured_queries[0]["sql"]


def test_last_used_is_recorded_at_most_once_a_minute(api, issue, agent_a, account_a):
    token, secret = issue(agent_a, account_a)
    client = api(secret)
    client.get("/api/v1/me", REMOTE_ADDR="10.1.1.1")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and token.last_used_ip == "10.1.1.1"
    client.get("/api/v1/me", REMOTE_ADDR="10.2.2.2")
    token.refresh_from_db()
    assert token.last_used_at == first and token.last_used_ip == "10.1.1.1"
    Token.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/v1/me", REMOTE_ADDR="10.2.2.2")
    token.refresh_from_db()
    assert token.last_used_ip == "10.2.2.2"


def test_failed_attempts_never_record_use(api, issue, agent_a, account_a):
    token, secret = issue(agent_a, account_a)
    Token.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    api(secret).get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at is None


def test_secret_in_query_string_or_body_never_authenticates(api, issue, agent_a, account_a):
    _, secret = issue(agent_a, account_a)
    assert api().get(f"/api/v1/me?token={secret}").status_code == 401
    assert api().post("/api/v1/tokens", {"token": secret}, format="json").status_code == 401


def test_invalid_bearer_does_not_fall_back_to_the_session(client, issue, agent_a, account_a):
    client.force_login(agent_a)
    assert client.get("/api/v1/me").status_code == 200
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer " + crypto.generate())
    assert response.status_code == 401
