"""Sending a webhook without letting its URL reach inside our network (SSRF).

In production (`WEBHOOKS_ALLOW_LOCAL` off) a URL must be https, and every address its host
resolves to must be a public one: not private, loopback, link-local (the cloud metadata service
lives at 169.254.169.254), multicast, reserved or unspecified, IPv4 or IPv6, also when an IPv4
address hides inside an IPv6 one. The check runs at each delivery, not only when the URL is
saved, and the connection goes to the very address that was checked, so a DNS answer that
changes between check and connect cannot redirect it. Redirects are never followed."""

import http.client
import ipaddress
import socket
import ssl
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings

# Enough of a response body to finish the exchange; it is neither stored nor shown.
MAX_RESPONSE_BYTES = 64 * 1024
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """The URL or the address it resolves to may not be called."""


def check_url(url: str) -> None:
    """Raise Refused unless `url` is a URL webhooks may be sent to (before resolving it)."""
    parts = urlsplit(url)
    allowed = ("http", "https") if settings.WEBHOOKS_ALLOW_LOCAL else ("https",)
    if parts.scheme not in allowed:
        raise Refused(f"The URL must start with {' or '.join(s + '://' for s in allowed)}.")
    if not parts.hostname:
        raise Refused("The URL needs a host name.")
    if parts.username is not None or parts.password is not None:
        raise Refused("The URL may not contain a user name or password.")
    try:
        parts.port  # noqa: B018 -- raises ValueError for a port out of range
    except ValueError:
        raise Refused("The URL's port is not valid.") from None
    if not settings.WEBHOOKS_ALLOW_LOCAL:
        try:
            address = ipaddress.ip_address(parts.hostname)
        except ValueError:
            return
        if not is_public(address):
            raise Refused("The URL points to a private or local address.")


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not is_public(embedded):
            return False
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int) -> str:
    """The address to connect to. In production every address of the host must be public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise Refused(f"The host name could not be resolved ({exc.strerror or exc}).") from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise Refused("The host name has no address.")
    if not settings.WEBHOOKS_ALLOW_LOCAL:
        for address in addresses:
            if not is_public(ipaddress.ip_address(address.split("%", 1)[0])):
                raise Refused(f"The host resolves to a private or local address ({address}).")
    return addresses[0]


def _connect_to(address: str, host_and_port, *args, **kwargs) -> socket.socket:
    return socket.create_connection((address, host_and_port[1]), *args, **kwargs)


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST `body` to `url`: checked, pinned to the checked address, with the configured
    timeout, never following a redirect. Returns the response's status code. Raises Refused, or
    OSError (timeouts included) and http.client.HTTPException for network failures."""
    check_url(url)
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    host = parts.hostname or ""  # check_url refused URLs without a host
    address = resolve(host, port)
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    if https:
        # Certificate and SNI are checked against the host name, the socket goes to `address`.
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    conn._create_connection = partial(_connect_to, address)  # type: ignore[attr-defined]
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        return response.status
    finally:
        conn.close()
