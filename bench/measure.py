"""The contenders, and how they are timed and counted.

At each size, every contender presents the same sample of users' tokens. A round times one pass
of each contender at each size over its sample, all in a shuffled order, so that drift on a
shared machine hits contenders and sizes alike. Times are medians over the rounds; ratios are
medians of the ratios within each round."""

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from django.test import Client, RequestFactory
from knox.auth import TokenAuthentication as KnoxAuthentication
from rest_framework.authentication import TokenAuthentication as FloorAuthentication
from rest_framework.request import Request

from bench.router import SizeRouter
from bench.seed import Secrets
from bench.settings import alias
from tokens.authentication import BearerTokenAuthentication

FLOOR = "DRF TokenAuthentication (floor)"
KNOX = "knox TokenAuthentication"
PORTAL = "token-portal BearerTokenAuthentication"
FLOOR_REQUEST = "GET /api/v1/me, floor's authentication"
PORTAL_REQUEST = "GET /api/v1/me, token-portal"
# Each contender, and the one its ratio is taken against.
BASELINE = {
    FLOOR: FLOOR,
    KNOX: FLOOR,
    PORTAL: FLOOR,
    FLOOR_REQUEST: FLOOR_REQUEST,
    PORTAL_REQUEST: FLOOR_REQUEST,
}
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@dataclass(frozen=True)
class Result:
    rounds: list[float]  # µs per authentication (or request), one per round
    queries: float  # per authentication, in steady state
    writes: float

    @property
    def micros(self) -> float:
        return statistics.median(self.rounds)

    def ratio(self, other: "Result") -> float:
        """Median of the round-by-round ratios: drift between rounds cancels out."""
        return statistics.median(a / b for a, b in zip(self.rounds, other.rounds, strict=True))


def _authenticate(auth, header: str) -> Callable[[], object]:
    request = Request(RequestFactory().get("/api/v1/me", HTTP_AUTHORIZATION=header))

    def call():
        result = auth.authenticate(request)
        if result is None:
            raise AssertionError(f"{type(auth).__name__} did not authenticate")
        return result

    return call


def _get(client: Client, path: str, header: str) -> Callable[[], object]:
    def call():
        response = client.get(path, HTTP_AUTHORIZATION=header)
        if response.status_code != 200:
            raise AssertionError(f"{path} answered {response.status_code}")
        return response

    return call


def contenders(sample: list[Secrets]) -> dict[str, list[Callable[[], object]]]:
    """One call per sample token for each contender."""
    floor, knox, portal, client = (
        FloorAuthentication(),
        KnoxAuthentication(),
        BearerTokenAuthentication(),
        Client(),
    )
    return {
        FLOOR: [_authenticate(floor, f"Token {s.floor}") for s in sample],
        KNOX: [_authenticate(knox, f"Token {s.knox}") for s in sample],
        PORTAL: [_authenticate(portal, f"Bearer {s.portal}") for s in sample],
        FLOOR_REQUEST: [_get(client, "/bench/me-floor", f"Token {s.floor}") for s in sample],
        PORTAL_REQUEST: [_get(client, "/api/v1/me", f"Bearer {s.portal}") for s in sample],
    }


def _run(calls: list[Callable[[], object]]) -> float:
    """µs per call over one pass."""
    start = time.perf_counter_ns()
    for call in calls:
        call()
    return (time.perf_counter_ns() - start) / len(calls) / 1000


def _count(calls: list[Callable[[], object]], database: str) -> tuple[float, float]:
    """Statements and writes per call over one pass."""
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql.lstrip().split(None, 1)[0].upper())
        return execute(sql, params, many, context)

    with connections[database].execute_wrapper(record):
        for call in calls:
            call()
    writes = sum(verb in WRITES for verb in statements)
    return len(statements) / len(calls), writes / len(calls)


def measure(
    samples: dict[int, list[Secrets]], rounds: int, rng: random.Random
) -> dict[int, dict[str, Result]]:
    """Results by size, then by contender."""
    runs = {
        (size, name): calls
        for size, sample in samples.items()
        for name, calls in contenders(sample).items()
    }
    counts, times = {}, {key: [] for key in runs}
    for (size, name), calls in runs.items():
        SizeRouter.alias = alias(size)
        _run(calls)  # warm up: first use records last_used_at, caches fill
        counts[size, name] = _count(calls, alias(size))
    for _ in range(rounds):
        order = list(runs)
        rng.shuffle(order)
        for size, name in order:
            SizeRouter.alias = alias(size)
            times[size, name].append(_run(runs[size, name]))
    return {
        size: {name: Result(times[size, name], *counts[size, name]) for name in BASELINE}
        for size in samples
    }
