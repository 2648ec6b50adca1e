import base64
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts import services as account_services
from accounts.audit import Actor
from accounts.models import Membership, Role
from tests.factories import MembershipFactory
from tokens import crypto, services
from tokens.authentication import BasicTokenAuthentication
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


def test_a_token_expires_at_its_expiry_instant(issue, agent_a, account_a):
    token, secret = issue(agent_a, account_a)
    at_expiry = time_machine.travel(token.expires_at, tick=False)
    with at_expiry, pytest.raises(services.InvalidToken):
        services.token_authenticate(secret)
    with time_machine.travel(token.expires_at - timedelta(microseconds=1), tick=False):
        assert services.token_authenticate(secret).token.pk == token.pk


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


def test_token_access_off_says_who_can_turn_it_on(api, issue, agent_a, account_a):
    _, secret = issue(agent_a, account_a)
    account_a.token_access_enabled = False
    account_a.save()
    assert api(secret).get("/api/v1/me").json() == {
        "detail": "Token access is disabled for this account. An account admin can turn it on.",
        "code": "token_access_disabled",
    }


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


# The compiled authentication query against a plain-ORM reading of the same rules.


def plain_orm_authenticate(raw, email=None):
    """What `token_authenticate` answers, written the slow obvious way."""
    token = Token.objects.select_related("owner", "account").filter(digest=crypto.digest(raw))
    token = token.first()
    if token is None or token.status != "active" or token.owner is None:
        return "invalid"
    membership = Membership.objects.filter(user=token.owner, account=token.account).first()
    if not token.owner.is_active or membership is None:
        return "invalid"
    if email is not None and email.strip().lower() != token.owner.email.lower():
        return "invalid"
    if not token.account.token_access_enabled:
        return "disabled"
    return (token.owner.pk, token.account.pk, membership.role, frozenset(token.scopes), token.pk)


def compiled_authenticate(raw, email=None):
    try:
        access = services.token_authenticate(raw, email=email)
    except services.InvalidToken:
        return "invalid"
    except services.TokenAccessDisabled:
        return "disabled"
    return (access.user.pk, access.account.pk, access.role, access.scopes, access.token.pk)


def _expire(token, **_):
    Token.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))


def _revoke(token, **_):
    Token.objects.filter(pk=token.pk).update(revoked_at=timezone.now())


def _deactivate(token, owner, **_):
    type(owner).objects.filter(pk=owner.pk).update(is_active=False)


def _remove(token, owner, **_):
    Membership.objects.filter(user=owner).delete()


def _delete(token, owner, **_):
    owner.delete()


def _access_off(token, account, **_):
    type(account).objects.filter(pk=account.pk).update(token_access_enabled=False)


# status: (what happens to the token, the Basic email, the owner's role, the expected answer)
STATUSES = {
    "active": (None, None, None, "ok"),
    "active-admin": (None, None, Role.ADMIN, "ok"),
    "active-light-agent": (None, None, Role.LIGHT_AGENT, "ok"),
    "expired": (_expire, None, None, "invalid"),
    "revoked": (_revoke, None, None, "invalid"),
    "owner-inactive": (_deactivate, None, None, "invalid"),
    "owner-removed": (_remove, None, None, "invalid"),
    "owner-deleted": (_delete, None, None, "invalid"),
    "access-off": (_access_off, None, None, "disabled"),
    "basic-right-email": (None, "agent@acme.example", None, "ok"),
    "basic-right-email-other-case": (None, " Agent@ACME.example ", None, "ok"),
    "basic-wrong-email": (None, "admin@acme.example", None, "invalid"),
    "unknown-token": (None, None, None, "invalid"),
}


@pytest.mark.parametrize("status", STATUSES)
def test_compiled_query_answers_as_the_plain_orm_does(status, issue, account_a, agent_a, admin_a):
    change, email, role, outcome = STATUSES[status]
    if role is not None:
        Membership.objects.filter(user=agent_a).update(role=role)
    token, secret = issue(agent_a, account_a, scopes=["tokens:read", "account:read"])
    if change is not None:
        change(token, owner=agent_a, account=account_a)
    if status == "unknown-token":
        secret = crypto.generate()
    expected = plain_orm_authenticate(secret, email)
    assert compiled_authenticate(secret, email) == expected
    assert expected == outcome or (outcome == "ok" and expected[2] == (role or Role.AGENT))


