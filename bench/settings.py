"""Settings for `make bench`: the project's own, plus the contenders' apps (DRF's authtoken and
knox exist only here), on databases of the benchmark's own that it creates and drops: one per
size, so that sizes can be measured round by round like the contenders."""

import os
import tempfile

from config.settings import *  # noqa: F403
from config.settings import DATABASES, INSTALLED_APPS, THROTTLE_RATES

SIZES = (1_000, 100_000, 1_000_000)

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework.authtoken", "knox"]
ROOT_URLCONF = "bench.urls"
DATABASE_ROUTERS = ["bench.router.SizeRouter"]
# DEBUG keeps a log of every query: a cost no production request pays.
DEBUG = False
# The benchmark presents each token thousands of times a minute, and floods bad ones; the
# throttles still run and count.
THROTTLE_RATES = {**THROTTLE_RATES, "token": "1000000000/min", "auth_failure": "1000000000/min"}
# A token in constant use writes last_used_at once a minute: at the rate limit, one request in
# a thousand. The benchmark's few tokens are each used a few times a minute, so the same interval
# would write on every tenth request or so (an fsync each on SQLite); an hour keeps the
# production proportion.
TOKEN_LAST_USED_INTERVAL = 3600
# The run's id names its SQLite files, so that the servers of `--http` open the same ones.
RUN = os.environ.setdefault("BENCH_RUN", str(os.getpid()))


def alias(size: int) -> str:
    return "default" if size == SIZES[0] else f"tokens_{size}"


def _database(db: dict, size: int) -> dict:
    """SQLite: a temporary file. PostgreSQL: `<name>_<size>`, where <name> is the database
    DATABASE_URL names if it ends in `_bench`, else `<name>_bench`: the developer's database is
    never touched."""
    if db["ENGINE"].endswith("sqlite3"):
        name = os.path.join(tempfile.gettempdir(), f"tp-bench-{RUN}-{size}.sqlite3")
    else:
        base = db["NAME"] if db["NAME"].endswith("_bench") else f"{db['NAME']}_bench"
        name = f"{base}_{size}"
    return {**db, "NAME": name, "TEST": {"NAME": name}, "CONN_MAX_AGE": None}


DATABASES = {alias(size): _database(DATABASES["default"], size) for size in SIZES}
