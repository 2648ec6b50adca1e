"""The client address: parsed from REMOTE_ADDR or the trusted X-Forwarded-For entry, normalised,
never taken raw; and the bucket every per-address counter is keyed by."""

import pytest
from django.test import RequestFactory

from core.http import address_bucket, client_ip


def request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("198.51.100.9", "198.51.100.9"),
        (" 198.51.100.9 ", "198.51.100.9"),
        ("198.51.100.9:1234", "198.51.100.9"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("::ffff:198.51.100.9", "198.51.100.9"),
        ("[::ffff:c633:6409]:80", "198.51.100.9"),
    ],
)
def test_a_forwarded_address_is_parsed_and_normalised(settings, entry, expected):
    settings.NUM_PROXIES = 1
    assert client_ip(request(forwarded=f"192.0.2.1, {entry}")) == expected


@pytest.mark.parametrize(
    "entry",
    [
        "unknown",
        "_hidden",  # RFC 7239's obfuscated identifiers
        "198.51.100.9:port",
        "198.51.100.9:",
        "[2001:db8::1]:x",
        "[2001:db8::1",
        "2001:db8::1]",
        "fe80::1%eth0",
        "198.51.100.009",
        "256.1.1.1",
        "\x00",
        "198.51.100.9\x00",
        "<script>",
        "' OR 1=1 --",
    ],
)
def test_an_unparsable_forwarded_entry_is_unknown_never_raw(settings, entry):
    settings.NUM_PROXIES = 1
    assert client_ip(request(forwarded=entry)) is None


def test_behind_two_proxies_the_entry_the_outer_proxy_wrote_counts(settings):
    settings.NUM_PROXIES = 2
    forwarded = "10.9.9.9, 203.0.113.5:5555, 10.0.0.3"
    assert client_ip(request(forwarded=forwarded)) == "203.0.113.5"


def test_too_few_forwarded_entries_fall_back_to_the_proxy_address(settings):
    settings.NUM_PROXIES = 2
    assert client_ip(request(remote="10.0.0.2", forwarded="203.0.113.5")) == "10.0.0.2"


def test_without_proxies_the_forwarded_header_is_ignored(settings):
    settings.NUM_PROXIES = 0
    assert client_ip(request(remote="10.0.0.1", forwarded="203.0.113.5")) == "10.0.0.1"


@pytest.mark.parametrize(
    ("remote", "expected"),
    [("::ffff:10.0.0.1", "10.0.0.1"), ("", None), ("not-an-address", None)],
)
def test_remote_addr_is_parsed_too(settings, remote, expected):
    settings.NUM_PROXIES = 0
    assert client_ip(request(remote=remote)) == expected


@pytest.mark.parametrize(
    ("ip", "bucket"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        (None, "unknown"),
        ("garbage", "unknown"),
    ],
)
def test_every_per_address_counter_counts_ipv6_by_64_and_mapped_addresses_as_ipv4(ip, bucket):
    assert address_bucket(ip) == bucket