# Columns no request reads, left out of the authentication query on purpose.
NOT_LOADED = {
    "Token": {"digest"},
    "User": {"password", "last_login", "email_expiry_reminders"},
    "Account": set(),
}


def test_authentication_loads_every_other_field_with_its_stored_value(issue, agent_a, account_a):
    token, secret = issue(agent_a, account_a)
    access = services.token_authenticate(secret)
    for instance in (access.token, access.user, access.account):
        stored = type(instance).objects.get(pk=instance.pk)
        name = type(instance).__name__
        assert instance.get_deferred_fields() == NOT_LOADED[name], name
        assert instance._state.db == stored._state.db and not instance._state.adding
        for field in type(instance)._meta.concrete_fields:
            if field.attname not in NOT_LOADED[name]:
                loaded, expected = getattr(instance, field.attname), getattr(stored, field.attname)
                assert loaded == expected, f"{name}.{field.attname}"
                assert type(loaded) is type(expected), f"{name}.{field.attname}"


def test_reading_a_field_authentication_did_not_load_fails_the_test(issue, agent_a, account_a):
    _, secret = issue(agent_a, account_a)
    access = services.token_authenticate(secret)
    with pytest.raises(AssertionError, match="User.password"):
        access.user.password  # noqa: B018
    with pytest.raises(AssertionError, match="Token.digest"):
        access.token.digest  # noqa: B018


def test_the_authentication_query_refuses_to_compile_with_a_second_parameter(monkeypatch):
    """A filter that binds a value of its own would run with the digest in the wrong place."""
    real = services.Subquery
    filtered = Membership.objects.filter(role__in=["admin", "agent"]).values("role")[:1]
    monkeypatch.setattr(services, "Subquery", lambda query: real(filtered))
    with pytest.raises(RuntimeError, match="only the digest"):
        services._authentication_sql.__wrapped__("default")


def test_the_authentication_query_is_compiled_once_per_database(issue, agent_a, account_a):
    _, secret = issue(agent_a, account_a)
    services._authentication_sql.cache_clear()
    services.token_authenticate(secret)
    services.token_authenticate(secret)
    assert services._authentication_sql.cache_info().misses == 1


# The browser session, in one account or several.


def test_session_of_a_member_of_one_account_needs_no_header(client, agent_a):
    client.force_login(agent_a)
    body = client.get("/api/v1/me").json()
    assert body["account"]["slug"] == "acme" and body["role"] == "agent"


@pytest.fixture
def in_two_accounts(agent_a, account_b):
    MembershipFactory(user=agent_a, account=account_b, role=Role.ADMIN)
    return agent_a


def test_session_in_several_accounts_without_the_header_asks_for_one(client, in_two_accounts):
    client.force_login(in_two_accounts)
    response = client.get("/api/v1/me")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "You belong to several accounts: name one in the X-Account header.",
        "code": "account_required",
    }


@pytest.mark.parametrize(("slug", "role"), [("acme", "agent"), ("globex", "admin")])
def test_session_in_several_accounts_acts_in_the_named_one(client, in_two_accounts, slug, role):
    client.force_login(in_two_accounts)
    body = client.get("/api/v1/me", HTTP_X_ACCOUNT=f" {slug} ").json()
    assert body["account"]["slug"] == slug and body["role"] == role


@pytest.mark.parametrize("slug", ["nowhere", "ACME", "Globex"])
def test_session_with_a_wrong_or_differently_cased_slug_gets_404(client, in_two_accounts, slug):
    client.force_login(in_two_accounts)
    response = client.get("/api/v1/me", HTTP_X_ACCOUNT=slug)
    assert response.status_code == 404
    assert response.json()["detail"] == "No such account."


def test_session_naming_an_account_the_user_is_not_in_gets_404(client, agent_a, account_b):
    client.force_login(agent_a)
    assert client.get("/api/v1/me", HTTP_X_ACCOUNT="globex").status_code == 404


