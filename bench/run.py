"""`make bench`: what authenticating a token costs, next to DRF's plaintext TokenAuthentication
(the floor) and django-rest-knox, at growing numbers of tokens; then whole requests end to end,
in process and, with --http, over HTTP through gunicorn. Prints Markdown tables.

    .venv/bin/python bench/run.py [--million] [--rounds 21] [--sample 200] [--http]

Each size gets a database of its own that the benchmark creates, migrates and drops: a
temporary SQLite file by default; with DATABASE_URL naming PostgreSQL, `<name>_<size>` on that
server (`<name>` is the URL's database if it ends in `_bench`, else that name plus `_bench`)."""

import argparse
import os
import platform
import random
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
ADMIN = 0


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--million", action="store_true", help="also measure 1,000,000 tokens")
    parser.add_argument("--rounds", type=int, default=21, help="timed rounds (default 21)")
    parser.add_argument("--sample", type=int, default=200, help="tokens presented per round")
    parser.add_argument("--seed", type=int, default=7, help="random seed for sample and order")
    parser.add_argument("--http", action="store_true", help="also load gunicorn over loopback")
    parser.add_argument("--http-rounds", type=int, default=3, help="rounds per HTTP target")
    parser.add_argument(
        "--http-seconds", type=float, default=4, help="seconds per HTTP target and round (≤ 60)"
    )
    parser.add_argument("--connections", type=int, default=8, help="requests in flight (≤ 32)")
    return parser.parse_args()


def _command() -> str:
    """How this run was started, as the Makefile spells it."""
    names = ("DATABASE_URL", "CACHE_URL")
    prefix = "".join(f"{name}={os.environ[name]} " for name in names if name in os.environ)
    given = [arg for arg in sys.argv[1:] if arg != "--http"]  # the Makefile passes --http
    extra = f" BENCH_ARGS='{' '.join(given)}'" if given else ""
    return f"{prefix}make bench{extra}"


def _on_redis() -> bool:
    from django.conf import settings

    return settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    args = _arguments()
    sizes = [1_000, 100_000] + ([1_000_000] if args.million else [])

    # WhiteNoise warns that collectstatic has not run: static files play no part here.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    from django.db import connections

    from bench import endtoend, load
    from bench.measure import measure
    from bench.report import environment, table, verdict
    from bench.router import SizeRouter
    from bench.seed import seed
    from bench.settings import alias

    rng = random.Random(args.seed)  # noqa: S311 -- picks samples and order, not secrets
    started = time.monotonic()
    created = {}
    try:
        samples, admins = {}, {}
        for size in sizes:
            database = connections[alias(size)]
            created[size] = database.creation.create_test_db(
                verbosity=0, autoclobber=True, serialize=False
            )
            _log(
                f"seeding {size:,} users, each with a token of every contender, in {created[size]}"
            )
            keep = sorted(rng.sample(range(size), min(args.sample, size)))
            # User 0 is an admin of account 0 and its 100 tokens: the token lists' caller.
            secrets = seed(alias(size), size, {*keep, ADMIN})
            samples[size] = [secrets[i] for i in keep]
            admins[size] = secrets[ADMIN]
        _log(f"measuring {args.rounds} rounds of {args.sample} tokens…")
        results = measure(samples, args.rounds, rng)
        print(
            environment(connections["default"], _cpu(), sizes, args, datetime.now(UTC), _command())
        )
        print()
        print(table(results))
        print()
        print(verdict(results))
        first = sizes[0]
        SizeRouter.alias = alias(first)
        _log(f"measuring whole requests in process, {args.rounds} rounds at {first:,} tokens…")
        whole = endtoend.measure(samples[first], admins[first], args.rounds, rng)
        print()
        print(endtoend.table(whole))
        print()
        print(endtoend.verdict(whole, redis=_on_redis()))
        if args.http:
            _log(f"measuring over HTTP, {args.http_rounds} rounds of {args.http_seconds:g} s…")
            loads = load.measure(
                samples[first],
                admins[first],
                args.http_rounds,
                args.http_seconds,
                args.connections,
                rng,
            )
            print()
            print(load.table(loads, args.http_rounds, args.http_seconds, args.connections))
            print()
            print(load.verdict(loads))
    finally:
        for size, name in created.items():
            connections[alias(size)].creation.destroy_test_db(name, verbosity=0)
    _log(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
