"""The SSRF guard with production settings: https only, and no private, loopback, link-local,
multicast or reserved address, checked again at each delivery against the address that is
then connected to."""

import socket

import pytest

from accounts.audit import Actor
from accounts.models import Event
from core.errors import ServiceError
from webhooks import delivery, net, services
from webhooks.models import Delivery, Status

pytestmark = pytest.mark.django_db

FORBIDDEN = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "::1",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",  # cloud metadata over IPv6
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "ff02::1",
    "::",
]


@pytest.fixture
def production(settings):
    settings.WEBHOOKS_ALLOW_LOCAL = False


def resolving_to(monkeypatch, *addresses):
    """Every host name resolves to `addresses`."""

    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port) if ":" not in a else (a, port, 0, 0),
            )
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)


@pytest.mark.parametrize("address", FORBIDDEN)
def test_forbidden_addresses(address):
    import ipaddress

    assert not net.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1::1", "::ffff:8.8.8.8"])
def test_public_addresses(address):
    import ipaddress

    assert net.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/",
        "ftp://hooks.example.com/",
        "https://127.0.0.1/",
        "https://[::1]/",
        "https://169.254.169.254/latest/meta-data/",
        "https://user:pass@hooks.example.com/",
        "https:///no-host",
        "https://hooks.example.com:99999/",
    ],
)
def test_unsafe_urls_are_refused_when_saved(production, endpoint_for, url):
    with pytest.raises(ServiceError) as refused:
        endpoint_for(url)
    assert refused.value.field == "url"


@pytest.mark.parametrize("address", ["10.0.0.5", "127.0.0.1", "169.254.169.254", "fd00::1"])
def test_a_name_resolving_to_a_private_address_is_refused_at_each_delivery(
    production, endpoint_for, account_a, admin_a, issue, monkeypatch, address
):
    resolving_to(monkeypatch, address)
    with pytest.raises(net.Refused, match="private or local"):
        net.resolve("hooks.example.com", 443)
    resolving_to(monkeypatch, "93.184.216.34")
    endpoint, _ = endpoint_for("https://hooks.example.com/in")
    # The name is re-pointed after it was saved: the delivery checks again and never connects.
    resolving_to(monkeypatch, "93.184.216.34", address)
    connected = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connected.append(a))
    issue(admin_a, account_a)
    first = delivery.fan_out(Event.objects.latest("id").uid)[0]
    delivery.attempt(first.pk)
    first.refresh_from_db()
    assert first.status == Status.FAILED and first.response_code is None
    assert "private or local address" in first.error
    assert connected == []


def test_http_and_loopback_are_accepted_outside_production(receiver, endpoint_for):
    endpoint, _ = endpoint_for(receiver.url)
    assert endpoint.url.startswith("http://127.0.0.1:")


def test_the_connection_goes_to_the_checked_address_with_the_url_host(
    receiver, endpoint_for, account_a, admin_a, issue, monkeypatch
):
    """The host name is resolved once per attempt and that very address is connected to; the
    request still names the URL's host."""
    resolving_to(monkeypatch, "127.0.0.1")
    endpoint_for(f"http://hooks.example.com:{receiver.port}/in")
    issue(admin_a, account_a)
    delivery.attempt(delivery.fan_out(Event.objects.latest("id").uid)[0].pk)
    assert receiver.requests[0]["headers"]["Host"] == f"hooks.example.com:{receiver.port}"
    assert Delivery.objects.get().status == Status.SUCCEEDED


def test_a_name_that_does_not_resolve_is_a_failed_attempt(
    endpoint_for, account_a, admin_a, issue, monkeypatch
):
    endpoint, _ = endpoint_for("https://hooks.invalid/")

    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    issue(admin_a, account_a)
    delivery.attempt(delivery.fan_out(Event.objects.latest("id").uid)[0].pk)
    failed = Delivery.objects.get(attempt=1)
    assert failed.status == Status.FAILED and "could not be resolved" in failed.error
    assert Delivery.objects.filter(attempt=2).exists()  # retried later


def test_a_receiver_slower_than_the_timeout_fails_the_attempt(
    settings, endpoint_for, account_a, admin_a, issue
):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.2
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        endpoint_for(f"http://127.0.0.1:{silent.getsockname()[1]}/")
        issue(admin_a, account_a)
        delivery.attempt(delivery.fan_out(Event.objects.latest("id").uid)[0].pk)
    finally:
        silent.close()
    failed = Delivery.objects.get(attempt=1)
    assert failed.error == "No response within 0.2 seconds."


def test_updating_the_url_is_checked_too(production, endpoint_for, monkeypatch):
    resolving_to(monkeypatch, "93.184.216.34")
    endpoint, _ = endpoint_for("https://hooks.example.com/")
    with pytest.raises(ServiceError):
        services.endpoint_update(endpoint=endpoint, actor=Actor(), url="http://hooks.example.com/")
