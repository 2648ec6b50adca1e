"""Rate limits as fixed-window counters in the shared cache (Redis in production), so they hold
across worker processes and machines.

On Redis a count is one round trip: a pipelined INCR + EXPIRE NX on a client kept with the cache
backend (Django's own `add` + `incr` take three, each building a client). Any other cache (local
memory, the embedded default) goes through the cache API, where `add` + `incr` are atomic too.
DRF's own throttles read and write a list, which races between workers.

`clock` is the seam tests freeze: every window is computed from it."""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache

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


@dataclass(frozen=True)
class Window:
    """A counter's current window after counting one event: what `RateLimit-Limit`,
    `RateLimit-Remaining` and `RateLimit-Reset` headers would say."""

    count: int
    limit: int
    reset: int  # seconds until the window ends, at least 1

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit


def parse_rate(rate: str) -> tuple[int, int]:
    """'60/min' → (60, 60)."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip().lower()]


def _window(key: str, rate_name: str) -> tuple[str, int, int]:
    """The counter's name, limit and period for `key` under the rate `rate_name`."""
    limit, period = parse_rate(settings.THROTTLE_RATES[rate_name])
    return f"{rate_name}:{key}", limit, period


def _cache_key(name: str, period: int, now: float) -> str:
    return f"rl:{name}:{int(now // period)}"


def _reset(period: int, now: float) -> int:
    """Seconds until the current window ends."""
    return max(1, math.ceil(period - now % period))


def _redis_client(backend: RedisCache):
    """A redis-py client on the backend's own connection pool, made once per backend instance
    (one per thread, like Django's)."""
    client = backend.__dict__.get("_ratelimit_client")
    if client is None:
        client = backend._cache.get_client(write=True)
        backend.__dict__["_ratelimit_client"] = client
    return client


def _incr(cache_key: str, timeout: int) -> int:
    """Add one to the counter, creating it with `timeout` seconds to live; the new value."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        # The backend's key (KEY_PREFIX, version), so that peek()'s get_many reads it back.
        key = backend.make_and_validate_key(cache_key)
        pipe = _redis_client(backend).pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, timeout, nx=True)
        value, _ = pipe.execute()
        return value
    backend.add(cache_key, 0, timeout=timeout)
    try:
        return backend.incr(cache_key)
    except ValueError:  # the window expired between add and incr
        backend.add(cache_key, 1, timeout=timeout)
        return 1


def count(key: str, limit: int, period: int) -> Window:
    """Count one event under `key` in the current `period`-second window; one cache round trip
    on Redis. The caller namespaces `key`."""
    now = clock()
    value = _incr(_cache_key(key, period, now), timeout=period + 1)
    return Window(count=value, limit=limit, reset=_reset(period, now))


def hit(key: str, rate_name: str) -> int | None:
    """Count one event under `key`. Returns the seconds to wait when over the limit, else None."""
    window = count(*_window(key, rate_name))
    return window.reset if window.exceeded else None


def peek(*counters: tuple[str, str]) -> int | None:
    """Whether one more event would be refused, without counting it: the longest wait among the
    (key, rate_name) counters already at their limit, else None. One cache round trip."""
    now = clock()
    windows = [
        (_cache_key(name, period, now), limit, period)
        for name, limit, period in (_window(key, rate_name) for key, rate_name in counters)
    ]
    counts = cache.get_many([cache_key for cache_key, *_ in windows])
    waits = [
        _reset(period, now)
        for cache_key, limit, period in windows
        if counts.get(cache_key, 0) >= limit
    ]
    return max(waits, default=None)
