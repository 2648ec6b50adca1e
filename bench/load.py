"""`--http`: the same contenders over HTTP. gunicorn serves the benchmark's settings and database
as `make serve` runs it (2 sync workers, config/gunicorn.py); a load generator on loopback keeps a
bounded number of requests in flight, one TCP connection per request (gunicorn's sync workers
close each one), and records every latency. Targets run in interleaved rounds of a few seconds
each; req/s and p99 are medians over the rounds."""

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.seed import Secrets

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = "minimal DRF view, TokenAuthentication, no throttle"
KNOX = "minimal DRF view, knox"
ME = "GET /api/v1/me, token-portal"
FLOOD = "401 flood (bad bearer tokens), token-portal"
LIST_SERIALIZER = "token list (100), DRF ModelSerializer"
LIST = "token list (100), token-portal"
MAX_SECONDS = 60
MAX_CONNECTIONS = 32


@dataclass(frozen=True)
class Target:
    path: str
    headers: list[str]  # Authorization values, used in turn
    status: int


@dataclass(frozen=True)
class Load:
    rate: float  # requests per second
    p99: float  # ms
    errors: int  # answers other than the expected status


def targets(sample: list[Secrets], admin: Secrets) -> dict[str, Target]:
    bad = ["Bearer tpk_" + "0" * 40, "Bearer tpk_" + "1" * 40, "Bearer not-a-token"]
    return {
        MINIMAL: Target("/bench/minimal", [f"Token {s.floor}" for s in sample], 200),
        KNOX: Target("/bench/minimal-knox", [f"Token {s.knox}" for s in sample], 200),
        ME: Target("/api/v1/me", [f"Bearer {s.portal}" for s in sample], 200),
        FLOOD: Target("/api/v1/me", bad, 401),
        LIST_SERIALIZER: Target(
            "/bench/tokens-modelserializer?page_size=100", [f"Bearer {admin.portal}"], 200
        ),
        LIST: Target("/api/v1/tokens?page_size=100", [f"Bearer {admin.portal}"], 200),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn as `make serve` starts it, on the benchmark's settings and databases."""

    def __init__(self, workers: int = 2):
        self.port = _free_port()
        self.process = subprocess.Popen(  # noqa: S603 -- our own gunicorn, fixed arguments
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi",
                "-c",
                "config/gunicorn.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--no-control-socket",
            ],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
            stdout=subprocess.DEVNULL,  # the access log: a line per request, as in production
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


async def _request(port: int, path: str, authorization: str) -> tuple[int, float]:
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {authorization}\r\n"
        "Accept: application/json\r\nConnection: close\r\n\r\n".encode()
    )
    answer = await reader.read()  # until the server closes
    writer.close()
    status = int(answer[9:12]) if answer.startswith(b"HTTP/1.") else 0
    return status, time.perf_counter() - start


async def _load(port: int, target: Target, seconds: float, connections: int) -> Load:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker(n: int) -> None:
        nonlocal errors
        i = n
        while time.perf_counter() < deadline:
            status, latency = await _request(
                port, target.path, target.headers[i % len(target.headers)]
            )
            latencies.append(latency)
            errors += status != target.status
            i += connections

    start = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(connections)))
    elapsed = time.perf_counter() - start
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000 if len(latencies) > 1 else 0.0
    return Load(rate=len(latencies) / elapsed, p99=p99, errors=errors)


def measure(
    sample: list[Secrets], admin: Secrets, rounds: int, seconds: float, connections: int, rng
) -> dict[str, list[Load]]:
    seconds = min(seconds, MAX_SECONDS)
    connections = min(connections, MAX_CONNECTIONS)
    runs = targets(sample, admin)
    server = Server()
    try:
        results: dict[str, list[Load]] = {name: [] for name in runs}
        for target in runs.values():  # warm up every worker's connections and caches
            asyncio.run(_load(server.port, target, 1, connections))
        for _ in range(rounds):
            order = list(runs)
            rng.shuffle(order)
            for name in order:
                load = asyncio.run(_load(server.port, runs[name], seconds, connections))
                results[name].append(load)
        return results
    finally:
        server.stop()


def _rate(loads: list[Load]) -> float:
    return statistics.median(load.rate for load in loads)


def _ratio(loads: list[Load], other: list[Load]) -> float:
    return statistics.median(a.rate / b.rate for a, b in zip(loads, other, strict=True))


def table(results: dict[str, list[Load]], rounds: int, seconds: float, connections: int) -> str:
    base = {LIST: LIST_SERIALIZER, LIST_SERIALIZER: LIST_SERIALIZER}
    lines = [
        f"| over HTTP ({rounds} rounds of {seconds:g} s, {connections} connections) "
        "| req/s | × baseline | p99, ms | unexpected answers |",
        "|---|---|---|---|---|",
    ]
    for name, loads in results.items():
        baseline = results[base.get(name, MINIMAL)]
        lines.append(
            f"| {name} | {_rate(loads):,.0f} | {_ratio(loads, baseline):.2f}× "
            f"| {statistics.median(load.p99 for load in loads):.1f} "
            f"| {sum(load.errors for load in loads)} |"
        )
    return "\n".join(lines)


def verdict(results: dict[str, list[Load]]) -> str:
    knox = _ratio(results[ME], results[KNOX])
    floor = _ratio(results[ME], results[MINIMAL])
    flood = _ratio(results[FLOOD], results[ME])
    listed = _ratio(results[LIST], results[LIST_SERIALIZER])
    checks = [
        ("/api/v1/me req/s ≥ 2× knox's", knox >= 2, f"{knox:.2f}×"),
        ("/api/v1/me req/s ≥ 1.1× the minimal DRF view's", floor >= 1.1, f"{floor:.2f}×"),
        ("a 401 costs no more than a 200 (flood req/s ≥ /me's)", flood >= 1, f"{flood:.2f}×"),
        ("token list req/s above the ModelSerializer's", listed > 1, f"{listed:.2f}×"),
    ]
    return "\n".join(
        f"- {'met' if ok else 'MISSED'}: {label} ({value})" for label, ok, value in checks
    )
