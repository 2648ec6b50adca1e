"""A real worker process delivers a committed change's event to a real receiver."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from standardwebhooks.webhooks import Webhook

SETUP = """
from accounts.audit import Actor
from accounts.services import account_create
from tokens.services import token_issue
from webhooks.services import endpoint_create

account, admin, _ = account_create(
    slug="hooks", name="Hooks", admin_email="admin@hooks.example", admin_password="long-pass-9x"
)
_, secret = endpoint_create(
    account=account, url={url!r}, events=["token.created"], actor=Actor(user=admin)
)
token_issue(account=account, owner=admin, actor=Actor(user=admin), description="from a worker")
print(secret)
"""


@pytest.fixture
def clock():
    """Real time: the worker signs with its own clock, and the receiver checks it."""


def test_a_worker_process_delivers_the_event_signed(tmp_path: Path, receiver):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CACHE_URL", "DJANGO_ENV", "TASKS_BACKEND"}
    } | {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    def manage(*args):
        return subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout

    manage("migrate", "--noinput")
    secret = manage("shell", "-c", SETUP.format(url=receiver.url + "in")).strip().splitlines()[-1]
    assert receiver.requests == []  # nothing is sent from the request's own process
    log = (tmp_path / "worker.log").open("w+")
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "worker"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not receiver.requests:
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    log.seek(0)
    output = log.read()
    assert len(receiver.requests) == 1, output
    payload = Webhook(secret).verify(receiver.requests[0]["body"], receiver.requests[0]["headers"])
    assert payload["type"] == "token.created"
    assert payload["data"]["token"]["description"] == "from a worker"
    assert secret not in output
