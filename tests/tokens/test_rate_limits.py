"""Per-token rate limits and the RateLimit-* headers (SPEC section 9)."""

import pytest

from tokens.models import Token

pytestmark = pytest.mark.django_db


def headers(response):
    return tuple(
        int(response[name])
        for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
    )


def test_headers_count_down_and_reset_with_the_minute(
    api, issue, agent_a, account_a, ratelimit_clock
):
    token, secret = issue(agent_a, account_a)
    Token.objects.filter(pk=token.pk).update(rate_limit_per_minute=2)
    client = api(secret)
    assert headers(client.get("/api/v1/me")) == (2, 1, 59)
    ratelimit_clock.advance(30)
    assert headers(client.get("/api/v1/me")) == (2, 0, 29)
    refused = client.get("/api/v1/me")
    assert refused.status_code == 429 and headers(refused) == (2, 0, 29)
    assert refused["Retry-After"] == "29"
    ratelimit_clock.advance(29)  # the next minute
    response = client.get("/api/v1/me")
    assert response.status_code == 200 and headers(response) == (2, 1, 60)


def test_the_limit_falls_back_to_the_account_then_the_setting(
    api, issue, agent_a, account_a, settings
):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "token": "7/min"}
    _, secret = issue(agent_a, account_a)
    assert headers(api(secret).get("/api/v1/me"))[0] == 7
    account_a.token_rate_limit_per_minute = 5
    account_a.save()
    assert headers(api(secret).get("/api/v1/me"))[:2] == (5, 3)


def test_errors_after_authentication_carry_the_headers_too(api, issue, light_a, account_a):
    _, secret = issue(light_a, account_a)
    response = api(secret).get("/api/v1/members")
    assert response.status_code == 403 and "RateLimit-Remaining" in response


def test_answers_without_a_token_carry_none(api, db):
    assert "RateLimit-Limit" not in api().get("/api/v1/me")


def test_only_admins_set_a_tokens_limit(api, issue, admin_a, agent_a, account_a):
    token, secret = issue(agent_a, account_a)
    url = f"/api/v1/tokens/{token.pk}"
    response = api(secret).patch(url, {"rate_limit_per_minute": 10_000}, format="json")
    assert response.status_code == 403
    _, admin = issue(admin_a, account_a)
    response = api(admin).patch(url, {"rate_limit_per_minute": 10}, format="json")
    assert response.status_code == 200 and response.json()["rate_limit_per_minute"] == 10
    assert headers(api(secret).get("/api/v1/me"))[0] == 10
    for bad in (0, -1, "many"):
        response = api(admin).patch(url, {"rate_limit_per_minute": bad}, format="json")
        assert response.status_code == 400


def test_rotation_keeps_the_limit_and_the_allowed_addresses(api, issue, admin_a, account_a):
    token, secret = issue(admin_a, account_a)
    Token.objects.filter(pk=token.pk).update(rate_limit_per_minute=9, allowed_ips=["10.0.0.0/8"])
    response = api(secret).post(
        f"/api/v1/tokens/{token.pk}/rotate", {}, format="json", REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["rate_limit_per_minute"] == 9 and body["allowed_ips"] == ["10.0.0.0/8"]
