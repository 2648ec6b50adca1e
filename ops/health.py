"""Probes for process managers and load balancers: no authentication, no rate limit, and
nothing about versions. `/healthz`: the process answers. `/readyz`: it can serve requests."""

import logging
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

CACHE_KEY = "ops:readyz"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    cache.set(CACHE_KEY, "ok", timeout=10)
    if cache.get(CACHE_KEY) != "ok":
        raise RuntimeError("the cache did not keep a value")


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "cache": _cache}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    failed = []
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:
            # The exception's class only: a driver's message can name hosts and users.
            logger.warning(
                "readiness check failed",
                extra={"event": "not_ready", "check": name, "error": type(exc).__name__},
            )
            failed.append(name)
    if failed:
        return JsonResponse({"status": "unavailable", "failed": failed}, status=503)
    return JsonResponse({"status": "ok"})
