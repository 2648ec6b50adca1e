"""The log of a run of API calls and sign-ins: a line for each failed authentication, 429 and
audit event, each with its request id, and no secret anywhere."""

import base64
import json

import pytest

from tests.factories import PASSWORD
from tokens import crypto

pytestmark = pytest.mark.django_db

# Well formed (its checksum matches), but no such token exists.
UNKNOWN = "tpk_" + "A" * 32 + crypto.checksum("tpk_" + "A" * 32)


@pytest.fixture
def run(api, client, issue, admin_a, account_a, settings, log_lines):
    """Create, use (Bearer and Basic), fail, get throttled, revoke, sign in; returns what an
    operator would find in the log, the responses by name, and every secret involved."""
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "auth_failure": "3/min"}
    responses = {}
    _, admin_secret = issue(admin_a, account_a)
    admin = api(admin_secret)
    responses["create"] = admin.post("/api/v1/tokens", {"description": "ci"}, format="json")
    created = responses["create"].json()
    basic = base64.b64encode(f"{admin_a.email}/token:{created['token']}".encode()).decode()
    responses["bearer"] = api(created["token"]).get("/api/v1/me")
    responses["basic"] = api(basic, scheme="Basic").get("/api/v1/me")
    responses["malformed"] = api(created["token"][:-1]).get("/api/v1/me")
    responses["unknown"] = api(UNKNOWN).get("/api/v1/me")
    responses["bad_basic"] = api("not-base64!", scheme="Basic").get("/api/v1/me")
    responses["throttled"] = api(UNKNOWN).get("/api/v1/me")
    responses["revoke"] = admin.delete(f"/api/v1/tokens/{created['id']}")
    responses["wrong_password"] = client.post(
        "/login/", {"username": admin_a.email, "password": "not the password"}
    )
    responses["sign_in"] = client.post("/login/", {"username": admin_a.email, "password": PASSWORD})
    statuses = {name: response.status_code for name, response in responses.items()}
    assert statuses == {
        "create": 201,
        "bearer": 200,
        "basic": 200,
        "malformed": 401,
        "unknown": 401,
        "bad_basic": 401,
        "throttled": 429,
        "revoke": 204,
        "wrong_password": 200,
        "sign_in": 302,
    }
    secrets = [
        admin_secret,
        created["token"],
        created["token"][:-1],
        UNKNOWN,
        basic,
        PASSWORD,
        client.cookies["sessionid"].value,
        client.cookies["csrftoken"].value,
    ]
    return log_lines(), responses, secrets


def lines_of(log, event):
    return [line for line in log if line.get("event") == event]


def test_each_failed_authentication_has_a_line_with_reason_address_and_prefix(run):
    log, responses, _ = run
    failures = lines_of(log, "auth.failed")
    assert [(f["reason"], f.get("token_prefix")) for f in failures] == [
        ("malformed", None),  # a token one character short
        ("refused", "tpk_AAAAAAAA"),  # well formed, but no such token
        ("malformed", None),  # Basic credentials that are not base64
        ("refused", "tpk_AAAAAAAA"),  # the throttled attempt
        ("bad_credentials", None),  # the sign-in page
    ]
    assert {f["client_ip"] for f in failures} == {"127.0.0.1"}
    assert failures[1]["request_id"] == responses["unknown"]["X-Request-ID"]


def test_a_429_has_a_line_with_the_address_and_the_wait(run):
    log, responses, _ = run
    (throttled,) = lines_of(log, "throttled")
    assert throttled["client_ip"] == "127.0.0.1" and throttled["path"] == "/api/v1/me"
    assert throttled["retry_after"] == responses["throttled"]["Retry-After"]
    assert throttled["request_id"] == responses["throttled"]["X-Request-ID"]


def test_each_audit_event_has_a_line(run, admin_a, account_a):
    log, responses, _ = run
    audit = lines_of(log, "audit")
    assert [line["action"] for line in audit] == ["token.created", "token.created", "token.revoked"]
    created_id = responses["create"].json()["id"]
    assert audit[1]["target"] == f"token:{created_id}"
    assert audit[1]["account_id"] == account_a.pk and audit[1]["actor_id"] == admin_a.pk
    assert audit[1]["request_id"] == responses["create"]["X-Request-ID"]


def test_djangos_4xx_lines_carry_the_request_id(run):
    log, responses, _ = run
    unauthorized = [line for line in log if line["logger"] == "django.request"]
    assert {line["request_id"] for line in unauthorized} >= {
        responses[name]["X-Request-ID"] for name in ("malformed", "unknown", "bad_basic")
    }


def test_no_line_holds_a_secret_a_password_a_header_or_a_session(run):
    log, _, secrets = run
    text = "\n".join(json.dumps(line) for line in log)
    for secret in secrets:
        assert secret not in text
        assert secret[4:] not in text
    for word in ("Authorization", "Bearer ", "Basic ", "sessionid", "csrftoken", "Cookie"):
        assert word.lower() not in text.lower()
    # Only the token issued outside any request (by the test itself) has no request id.
    (outside,) = [line for line in log if line["request_id"] == "-"]
    assert outside["event"] == "audit" and outside["action"] == "token.created"
