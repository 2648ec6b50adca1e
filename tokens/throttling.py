"""Rate limits as fixed-window counters in the shared cache (Redis in production), so they hold
across worker processes and machines. `cache.add` + `cache.incr` are atomic on Redis and
local memory alike; DRF's own throttles read and write a list, which races between workers."""

import math
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from accounts.access import Access
from accounts.http import client_ip

PERIODS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


def parse_rate(rate: str) -> tuple[int, int]:
    """'60/min' → (60, 60)."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip().lower()]


def hit(key: str, rate_name: str) -> int | None:
    """Count one event under `key`. Returns the seconds to wait when over the limit, else None."""
    limit, period = parse_rate(settings.THROTTLE_RATES[rate_name])
    now = time.time()
    window_key = f"rl:{rate_name}:{key}:{int(now // period)}"
    cache.add(window_key, 0, timeout=period + 1)
    try:
        count = cache.incr(window_key)
    except ValueError:  # the window expired between add and incr
        cache.add(window_key, 1, timeout=period + 1)
        count = 1
    if count > limit:
        return max(1, math.ceil(period - now % period))
    return None


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
    """Per client IP, for the public leaked-token endpoint."""

    rate_name = "revoke_leaked"

    def key(self, request) -> str | None:
        return client_ip(request) or "unknown"
