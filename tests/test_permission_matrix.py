"""Every API route × method × role, with the exact status expected in each cell.

Roles per SPEC §3; each caller uses a token with every scope, so the role alone decides.
The account's policy is the default: members may not create tokens."""

import pytest

from accounts.models import Membership, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("admin", "agent", "light")

# (method, path, body, {role: status}); path placeholders are filled from the `world` fixture.
MATRIX = [
    ("GET", "/api/v1/me", None, {"admin": 200, "agent": 200, "light": 200}),
    ("GET", "/api/v1/account", None, {"admin": 200, "agent": 200, "light": 200}),
    ("PATCH", "/api/v1/account", {"name": "Renamed"}, {"admin": 200, "agent": 403, "light": 403}),
    ("GET", "/api/v1/members", None, {"admin": 200, "agent": 200, "light": 403}),
    (
        "POST",
        "/api/v1/members",
        {"email": "outsider@example.com", "role": "agent"},
        {"admin": 400, "agent": 403, "light": 403},  # people join by invitation
    ),
    (
        "POST",
        "/api/v1/members",
        {"service_account": True, "name": "CI", "role": "agent"},
        {"admin": 201, "agent": 403, "light": 403},
    ),
    (
        "GET",
        "/api/v1/members/{victim_membership}",
        None,
        {"admin": 200, "agent": 200, "light": 403},
    ),
    (
        "PATCH",
        "/api/v1/members/{victim_membership}",
        {"role": "light_agent"},
        {"admin": 200, "agent": 403, "light": 403},
    ),
    (
        "DELETE",
        "/api/v1/members/{victim_membership}",
        None,
        {"admin": 204, "agent": 403, "light": 403},
    ),
    ("GET", "/api/v1/tokens", None, {"admin": 200, "agent": 200, "light": 200}),
    ("POST", "/api/v1/tokens", {"description": "new"}, {"admin": 201, "agent": 403, "light": 403}),
    ("GET", "/api/v1/tokens/{own_token}", None, {"admin": 200, "agent": 200, "light": 200}),
    ("GET", "/api/v1/tokens/{victim_token}", None, {"admin": 200, "agent": 404, "light": 404}),
    (
        "PATCH",
        "/api/v1/tokens/{own_token}",
        {"description": "renamed"},
        {"admin": 200, "agent": 200, "light": 200},
    ),
    (
        "PATCH",
        "/api/v1/tokens/{victim_token}",
        {"description": "renamed"},
        {"admin": 200, "agent": 404, "light": 404},
    ),
    ("DELETE", "/api/v1/tokens/{victim_token}", None, {"admin": 204, "agent": 404, "light": 404}),
    (
        "POST",
        "/api/v1/tokens/{own_spare_token}/rotate",
        None,
        {"admin": 201, "agent": 201, "light": 201},
    ),
    (
        "POST",
        "/api/v1/tokens/{victim_token}/rotate",
        None,
        {"admin": 201, "agent": 404, "light": 404},
    ),
    (
        "DELETE",
        "/api/v1/tokens/{own_spare_token}",
        None,
        {"admin": 204, "agent": 204, "light": 204},
    ),
    # Token lifecycle (SPEC section 9): allowed addresses are the holder's; limits are policy.
    (
        "PATCH",
        "/api/v1/tokens/{own_token}",
        {"allowed_ips": ["0.0.0.0/0", "::/0"]},
        {"admin": 200, "agent": 200, "light": 200},
    ),
    (
        "PATCH",
        "/api/v1/tokens/{victim_token}",
        {"allowed_ips": ["192.0.2.0/24"]},
        {"admin": 200, "agent": 404, "light": 404},
    ),
    (
        "PATCH",
        "/api/v1/tokens/{own_token}",
        {"rate_limit_per_minute": 100},
        {"admin": 200, "agent": 403, "light": 403},
    ),
    (
        "PATCH",
        "/api/v1/tokens/{victim_token}",
        {"rate_limit_per_minute": 100},
        {"admin": 200, "agent": 404, "light": 404},
    ),
    (
        "POST",
        "/api/v1/tokens/{own_spare_token}/rotate",
        {"grace_seconds": 3600},
        {"admin": 201, "agent": 201, "light": 201},
    ),
    (
        "POST",
        "/api/v1/tokens/current/rotate",
        {"grace_seconds": 3600},
        {"admin": 201, "agent": 201, "light": 201},
    ),
    (
        "PATCH",
        "/api/v1/account",
        {"token_allowed_ips": ["0.0.0.0/0", "::/0"], "token_rate_limit_per_minute": 500},
        {"admin": 200, "agent": 403, "light": 403},
    ),
    ("GET", "/api/v1/audit-events", None, {"admin": 200, "agent": 403, "light": 403}),
    (
        "POST",
        "/api/v1/tokens/revoke-leaked",
        {"tokens": []},
        {"admin": 202, "agent": 202, "light": 202},
    ),
]

