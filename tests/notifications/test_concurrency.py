"""Several workers sweeping at the same moment, each thread with its own database connection:
every notice is mailed once and every unused token revoked once."""

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection

from accounts.models import AuditEvent, Role
from notifications.models import Notice
from notifications.sweep import sweep
from tests.factories import MembershipFactory
from tests.notifications.conftest import START, sent_to
from tests.security.conftest import needs_postgres
from tokens.models import Token

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]

SWEEPERS = 3


def race(function, n: int = SWEEPERS) -> None:
    start = threading.Barrier(n)
    errors = []

    def run():
        try:
            start.wait()
            function()
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


@pytest.fixture
def slow_mail(monkeypatch):
    """A mail server that takes a while, so the sweeps overlap while one is sending."""
    real = mail.get_connection

    class Slow:
        def send_messages(self, messages):
            time.sleep(0.05)
            return real().send_messages(messages)

    monkeypatch.setattr("notifications.mail.get_connection", Slow)


def test_racing_sweeps_mail_each_notice_once(
    clock, issue, admin_a, account_a, service_a, mailoutbox, slow_mail
):
    people = [admin_a] + [
        MembershipFactory(account=account_a, role=Role.AGENT).user for _ in range(5)
    ]
    for person in [*people, service_a]:
        for _ in range(2):
            issue(person, account_a, expires_at=START + timedelta(days=10))
    # Each stage reached: a digest per person, the service account's tokens to the admin.
    for day, stage in ((4, "Expiring within 7 days:"), (9.5, "Expiring within a day:")):
        mailoutbox.clear()
        clock.move_to(START + timedelta(days=day), tick=False)
        race(sweep)
        assert sent_to(mailoutbox) == sorted(p.email for p in people)
        assert all(stage in m.body for m in mailoutbox)
        admin_mail = next(m for m in mailoutbox if m.to == [admin_a.email])
        assert admin_mail.subject == "4 of your API tokens need attention"
    assert not Notice.objects.filter(sent_at__isnull=True).exists()
    assert Notice.objects.count() == 2 * (2 * len(people) + 2)


def test_racing_sweeps_revoke_each_unused_token_once(
    clock, issue, agent_a, account_a, mailoutbox, slow_mail
):
    account_a.revoke_unused_after_days = 30
    account_a.save()
    tokens = [issue(agent_a, account_a)[0] for _ in range(12)]
    clock.move_to(START + timedelta(days=23), tick=False)
    race(sweep)
    assert len(mailoutbox) == 1  # one warning digest listing the twelve
    assert mailoutbox[0].body.count("test token") == 12
    clock.move_to(START + timedelta(days=30), tick=False)
    race(sweep)
    assert Token.objects.filter(revoked_at__isnull=False).count() == len(tokens)
    events = AuditEvent.objects.filter(action="token.revoked", changes__reason="unused")
    assert sorted(int(e.target_id) for e in events) == sorted(t.pk for t in tokens)
    assert len(mailoutbox) == 1
