"""Rate limits as fixed-window counters in the shared cache (Redis in production), so they hold
across worker processes and machines. `cache.add` + `cache.incr` are atomic on Redis and
local memory alike; DRF's own throttles read and write a list, which races between workers.

`clock` is the seam tests freeze: every window is computed from it."""

import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

clock: Callable[[], float] = time.time

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
    now = clock()
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