CELLS = [
    pytest.param(method, path, body, role, expected[role], id=f"{method} {path} as {role}")
    for method, path, body, expected in MATRIX
    for role in ROLES
]


def call(client, method, url, body=None):
    return getattr(client, method.lower())(url, data=body, format="json")


@pytest.fixture
def world(account_a, admin_a, agent_a, light_a, issue):
    UserFactory(email="outsider@example.com")
    victim = MembershipFactory(account=account_a, role=Role.AGENT).user
    users = {"admin": admin_a, "agent": agent_a, "light": light_a}
    world = {
        "victim_membership": Membership.objects.get(user=victim).pk,
        "victim_token": issue(victim, account_a)[0].pk,
    }
    for role, user in users.items():
        token, secret = issue(user, account_a, description=f"{role} main")
        world[role] = {
            "secret": secret,
            "own_token": token.pk,
            "own_spare_token": issue(user, account_a)[0].pk,
        }
    return world


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CELLS)
def test_matrix(api, world, method, path, body, role, expected):
    url = path.format(**world, **world[role])
    response = call(api(world[role]["secret"]), method, url, body)
    assert response.status_code == expected, response.content
    if expected == 403:
        assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), [(m, p, b, e) for m, p, b, e in MATRIX]
)
def test_anonymous_gets_401_except_on_public_routes(api, world, method, path, body, expected):
    url = path.format(**world, **world["admin"])
    response = call(api(), method, url, body)
    assert response.status_code == (202 if "revoke-leaked" in path else 401)


@pytest.mark.parametrize("path", ["/api/v1/schema", "/api/v1/docs"])
def test_schema_and_docs_are_public(client, path, db):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    ("scopes", "method", "path", "expected", "code"),
    [
        (["tokens:read"], "GET", "/api/v1/tokens", 200, None),
        (["tokens:read"], "POST", "/api/v1/tokens", 403, "insufficient_scope"),
        (["tokens:read"], "GET", "/api/v1/account", 403, "insufficient_scope"),
        (["tokens:read"], "GET", "/api/v1/me", 200, None),
        (["account:read"], "PATCH", "/api/v1/account", 403, "insufficient_scope"),
        (["members:read"], "POST", "/api/v1/members", 403, "insufficient_scope"),
        (["members:read"], "GET", "/api/v1/members", 200, None),
        (["tokens:write"], "GET", "/api/v1/tokens", 403, "insufficient_scope"),
        (
            ["account:read", "members:read"],
            "GET",
            "/api/v1/audit-events",
            403,
            "insufficient_scope",
        ),
    ],
)
def test_admin_token_is_narrowed_by_its_scopes(
    api, issue, admin_a, account_a, scopes, method, path, expected, code
):
    _, secret = issue(admin_a, account_a, scopes=scopes)
    body = (
        {"description": "x", "scopes": ["tokens:read"]}
        if method == "POST"
        else ({"name": "x"} if method == "PATCH" else None)
    )
    response = call(api(secret), method, path, body)
    assert response.status_code == expected
    if code:
        assert response.json()["code"] == code


def test_a_scope_beyond_the_role_is_refused_by_the_role(api, issue, light_a, account_a):
    _, secret = issue(light_a, account_a)  # every scope, but the role has no members:read
    response = api(secret).get("/api/v1/members")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("role", ["agent", "light"])
