import logging
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django_tasks import TaskResultStatus

from notifications.tasks import deliver_notices, run_sweep, schedule_sweep
from tests.notifications.conftest import START

pytestmark = pytest.mark.django_db


def test_every_job_run_logs_what_it_did_and_how_long(issue, agent_a, account_a, caplog):
    token, _ = issue(agent_a, account_a, expires_at=START + timedelta(hours=12))
    with caplog.at_level(logging.INFO, logger="notifications.tasks"):
        result = run_sweep.enqueue()
        deliver_notices.enqueue(token_id=token.pk)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"notices due": 1, "tokens revoked": 0, "mails sent": 1}
    lines = [r.getMessage() for r in caplog.records if r.name == "notifications.tasks"]
    assert len(lines) == 2
    assert lines[0].startswith("job sweep: notices due 1, tokens revoked 0, mails sent 1 in ")
    assert lines[0].endswith(" s")
    assert lines[1].startswith(f"job deliver_notices token={token.pk}: mails sent 0 in ")


def test_a_failing_job_is_logged_and_recorded_as_failed(monkeypatch, caplog, db):
    def broken():
        raise RuntimeError("database went away")

    monkeypatch.setattr("notifications.tasks.sweep", broken)
    with caplog.at_level(logging.INFO, logger="notifications.tasks"):
        result = run_sweep.enqueue()
    assert result.status == TaskResultStatus.FAILED
    (record,) = [r for r in caplog.records if r.name == "notifications.tasks"]
    assert record.levelno == logging.ERROR and record.getMessage().startswith("job sweep failed")


def test_the_sweep_is_enqueued_once_per_period_however_many_workers_ask(mailoutbox, db):
    cache.delete("notifications:sweep-scheduled")
    assert schedule_sweep() is True
    assert [schedule_sweep() for _ in range(3)] == [False, False, False]
    cache.delete("notifications:sweep-scheduled")  # the period is over
    assert schedule_sweep() is True


def test_manage_py_sweep_runs_it_by_hand(issue, agent_a, account_a, mailoutbox, capsys):
    issue(agent_a, account_a, expires_at=START + timedelta(hours=12))
    call_command("sweep")
    assert capsys.readouterr().out.strip() == "notices due: 1, tokens revoked: 0, mails sent: 1"
    assert len(mailoutbox) == 1


WORKER_SETTINGS = """
from config.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = {mail_dir!r}
"""


def _manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def test_a_real_worker_process_runs_the_sweep_it_enqueues(tmp_path: Path):
    """`manage.py worker` on its own database (a SQLite file; the test database is not visible
    to another process): it enqueues the sweep in the database and its db_worker loop picks
    the job up and runs it, mailing the reminder of the demo token that expires within a day."""
    mail_dir = tmp_path / "mail"
    (tmp_path / "worker_settings.py").write_text(WORKER_SETTINGS.format(mail_dir=str(mail_dir)))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CACHE_URL", "DJANGO_ENV", "TASKS_BACKEND"}
    } | {
        "DJANGO_SETTINGS_MODULE": "worker_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(settings.BASE_DIR)]),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    _manage(env, "migrate", "--noinput")
    _manage(env, "demo")
    demo_mails = set(mail_dir.glob("*.log"))  # the demo's invitations
    log = (tmp_path / "worker.log").open("w+")
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "worker", "--verbosity", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not set(mail_dir.glob("*.log")) - demo_mails:
            time.sleep(0.2)
        mails = [path.read_text() for path in set(mail_dir.glob("*.log")) - demo_mails]
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=20)
    log.seek(0)
    output = log.read()
    assert len(mails) == 1, output
    assert "Subject: One of your API tokens needs attention" in mails[0]
    assert "To: admin@demo.example" in mails[0]
    assert "Expiring within a day:" in mails[0] and "Nightly export" in mails[0]
    assert "job sweep: notices due 1, tokens revoked 0, mails sent 1 in " in output
    assert "notifications.tasks.run_sweep state=SUCCESSFUL" in output
