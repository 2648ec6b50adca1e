"""Request helpers shared by pages and the API."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse(value: str) -> IPAddress | None:
    """A bare address, `v4:port`, `[v6]` or `[v6]:port`, as an address; IPv4-mapped IPv6 as the
    IPv4 address. Anything else (`unknown`, obfuscated identifiers, garbage) is None."""
    value = value.strip()
    if value.startswith("["):
        host, bracket, port = value[1:].partition("]")
        if not bracket or (port and not (port[0] == ":" and port[1:].isdigit())):
            return None
    elif value.count(":") == 1:  # IPv4 with a port; IPv6 has at least two colons
        host, _, port = value.partition(":")
        if not port.isdigit():
            return None
    else:
        host = value
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:  # a zone (`fe80::1%eth0`) means nothing beyond the proxy's host
            return None
        if address.ipv4_mapped:
            return address.ipv4_mapped
    return address


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP, normalised, or None when it is unknown: REMOTE_ADDR, or with NUM_PROXIES
    trusted proxies in front, the address the outermost trusted proxy saw. Entries a client adds
    to X-Forwarded-For itself are ignored, and so is whatever is not an address: the value is
    written to the database and keys the rate limits, so it is never taken raw."""
    candidate = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.NUM_PROXIES
    if proxies > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    address = _parse(candidate)
    return None if address is None else str(address)


def address_bucket(ip: str | None) -> str:
    """The key of every per-address counter: the IPv4 address, or the /64 network of an IPv6
    address (one subscriber usually holds a whole /64), or "unknown"."""
    address = _parse(ip or "")
    if address is None:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
