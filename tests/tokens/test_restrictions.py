"""Where a token may be used from, and where it was used (SPEC section 9)."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import AuditEvent
from tokens.models import Token

pytestmark = pytest.mark.django_db


def call(api, secret, remote="203.0.113.5", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return api(secret).get("/api/v1/me", **extra)


@pytest.fixture
def admin_api(api, issue, admin_a, account_a):
    return api(issue(admin_a, account_a)[1])


def restrict(token, *networks):
    Token.objects.filter(pk=token.pk).update(allowed_ips=list(networks))


@pytest.mark.parametrize(
    ("allowed", "inside", "outside"),
    [
        (["203.0.113.5"], "203.0.113.5", "203.0.113.6"),
        (["198.51.100.0/24"], "198.51.100.200", "198.51.101.1"),
        (["2001:db8::1"], "2001:db8::1", "2001:db8::2"),
        (["2001:db8:1::/48"], "2001:db8:1:ffff::9", "2001:db8:2::1"),
        (["192.0.2.0/24"], "::ffff:192.0.2.9", "::ffff:192.0.3.9"),
    ],
    ids=["ipv4", "ipv4-cidr", "ipv6", "ipv6-cidr", "ipv4-mapped"],
)
def test_a_token_works_only_from_its_allowed_addresses(
    api, issue, agent_a, account_a, allowed, inside, outside
):
    token, secret = issue(agent_a, account_a)
    restrict(token, *allowed)
    assert call(api, secret, remote=inside).status_code == 200
    response = call(api, secret, remote=outside)
    assert response.status_code == 403 and response.json()["code"] == "ip_not_allowed"


def test_the_address_is_the_one_the_trusted_proxy_saw(api, issue, agent_a, account_a, settings):
    settings.NUM_PROXIES = 1
    token, secret = issue(agent_a, account_a)
    restrict(token, "198.51.100.0/24")
    assert call(api, secret, remote="10.0.0.1", forwarded="198.51.100.7").status_code == 200
    # A client cannot prepend an allowed address of its own.
    forged = call(api, secret, remote="10.0.0.1", forwarded="198.51.100.7, 203.0.113.9")
    assert forged.status_code == 403


def test_the_accounts_list_applies_to_every_token(api, admin_api, issue, agent_a, account_a):
    token, secret = issue(agent_a, account_a)
    response = admin_api.patch(
        "/api/v1/account",
        {"token_allowed_ips": ["203.0.113.0/28"]},
        format="json",
        REMOTE_ADDR="203.0.113.1",
    )
    assert response.status_code == 200
    assert response.json()["token_allowed_ips"] == ["203.0.113.0/28"]
    assert call(api, secret, remote="203.0.113.15").status_code == 200
    assert call(api, secret, remote="203.0.113.16").status_code == 403
    restrict(token, "203.0.113.15")  # both lists apply
    assert call(api, secret, remote="203.0.113.14").status_code == 403
    event = AuditEvent.objects.get(action="account.updated")
    assert event.changes == {"token_allowed_ips": [[], ["203.0.113.0/28"]]}


def test_allowed_addresses_are_edited_validated_normalised_and_audited(
    admin_api, issue, agent_a, account_a
):
    token, _ = issue(agent_a, account_a)
    url = f"/api/v1/tokens/{token.pk}"
    response = admin_api.patch(
        url, {"allowed_ips": [" 10.1.2.3/8", "2001:DB8::1", "::ffff:192.0.2.1"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["allowed_ips"] == ["10.0.0.0/8", "2001:db8::1", "192.0.2.1"]
    event = AuditEvent.objects.get(action="token.updated")
    assert event.changes == {"allowed_ips": [[], ["10.0.0.0/8", "2001:db8::1", "192.0.2.1"]]}
    for bad in (["10.0.0.300"], ["example.com"], [f"10.0.0.{n}" for n in range(21)]):
        response = admin_api.patch(url, {"allowed_ips": bad}, format="json")
        assert response.status_code == 400 and "allowed_ips" in response.json()
    assert Token.objects.get(pk=token.pk).allowed_ips == ["10.0.0.0/8", "2001:db8::1", "192.0.2.1"]


def test_a_member_restricts_their_own_token(api, issue, agent_a, account_a):
    token, secret = issue(agent_a, account_a)
    response = api(secret).patch(
        f"/api/v1/tokens/{token.pk}",
        {"allowed_ips": ["203.0.113.5"]},
        format="json",
        REMOTE_ADDR="203.0.113.5",
    )
    assert response.status_code == 200
    assert call(api, secret, remote="203.0.113.6").status_code == 403


def test_authentication_with_restrictions_is_still_one_query(
    api, issue, agent_a, account_a, django_assert_num_queries
):
    token, secret = issue(agent_a, account_a)
    restrict(token, "203.0.113.0/24")
    call(api, secret)  # the first use writes
    with django_assert_num_queries(1):
        assert call(api, secret).status_code == 200


# --- recent addresses -------------------------------------------------------------------------


def test_recent_addresses_keep_the_last_5_distinct_with_no_extra_write(
    api, admin_api, issue, agent_a, account_a, time_machine, django_assert_num_queries
):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    token, secret = issue(agent_a, account_a)
    addresses = [
        "203.0.113.1",
        "203.0.113.2",
        "203.0.113.1",
        *(f"198.51.100.{n}" for n in range(5)),
    ]
    for minute, ip in enumerate(addresses):
        time_machine.move_to(start + timedelta(minutes=minute), tick=False)
        assert call(api, secret, remote=ip).status_code == 200
        with django_assert_num_queries(1):  # within the minute: nothing written
            assert call(api, secret, remote="192.0.2.77").status_code == 200
    recent = admin_api.get(f"/api/v1/tokens/{token.pk}").json()["recent_ips"]
    assert [entry["ip"] for entry in recent] == [f"198.51.100.{n}" for n in (4, 3, 2, 1, 0)]
    assert recent[0]["last_seen"] == (start + timedelta(minutes=7)).isoformat()


def test_a_use_from_a_recent_address_costs_the_one_write_of_the_minute(
    api, issue, agent_a, account_a, time_machine, django_assert_num_queries
):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    token, secret = issue(agent_a, account_a)
    for minute, ip in enumerate(["203.0.113.1", "203.0.113.2"]):
        time_machine.move_to(start + timedelta(minutes=minute), tick=False)
        call(api, secret, remote=ip)
    time_machine.move_to(start + timedelta(minutes=2), tick=False)
    # One query to authenticate, one write for the last use and the recent addresses.
    with django_assert_num_queries(2):
        assert call(api, secret, remote="203.0.113.1").status_code == 200
    recent = Token.objects.get(pk=token.pk).recent_ips
    assert [entry["ip"] for entry in recent] == ["203.0.113.1", "203.0.113.2"]
