import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ops.logs import NO_REQUEST, JsonFormatter, RequestIdFilter, TextFormatter, job_run

ROOT = Path(__file__).resolve().parents[2]


def record(**extra) -> logging.LogRecord:
    rec = logging.LogRecord("tokens.x", logging.WARNING, __file__, 1, "hello %s", ("you",), None)
    rec.__dict__.update(extra)
    RequestIdFilter().filter(rec)
    return rec


def test_text_lines_show_the_request_id_message_and_fields():
    line = TextFormatter().format(record(event="auth.failed", client_ip="10.0.0.1"))
    assert line.endswith(
        f"WARNING tokens.x [{NO_REQUEST}] hello you event=auth.failed client_ip=10.0.0.1"
    )


def test_json_lines_are_one_object_with_the_fields():
    line = JsonFormatter().format(record(event="auth.failed", client_ip="10.0.0.1"))
    assert "\n" not in line
    data = json.loads(line)
    assert data | {"time": "t"} == {
        "time": "t",
        "level": "WARNING",
        "logger": "tokens.x",
        "request_id": NO_REQUEST,
        "message": "hello you",
        "event": "auth.failed",
        "client_ip": "10.0.0.1",
    }
    assert data["time"].endswith("+00:00")


def test_djangos_request_object_never_reaches_a_line(rf):
    request = rf.get("/api/v1/me?token=tpk_secret")
    request.request_id = "abc"
    for formatter in (TextFormatter(), JsonFormatter()):
        line = formatter.format(record(request=request, status_code=401))
        assert "tpk_secret" not in line and "WSGIRequest" not in line
        assert "abc" in line and "401" in line


def test_production_writes_json_lines():
    script = "import django, logging; django.setup(); logging.getLogger('x').warning('hi')"
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_ENV": "production",
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "tokens.example.com",
        },
    )
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "hi" and line["level"] == "WARNING" and line["request_id"] == "-"


def test_a_job_run_logs_one_line_with_its_outcome_and_details(log_lines):
    with job_run("sweep", account_id=3) as details:
        logging.getLogger("notifications").info("working")
        details["mails"] = 2
    working, done = log_lines()
    assert done["event"] == "job.run" and done["job"] == "sweep" and done["outcome"] == "ok"
    assert done["mails"] == 2 and done["account_id"] == 3 and done["duration_ms"] >= 0
    # Outside a request, the run's lines share an id of their own.
    assert working["request_id"] == done["request_id"] != NO_REQUEST


def test_a_failed_job_run_logs_the_failure_and_raises(log_lines):
    with pytest.raises(ZeroDivisionError), job_run("sweep"):
        1 / 0  # noqa: B018
    (line,) = log_lines()
    assert line["outcome"] == "failed" and line["level"] == "ERROR"
    assert "ZeroDivisionError" in line["exc_info"]


@pytest.mark.django_db
def test_every_response_carries_a_new_request_id(client):
    first, second = client.get("/healthz"), client.get("/nowhere")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.django_db
def test_a_clients_request_id_is_ignored_without_a_trusted_proxy(client, settings):
    settings.NUM_PROXIES = 0
    response = client.get("/healthz", HTTP_X_REQUEST_ID="chosen-by-client")
    assert response["X-Request-ID"] != "chosen-by-client"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("3f2a9c1e-7b4d-4f6a-9e21-0c5d8b7a6f43", True),
        ("Root=1-67891233-abcdef012345678912345678", False),
        ("x" * 129, False),
        ("id with spaces", False),
        ('a"}{"level":"ERROR', False),
    ],
)
def test_a_trusted_proxys_request_id_is_kept_when_it_looks_sane(
    client, settings, log_lines, incoming, kept
):
    settings.NUM_PROXIES = 1
    response = client.get("/nowhere", HTTP_X_REQUEST_ID=incoming)
    assert (response["X-Request-ID"] == incoming) is kept
    (line,) = log_lines()  # Django's "Not Found" warning, logged after the middleware returned
    assert line["request_id"] == response["X-Request-ID"]
