"""Hostile input: random Authorization headers and JSON bodies never make the server fail.

Each example runs in a rolled-back savepoint, so a body that happens to be valid (say, one
that switches token access off) cannot change what the next example meets."""

import base64
import json
import logging
import os

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.access import SCOPES
from accounts.models import Role
from tokens import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled", "quiet_4xx_log")]

# CI (CI=true) runs 1,000 examples per target; a developer's `make test` a quicker 300.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 1000 if os.environ.get("CI") else 300))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
CLIENT_ERRORS = {400, 401, 403, 404, 429}


@pytest.fixture
def quiet_4xx_log(settings):
    """Django logs every 4xx as a warning; thousands of them only slow the run. 5xx still log."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


SUCCESS = {200, 201, 202, 204}


def assert_clean_refusal(response, echoed: str = "") -> None:
    assert response.status_code in CLIENT_ERRORS, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    if len(echoed) >= 16:
        assert echoed.encode("utf-8", "replace") not in response.content


# --- Authorization headers ---------------------------------------------------------------

SCHEMES = st.sampled_from(
    ["Bearer", "bearer", "BEARER", "Token", "Basic", "basic", "Digest", "Negotiate", "AWS4", ""]
)
SEPARATORS = st.sampled_from(["", " ", "  ", "\t", ":", " : ", "\x00", "\r\n", ",", "="])
BASIC_SEPARATORS = st.sampled_from(
    ["", ":", "::", "/token", "/token::", ":/token:", "/token/", "/TOKEN:", "/token :", "\x00:"]
)


def mutations(secret: str):
    """Near misses of a real token: never the token itself."""
    n = len(secret)
    return st.one_of(
        st.tuples(st.integers(0, n - 1), st.characters(codec="utf-8")).map(
            lambda m: secret[: m[0]] + m[1] + secret[m[0] + 1 :]
        ),
        st.integers(0, n - 1).map(lambda i: secret[:i]),
        st.text(min_size=1, max_size=20).map(lambda t: secret + t),
        st.just(secret.swapcase()),
        st.just(secret.replace("tpk_", "tpk-")),
        st.just(secret[:-6] + secret[-6:][::-1]),
        st.integers(1, n - 1).map(lambda i: secret[:i] + " " + secret[i:]),
    ).filter(lambda m: m.strip() != secret)


def authorization_headers(secret: str, email: str):
    b64 = lambda raw: base64.b64encode(raw.encode("utf-8", "surrogatepass")).decode()  # noqa: E731
    emails = st.sampled_from([email, email.upper(), "admin@globex.example", "", "a" * 300])
    return st.one_of(
        st.text(max_size=200),
        st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
        st.tuples(SCHEMES, SEPARATORS, st.text(max_size=100)).map("".join),
        st.integers(0, 16384).map(lambda n: "Bearer " + "A" * n),
        st.tuples(st.sampled_from(["Bearer ", "Token ", "Bearer  "]), mutations(secret)).map(
            "".join
        ),
        st.tuples(emails, BASIC_SEPARATORS, mutations(secret) | st.just(secret)).map(
            lambda parts: "Basic " + b64("".join(parts))
        ),
        st.tuples(emails, st.just("/token:"), mutations(secret)).map(
            lambda parts: "Basic " + b64("".join(parts))
        ),
        st.text(max_size=100).map(lambda t: "Basic " + t),
        st.binary(max_size=100).map(lambda b: "Basic " + base64.b64encode(b).decode()),
    )


def test_random_authorization_headers_are_refused_cleanly(api, issue, admin_a, account_a):
    _, secret = issue(admin_a, account_a)
    client = api()

    @FUZZ
    @given(header=authorization_headers(secret, admin_a.email))
    def check(header):
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
        assert_clean_refusal(response, echoed=header.partition(" ")[2].strip())

    check()


def test_the_fuzzer_can_tell_a_valid_token_from_a_near_miss(api, issue, admin_a, account_a):
    _, secret = issue(admin_a, account_a)
    assert api(secret).get("/api/v1/me").status_code == 200
    basic = base64.b64encode(f"{admin_a.email}/token:{secret}".encode()).decode()
    assert api(basic, scheme="Basic").get("/api/v1/me").status_code == 200


# --- JSON bodies of every write endpoint ---------------------------------------------------

HUGE = st.sampled_from([2**31, 2**63, -(2**63) - 1, 10**30, -1, 0])
PLAUSIBLE = st.sampled_from(
    [
        *SCOPES,
        *Role.values,
        "admin@acme.example",
        "agent@acme.example",
        "admin@globex.example",
        "2030-01-01T00:00:00Z",
        "1970-01-01",
        "9999-12-31T23:59:59+14:00",
        "0000-00-00",
        "",
        " ",
        "\x00",
        "\u202e",
        "\u200b",
        "a" * 201,
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | HUGE
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | PLAUSIBLE
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=6,
)


# Nesting deeper than Python's recursion limit, which the standard JSON decoder cannot follow.
NESTED = st.builds(
    lambda depth, shape: shape[0] * depth + shape[1] + shape[2] * depth,
    st.integers(1, 20_000),
    st.sampled_from([("[", "", "]"), ('{"a":', "1", "}")]),
)


def bodies(fields: list[str]):
    """Bytes sent as application/json: objects with the endpoint's fields, any JSON, deeply
    nested JSON, or junk."""
    field_aware = st.fixed_dictionaries({}, optional=dict.fromkeys(fields, JSON))
    return st.one_of(
        field_aware.map(json.dumps),
        JSON.map(json.dumps),
        NESTED,
        st.binary(max_size=200),
        st.text(max_size=200),
    ).map(lambda body: body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass"))


# (method, path, fields) — "{token}" is an agent's token, "{member}" the agent's membership.
# Rotation and the DELETEs take no body; the schema tests send them whatever the schema allows.
WRITE_ENDPOINTS = [
    ("post", "/api/v1/tokens", ["description", "scopes", "expires_at", "owner_id"]),
    ("patch", "/api/v1/tokens/{token}", ["description", "owner", "scopes", "revoked_at"]),
    (
        "patch",
        "/api/v1/account",
        ["name", "token_access_enabled", "members_can_create_tokens", "token_max_lifetime_days"],
    ),
    ("post", "/api/v1/members", ["email", "service_account", "name", "role"]),
    ("patch", "/api/v1/members/{member}", ["role", "user", "account"]),
    ("post", "/api/v1/tokens/revoke-leaked", ["tokens"]),
]


@pytest.mark.parametrize(
    ("method", "path", "fields"), WRITE_ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in WRITE_ENDPOINTS]
)
def test_random_json_bodies_never_break_a_write_endpoint(
    api, issue, admin_a, agent_a, account_a, method, path, fields
):
    _, secret = issue(admin_a, account_a)
    token, _ = issue(agent_a, account_a)
    url = path.format(token=token.pk, member=agent_a.memberships.get().pk)
    # Authenticated once, up front: the header fuzz above covers authentication, and sparing
    # its query per example keeps 2,000 examples per endpoint affordable.
    client = api()
    access = services.token_authenticate(secret)
    client.force_authenticate(user=access.user, token=access)

    @FUZZ
    @given(body=bodies(fields))
    def check(body):
        with transaction.atomic():
            response = client.generic(method.upper(), url, body, content_type="application/json")
            transaction.set_rollback(True)
        assert response.status_code in SUCCESS | CLIENT_ERRORS, (
            response.status_code,
            response.content[:300],
        )
        if response.status_code in CLIENT_ERRORS:
            assert response["Content-Type"].startswith("application/json")

    check()


CONTENT_TYPES = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "multipart/form-data",
        "text/plain",
        "application/xml",
        "application/json; charset=utf-16",
        "application/json; charset=nope",
        "application/vnd.api+json",
        "*/*",
    ]
) | st.text(max_size=40)


def test_bodies_of_any_content_type_never_break_the_api(api, issue, admin_a, account_a):
    _, secret = issue(admin_a, account_a)
    client = api()
    access = services.token_authenticate(secret)
    client.force_authenticate(user=access.user, token=access)

    @FUZZ
    @given(content_type=CONTENT_TYPES, body=bodies(["description", "scopes"]))
    def check(content_type, body):
        with transaction.atomic():
            response = client.generic("POST", "/api/v1/tokens", body, content_type=content_type)
            transaction.set_rollback(True)
        assert response.status_code in SUCCESS | CLIENT_ERRORS | {415}, (
            response.status_code,
            response.content[:300],
        )
        assert response["Content-Type"].startswith("application/json")

    check()


def test_the_body_fuzzer_reaches_success_as_well(api, issue, admin_a, account_a):
    _, secret = issue(admin_a, account_a)
    response = api(secret).post("/api/v1/tokens", {"description": "ok"}, format="json")
    assert response.status_code == 201