def test_session_of_a_user_in_no_account_gets_404(client, support):
    client.force_login(support)
    assert client.get("/api/v1/me").status_code == 404


def test_a_service_accounts_session_never_authenticates(client, admin_a, account_a):
    """Service accounts never sign in; even a session made for one is not honoured."""
    membership = account_services.service_account_create(
        account=account_a, name="Zapier", role=Role.AGENT, actor=Actor(user=admin_a)
    )
    client.force_login(membership.user)
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_session_ignores_the_token_access_switch(client, agent_a, account_a):
    account_a.token_access_enabled = False
    account_a.save()
    client.force_login(agent_a)
    assert client.get("/api/v1/me").status_code == 200


# The Basic scheme, branch by branch.


def raw_basic(text: bytes) -> str:
    return base64.b64encode(text).decode()


@pytest.mark.parametrize(
    "make",
    [
        lambda email, secret: raw_basic(f"{email}/token{secret}".encode()),  # no colon
        lambda email, secret: raw_basic(f"{email}/token:{secret}:{secret}".encode()),
        lambda email, secret: raw_basic(f"{email}:{secret}".encode()),  # no /token
        lambda email, secret: raw_basic(f"{email}/tokens:{secret}".encode()),
        lambda email, secret: raw_basic(f"{email}/TOKEN:{secret}".encode()),  # same length
        lambda email, secret: raw_basic(f"/token:{secret}".encode()),  # empty email
        lambda email, secret: raw_basic(f"{email}/token:".encode()),  # empty secret
        lambda email, secret: basic(email, secret)[:-2],  # bad base64
        lambda email, secret: basic(email, secret) + "!",  # not base64's alphabet
        lambda email, secret: raw_basic(b"\xff" + f"{email}/token:{secret}".encode()),
        lambda email, secret: basic("admin@acme.example", secret),  # another member's email
        lambda email, secret: basic("agent@acme.example.evil", secret),
    ],
    ids=[
        "no-colon",
        "several-colons",
        "missing-token-marker",
        "wrong-marker",
        "marker-in-capitals",
        "empty-email",
        "empty-secret",
        "bad-base64",
        "bad-alphabet",
        "non-utf8",
        "wrong-email",
        "longer-email",
    ],
)
def test_basic_parsing_refuses_every_malformed_form(api, issue, agent_a, admin_a, account_a, make):
    _, secret = issue(agent_a, account_a)
    response = api(make(agent_a.email, secret), scheme="Basic").get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == GENERIC_401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    "email", ["agent@acme.example", "Agent@ACME.Example", "  agent@acme.example "]
)
def test_basic_with_the_owners_email_in_any_case_or_spacing_works(
    api, issue, agent_a, account_a, email
):
    _, secret = issue(agent_a, account_a)
    response = api(basic(email, secret), scheme="Basic").get("/api/v1/me")
    assert response.status_code == 200 and response.json()["user"]["email"] == agent_a.email


def test_basic_splits_at_the_last_colon(api, issue, account_a):
    """An email may hold a colon (in a quoted local part); a token never does."""
    owner = MembershipFactory(
        account=account_a, role=Role.AGENT, user__email='"a:b"@acme.example'
    ).user
    _, secret = issue(owner, account_a)
    assert api(basic(owner.email, secret), scheme="Basic").get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("scheme", ["BASIC", "basic"])
def test_schemes_are_case_insensitive(api, issue, agent_a, account_a, scheme):
    _, secret = issue(agent_a, account_a)
    assert api(basic(agent_a.email, secret), scheme=scheme).get("/api/v1/me").status_code == 200
    assert api(f"  {secret}  ", scheme="BEARER").get("/api/v1/me").status_code == 200


def test_an_unknown_scheme_is_not_authenticated(api, issue, agent_a, account_a):
    _, secret = issue(agent_a, account_a)
    response = api(secret, scheme="Digest").get("/api/v1/me")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_basic_names_its_own_scheme_in_a_challenge():
    assert BasicTokenAuthentication().authenticate_header(None) == 'Basic realm="api"'
