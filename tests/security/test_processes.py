"""Two server processes sharing PostgreSQL and Redis agree on every change at once."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.security.conftest import needs_postgres_and_redis

pytestmark = [needs_postgres_and_redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
FAILURE_LIMIT = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, process: subprocess.Popen) -> None:
    for _ in range(150):  # at most ~15 s
        assert process.poll() is None, "the server process exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"no server on port {port}")


@pytest.fixture(scope="module")
def servers(django_db_setup):
    """Two gunicorn processes on the test database and the tests' Redis."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DEBUG": "false",
        # Per day, so that the count cannot restart in a new window mid-test.
        "THROTTLE_AUTH_FAILURE_RATE": f"{FAILURE_LIMIT}/day",
        "TOKEN_LAST_USED_INTERVAL": "0",
    }
    env.pop("DJANGO_ENV", None)
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_until_up(port, process)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


def call(base: str, method: str, path: str, secret: str, body: dict | None = None) -> int:
    request = urllib.request.Request(
        base + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_token_revoked_through_one_process_is_refused_by_the_other(
    servers, issue, admin_a, account_a
):
    one, two = servers
    _, admin_secret = issue(admin_a, account_a)
    token, secret = issue(admin_a, account_a)
    assert call(two, "GET", "/api/v1/me", secret) == 200
    assert call(one, "DELETE", f"/api/v1/tokens/{token.pk}", admin_secret) == 204
    assert call(two, "GET", "/api/v1/me", secret) == 401


def test_a_member_removed_through_one_process_loses_access_through_the_other(
    servers, issue, admin_a, agent_a, account_a
):
    one, two = servers
    _, admin_secret = issue(admin_a, account_a)
    _, agent_secret = issue(agent_a, account_a)
    assert call(two, "GET", "/api/v1/me", agent_secret) == 200
    membership = agent_a.memberships.get()
    assert call(one, "DELETE", f"/api/v1/members/{membership.pk}", admin_secret) == 204
    assert call(two, "GET", "/api/v1/me", agent_secret) == 401


def test_a_demotion_and_the_access_switch_take_effect_across_processes(
    servers, issue, admin_a, agent_a, account_a
):
    one, two = servers
    _, admin_secret = issue(admin_a, account_a)
    _, agent_secret = issue(agent_a, account_a)
    membership = agent_a.memberships.get()
    promote = {"role": "admin"}
    assert call(one, "PATCH", f"/api/v1/members/{membership.pk}", admin_secret, promote) == 200
    assert call(two, "GET", "/api/v1/audit-events", agent_secret) == 200
    demote = {"role": "agent"}
    assert call(one, "PATCH", f"/api/v1/members/{membership.pk}", admin_secret, demote) == 200
    assert call(two, "GET", "/api/v1/audit-events", agent_secret) == 403
    switch_off = {"token_access_enabled": False}
    assert call(one, "PATCH", "/api/v1/account", admin_secret, switch_off) == 200
    assert call(two, "GET", "/api/v1/me", agent_secret) == 403


def test_failed_authentications_are_counted_across_both_processes(servers):
    one, two = servers
    statuses = [
        call(base, "GET", "/api/v1/me", "tpk_guess")
        for _ in range(FAILURE_LIMIT // 2)
        for base in (one, two)
    ]
    assert statuses == [401] * FAILURE_LIMIT
    assert call(one, "GET", "/api/v1/me", "tpk_guess") == 429
    assert call(two, "GET", "/api/v1/me", "tpk_guess") == 429
