"""DRF throttles over the shared-cache counters of core.ratelimit, and the per-token limit.

A token's request is counted once, as it authenticates (`count_token_request`), so that every
answer after authentication, errors included, can carry the RateLimit-* headers
(`RateLimitHeadersMiddleware`); TokenRateThrottle then only reads that count."""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from accounts.access import Access
from core.http import address_bucket, client_ip
from core.ratelimit import Window, count, hit, parse_rate

# Where the count of a token's request is kept, on Django's HttpRequest.
WINDOW_ATTRIBUTE = "token_rate_window"


def count_token_request(access: Access) -> Window:
    """Count one request of `access.token` against its limit: its own per minute, else its
    account's per minute, else THROTTLE_RATES["token"]. One cache round trip."""
    per_minute = access.token.rate_limit_per_minute or access.account.token_rate_limit_per_minute
    limit, period = (per_minute, 60) if per_minute else parse_rate(settings.THROTTLE_RATES["token"])
    return count(f"token:{access.token.pk}", limit, period)


class _Throttle(BaseThrottle):
    rate_name = ""
    wait_seconds: int | None = None

    def key(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        key = self.key(request)
        if key is None:
            return True
        self.wait_seconds = hit(key, self.rate_name)
        return self.wait_seconds is None

    def wait(self) -> int | None:
        return self.wait_seconds


class TokenRateThrottle(_Throttle):
    """Per token (counted at authentication), per user for browser sessions."""

    rate_name = "token"

    def allow_request(self, request, view) -> bool:
        window = getattr(request._request, WINDOW_ATTRIBUTE, None)
        if window is None:
            return super().allow_request(request, view)
        self.wait_seconds = window.reset if window.exceeded else None
        return self.wait_seconds is None

    def key(self, request) -> str | None:
        access = request.auth
        if not isinstance(access, Access):
            return None
        return f"user:{access.user.pk}"


class RevokeLeakedThrottle(_Throttle):
    """Per client address, for the public leaked-token endpoint."""

    rate_name = "revoke_leaked"

    def key(self, request) -> str | None:
        return address_bucket(client_ip(request))


class RateLimitHeadersMiddleware:
    """`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` on every answer to a
    token-authenticated request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        window = getattr(request, WINDOW_ATTRIBUTE, None)
        if window is not None:
            response["RateLimit-Limit"] = str(window.limit)
            response["RateLimit-Remaining"] = str(window.remaining)
            response["RateLimit-Reset"] = str(window.reset)
        return response
