"""The whole request, in process: Django's test client through every middleware, DRF's
dispatch, authentication, permission, throttle and rendering, on the current database and cache.

Contenders, each against its own baseline:
- `GET /api/v1/me` and knox's minimal view against the minimal DRF view (DRF's plaintext
  TokenAuthentication, no throttle: the floor of any DRF endpoint);
- the token list of 100 tokens against the same list serialized by a DRF ModelSerializer.
Rounds are interleaved and ratios taken within each round, as in bench/measure.py."""

import random
from collections.abc import Callable

from django.test import Client

from bench.measure import Result, _count, _get, _run
from bench.seed import Secrets

MINIMAL = "minimal DRF view, TokenAuthentication, no throttle"
KNOX = "minimal DRF view, knox"
ME = "GET /api/v1/me, token-portal"
LIST_SERIALIZER = "token list (100), DRF ModelSerializer"
LIST = "token list (100), token-portal"
BASELINE = {
    MINIMAL: MINIMAL,
    KNOX: MINIMAL,
    ME: MINIMAL,
    LIST_SERIALIZER: LIST_SERIALIZER,
    LIST: LIST_SERIALIZER,
}
LIST_QUERY = "?page_size=100"
SAMPLE = 50  # tokens per pass and contender: whole requests cost several times more
LIST_CALLS = 10  # a list costs about 10× a /me: fewer calls per pass


def contenders(sample: list[Secrets], admin: Secrets) -> dict[str, list[Callable[[], object]]]:
    client, sample = Client(), sample[:SAMPLE]
    return {
        MINIMAL: [_get(client, "/bench/minimal", f"Token {s.floor}") for s in sample],
        KNOX: [_get(client, "/bench/minimal-knox", f"Token {s.knox}") for s in sample],
        ME: [_get(client, "/api/v1/me", f"Bearer {s.portal}") for s in sample],
        LIST_SERIALIZER: [
            _get(client, "/bench/tokens-modelserializer" + LIST_QUERY, f"Bearer {admin.portal}")
        ]
        * LIST_CALLS,
        LIST: [_get(client, "/api/v1/tokens" + LIST_QUERY, f"Bearer {admin.portal}")] * LIST_CALLS,
    }


def measure(
    sample: list[Secrets], admin: Secrets, rounds: int, rng: random.Random
) -> dict[str, Result]:
    runs = contenders(sample, admin)
    counts, times = {}, {name: [] for name in runs}
    for name, calls in runs.items():
        _run(calls)  # warm up
        counts[name] = _count(calls, "default")
    for _ in range(rounds):
        order = list(runs)
        rng.shuffle(order)
        for name in order:
            times[name].append(_run(runs[name]))
    return {name: Result(times[name], *counts[name]) for name in BASELINE}


def table(results: dict[str, Result]) -> str:
    lines = [
        "| end to end, in process | µs per request | × baseline | queries | writes |",
        "|---|---|---|---|---|",
    ]
    for name, base in BASELINE.items():
        result = results[name]
        lines.append(
            f"| {name} | {result.micros:.1f} | {result.ratio(results[base]):.2f}× "
            f"| {result.queries:g} | {result.writes:g} |"
        )
    return "\n".join(lines)


def verdict(results: dict[str, Result], redis: bool) -> str:
    me, knox = results[ME].ratio(results[MINIMAL]), results[KNOX].ratio(results[MINIMAL])
    listed = results[LIST].ratio(results[LIST_SERIALIZER])
    goal = 0.8 if redis else 0.9
    checks = [
        (f"/api/v1/me ≤ {goal}× the minimal DRF view", me <= goal, f"{me:.2f}×; knox {knox:.2f}×"),
        ("token list ≤ 0.7× the ModelSerializer's", listed <= 0.7, f"{listed:.2f}×"),
        (
            "/api/v1/me: one query, no write",
            results[ME].queries == 1 and results[ME].writes == 0,
            f"{results[ME].queries:g} query, {results[ME].writes:g} write",
        ),
    ]
    return "\n".join(
        f"- {'met' if ok else 'MISSED'}: {label} ({value})" for label, ok, value in checks
    )
