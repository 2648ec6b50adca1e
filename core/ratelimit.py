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


def _window(key: str, rate_name: str) -> tuple[str, int, int, float]:
    """The cache key of the current window, the limit, the period and the time."""
    limit, period = parse_rate(settings.THROTTLE_RATES[rate_name])
    now = clock()
    return f"rl:{rate_name}:{key}:{int(now // period)}", limit, period, now


def _wait(period: int, now: float) -> int:
    """Seconds until the current window ends."""
    return max(1, math.ceil(period - now % period))


def hit(key: str, rate_name: str) -> int | None:
    """Count one event under `key`. Returns the seconds to wait when over the limit, else None."""
    window_key, limit, period, now = _window(key, rate_name)
    cache.add(window_key, 0, timeout=period + 1)
    try:
        count = cache.incr(window_key)
    except ValueError:  # the window expired between add and incr
        cache.add(window_key, 1, timeout=period + 1)
        count = 1
    if count > limit:
        return _wait(period, now)
    return None


def peek(*counters: tuple[str, str]) -> int | None:
    """Whether one more event would be refused, without counting it: the longest wait among the
    (key, rate_name) counters already at their limit, else None. One cache round trip."""
    windows = [_window(key, rate_name) for key, rate_name in counters]
    counts = cache.get_many([window_key for window_key, *_ in windows])
    waits = [
        _wait(period, now)
        for window_key, limit, period, now in windows
        if counts.get(window_key, 0) >= limit
    ]
    return max(waits, default=None)
