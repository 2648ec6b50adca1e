import pytest

from tokens import crypto

pytestmark = pytest.mark.django_db


def test_token_rate_limit_answers_429_with_retry_after(api, issue, agent_a, account_a, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "token": "3/min"}
    _, secret = issue(agent_a, account_a)
    _, other = issue(agent_a, account_a)
    client = api(secret)
    statuses = [client.get("/api/v1/me").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/me")
    assert response.json()["code"] == "throttled" and 1 <= int(response["Retry-After"]) <= 60
    assert api(other).get("/api/v1/me").status_code == 200  # counted per token


def test_failed_authentications_are_limited_per_client_ip(api, issue, agent_a, account_a, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "auth_failure": "5/min"}
    _, secret = issue(agent_a, account_a)
    attacker = api(crypto.generate())
    statuses = [attacker.get("/api/v1/me", REMOTE_ADDR="192.0.2.66").status_code for _ in range(7)]
    assert statuses == [401] * 5 + [429] * 2
    forged = attacker.get("/api/v1/me", REMOTE_ADDR="192.0.2.66", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert forged.status_code == 429 and "Retry-After" in forged
    assert api(secret).get("/api/v1/me", REMOTE_ADDR="192.0.2.77").status_code == 200


def test_malformed_tokens_count_as_failures_too(api, db, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "auth_failure": "2/min"}
    statuses = [api("garbage").get("/api/v1/me").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_trusted_proxy_count_takes_the_client_ip_from_forwarded_for(api, db, settings):
    settings.NUM_PROXIES = 1
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "auth_failure": "1/min"}
    client = api("garbage")
    first = client.get("/api/v1/me", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    again = client.get(
        "/api/v1/me", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5"
    )  # prepended entry ignored
    other = client.get("/api/v1/me", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert (first.status_code, again.status_code, other.status_code) == (401, 429, 401)
