"""Guessing tokens: failed authentications are counted per client IP in the auth layer."""

import pytest
from django.conf import settings as django_settings

from core.ratelimit import parse_rate
from tokens import crypto

pytestmark = pytest.mark.django_db


def failure_limit() -> int:
    return parse_rate(django_settings.THROTTLE_RATES["auth_failure"])[0]


def test_default_limit_is_sixty_failures_a_minute():
    assert parse_rate(django_settings.THROTTLE_RATES["auth_failure"]) == (60, 60)


def test_a_thousand_guesses_from_one_address_are_cut_off_while_others_carry_on(api, issue, admin_a):
    _, secret = issue(admin_a, admin_a.memberships.get().account)
    guesser, honest = api(), api(secret)
    statuses = []
    for n in range(1000):
        # Well-formed guesses with a valid checksum, so each one reaches the database.
        guesser.credentials(HTTP_AUTHORIZATION=f"Bearer {crypto.generate()}")
        response = guesser.get("/api/v1/me", REMOTE_ADDR="203.0.113.5")
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert int(response["Retry-After"]) > 0
        if n % 50 == 0:
            assert honest.get("/api/v1/me", REMOTE_ADDR="198.51.100.20").status_code == 200

    limit = failure_limit()
    assert statuses[:limit] == [401] * limit
    assert statuses[limit:] == [429] * (1000 - limit)


def test_throttled_guesses_are_refused_even_when_the_last_one_is_right(api, issue, admin_a):
    _, secret = issue(admin_a, admin_a.memberships.get().account)
    guesser = api("tpk_wrong")
    for _ in range(failure_limit()):
        guesser.get("/api/v1/me", REMOTE_ADDR="203.0.113.5")
    # A valid token still works from the throttled address: only failures are counted.
    assert api(secret).get("/api/v1/me", REMOTE_ADDR="203.0.113.5").status_code == 200
    response = guesser.get("/api/v1/me", REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 429 and "Retry-After" in response


@pytest.mark.parametrize("scheme", ["Bearer", "Token", "Basic"])
def test_every_scheme_counts_toward_the_same_limit(api, scheme):
    client = api("tpk_wrong")
    for _ in range(failure_limit()):
        client.get("/api/v1/me", REMOTE_ADDR="203.0.113.5")
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} bm9wZQ==")
    response = client.get("/api/v1/me", REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 429


def test_rotating_a_forged_forwarded_for_does_not_reset_the_count(api, settings):
    settings.NUM_PROXIES = 0
    client = api("tpk_wrong")
    for n in range(failure_limit()):
        client.get("/api/v1/me", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"10.1.0.{n}")
    response = client.get("/api/v1/me", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429


def test_behind_one_proxy_only_the_address_the_proxy_saw_counts(api, settings):
    settings.NUM_PROXIES = 1
    client = api("tpk_wrong")
    for n in range(failure_limit()):
        # The client prepends whatever it likes; the proxy appends the address it saw.
        client.get(
            "/api/v1/me",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"10.1.0.{n}, 203.0.113.5",
        )
    response = client.get(
        "/api/v1/me", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5"
    )
    assert response.status_code == 429
    other = client.get("/api/v1/me", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert other.status_code == 401


def test_addresses_of_one_ipv6_64_share_one_failure_count(api):
    """One subscriber holds a whole /64: its 2^64 addresses are one client, not 2^64 clients."""
    client = api("tpk_wrong")
    for n in range(failure_limit()):
        client.get("/api/v1/me", REMOTE_ADDR=f"2001:db8:a:b:{n:x}::{n + 1:x}")
    assert client.get("/api/v1/me", REMOTE_ADDR="2001:db8:a:b::ffff").status_code == 429
    assert client.get("/api/v1/me", REMOTE_ADDR="2001:db8:a:c::1").status_code == 401


def test_an_ipv4_mapped_address_counts_as_the_ipv4_address(api, settings):
    settings.NUM_PROXIES = 1
    client = api("tpk_wrong")
    for n in range(failure_limit()):
        mapped = n % 2 == 0
        forwarded = "::ffff:203.0.113.5" if mapped else "203.0.113.5:4000"
        client.get("/api/v1/me", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    response = client.get("/api/v1/me", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert response.status_code == 429


def test_leak_reports_are_rate_limited_per_address(api):
    limit = parse_rate(django_settings.THROTTLE_RATES["revoke_leaked"])[0]
    client = api()
    for _ in range(limit):
        response = client.post(
            "/api/v1/tokens/revoke-leaked", {"tokens": ["x"]}, format="json", REMOTE_ADDR="1.2.3.4"
        )
        assert response.status_code == 202
    response = client.post(
        "/api/v1/tokens/revoke-leaked", {"tokens": ["x"]}, format="json", REMOTE_ADDR="1.2.3.4"
    )
    assert response.status_code == 429 and "Retry-After" in response


def test_leak_reports_from_one_ipv6_64_share_one_count(api):
    limit = parse_rate(django_settings.THROTTLE_RATES["revoke_leaked"])[0]
    client = api()

    def report(ip):
        return client.post(
            "/api/v1/tokens/revoke-leaked", {"tokens": ["x"]}, format="json", REMOTE_ADDR=ip
        )

    for n in range(limit):
        assert report(f"2001:db8:5:6::{n + 1:x}").status_code == 202
    assert report("2001:db8:5:6:ffff:ffff:ffff:ffff").status_code == 429
    assert report("2001:db8:5:7::1").status_code == 202
