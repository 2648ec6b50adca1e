"""Request helpers shared by pages and the API."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP: REMOTE_ADDR, or with NUM_PROXIES trusted proxies in front, the address the
    outermost trusted proxy saw. Entries a client adds to X-Forwarded-For itself are ignored."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.NUM_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [p for p in forwarded if p]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]