def test_members_create_their_own_tokens_when_the_policy_allows(api, world, account_a, role):
    account_a.members_can_create_tokens = True
    account_a.save()
    client = api(world[role]["secret"])
    response = client.post("/api/v1/tokens", {"description": "mine"}, format="json")
    assert response.status_code == 201
    victim = Membership.objects.get(pk=world["victim_membership"]).user_id
    response = client.post(
        "/api/v1/tokens", {"description": "theirs", "owner_id": victim}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_unknown_method_is_405(api, world):
    assert api(world["admin"]["secret"]).put("/api/v1/tokens").status_code == 405


# Webhooks (SPEC §10): account:read to read, admin with account:write to change.
WEBHOOK_MATRIX = [
    ("GET", "/api/v1/webhooks", None, {"admin": 200, "agent": 200, "light": 200}),
    (
        "POST",
        "/api/v1/webhooks",
        {"url": "http://127.0.0.1:9/hooks", "events": ["token.created"]},
        {"admin": 201, "agent": 403, "light": 403},
    ),
    ("GET", "/api/v1/webhooks/{webhook}", None, {"admin": 200, "agent": 200, "light": 200}),
    (
        "PATCH",
        "/api/v1/webhooks/{webhook}",
        {"description": "renamed"},
        {"admin": 200, "agent": 403, "light": 403},
    ),
    ("POST", "/api/v1/webhooks/{webhook}/test", None, {"admin": 202, "agent": 403, "light": 403}),
    (
        "POST",
        "/api/v1/webhooks/{webhook}/rotate-secret",
        None,
        {"admin": 200, "agent": 403, "light": 403},
    ),
    (
        "GET",
        "/api/v1/webhooks/{webhook}/deliveries",
        None,
        {"admin": 200, "agent": 200, "light": 200},
    ),
    ("DELETE", "/api/v1/webhooks/{webhook}", None, {"admin": 204, "agent": 403, "light": 403}),
    ("GET", "/api/v1/webhooks/{other_webhook}", None, {"admin": 404, "agent": 404, "light": 404}),
]


@pytest.fixture
def webhook_world(world, admin_a, account_a, admin_b, account_b):
    from accounts.audit import Actor
    from webhooks.services import endpoint_create

    def endpoint(account, admin):
        return endpoint_create(
            account=account,
            url="http://127.0.0.1:9/hooks",
            events=["token.created"],
            actor=Actor(user=admin),
        )[0].pk

    return world | {
        "webhook": endpoint(account_a, admin_a),
        "other_webhook": endpoint(account_b, admin_b),
    }


@pytest.mark.parametrize(
    ("method", "path", "body", "role", "expected"),
    [
        pytest.param(m, p, b, role, e[role], id=f"{m} {p} as {role}")
        for m, p, b, e in WEBHOOK_MATRIX
        for role in ROLES
    ],
)
def test_webhook_matrix(api, webhook_world, method, path, body, role, expected):
    url = path.format(**webhook_world, **webhook_world[role])
    response = call(api(webhook_world[role]["secret"]), method, url, body)
    assert response.status_code == expected, response.content
    if expected == 403:
        assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(("method", "path", "body", "expected"), WEBHOOK_MATRIX)
def test_webhook_routes_need_authentication(api, webhook_world, method, path, body, expected):
    url = path.format(**webhook_world, **webhook_world["admin"])
    assert call(api(), method, url, body).status_code == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/v1/webhooks"), ("PATCH", "/api/v1/webhooks/{webhook}")],
)
def test_an_admin_token_without_account_write_cannot_change_webhooks(
    api, issue, admin_a, account_a, webhook_world, method, path
):
    _, secret = issue(admin_a, account_a, scopes=["account:read", "tokens:read"])
    body = {"url": "http://127.0.0.1:9/x", "events": ["token.created"]}
    response = call(api(secret), method, path.format(**webhook_world), body)
    assert response.status_code == 403 and response.json()["code"] == "insufficient_scope"
