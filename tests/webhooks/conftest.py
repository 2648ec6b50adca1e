"""Webhooks run against a frozen clock and the immediate task backend (a test that needs a
retry scheduled switches to the dummy backend, which keeps tasks instead of running them), and
deliver to a real HTTP receiver on 127.0.0.1 started by the test."""

import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts.audit import Actor
from webhooks import services

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings):
    settings.TASKS = IMMEDIATE
    settings.WEBHOOKS_ALLOW_LOCAL = True


@pytest.fixture
def kept_tasks(settings):
    """Tasks are kept, not run: the test runs attempts itself."""
    settings.TASKS = DUMMY
    from django_tasks import task_backends

    yield task_backends["default"]
    task_backends["default"].clear()


class Receiver:
    """A webhook receiver on 127.0.0.1: records each request, answers with `statuses` in turn
    (the last one repeats), and `location` on a redirect."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses = [204]
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                receiver.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": self.rfile.read(length),
                    }
                )
                status = receiver.statuses[min(len(receiver.requests), len(receiver.statuses)) - 1]
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", receiver.url + "elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def endpoint_for(admin_a):
    """endpoint_for(url, events=None, account=account_a) -> (Endpoint, secret)."""

    def _create(url, events=None, account=None):
        return services.endpoint_create(
            account=account or admin_a.memberships.get().account,
            url=url,
            events=events or ["token.created", "token.revoked", "token.rotated"],
            description="CI hooks",
            actor=Actor(user=admin_a),
        )

    return _create
