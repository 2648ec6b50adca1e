"""DRF throttles over the shared-cache counters of core.ratelimit."""

from rest_framework.throttling import BaseThrottle

from accounts.access import Access
from core.http import address_bucket, client_ip
from core.ratelimit import hit


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
    """Per token (per user for browser sessions), for authenticated calls."""

    rate_name = "token"

    def key(self, request) -> str | None:
        access = request.auth
        if not isinstance(access, Access):
            return None
        return f"token:{access.token.pk}" if access.token else f"user:{access.user.pk}"


class RevokeLeakedThrottle(_Throttle):
    """Per client address, for the public leaked-token endpoint."""

    rate_name = "revoke_leaked"

    def key(self, request) -> str | None:
        return address_bucket(client_ip(request))
