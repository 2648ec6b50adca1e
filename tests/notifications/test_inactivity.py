from datetime import timedelta

import pytest

from accounts.models import AuditEvent
from notifications.sweep import sweep
from tests.notifications.conftest import START, sent_to
from tokens.models import Token
from tokens.services import token_record_use

pytestmark = pytest.mark.django_db


def at(clock, days: float) -> None:
    clock.move_to(START + timedelta(days=days), tick=False)


@pytest.fixture
def policy_30(account_a):
    account_a.revoke_unused_after_days = 30
    account_a.save()
    return account_a


def revocations(token):
    return AuditEvent.objects.filter(action="token.revoked", target_id=str(token.pk))


def test_unused_token_is_warned_a_week_before_then_revoked_once_as_the_system(
    clock, issue, agent_a, policy_30, mailoutbox
):
    token, _ = issue(agent_a, policy_30, description="Old script")
    at(clock, 22.9)
    sweep()
    assert mailoutbox == []
    at(clock, 23)
    sweep()
    (warning,) = mailoutbox
    assert warning.to == [agent_a.email]
    assert "To be revoked because they are not used:" in warning.body
    assert "Old script" in warning.body
    assert "will be revoked on 2026-04-01 09:00 UTC" in warning.body
    at(clock, 29.9)
    sweep()
    token.refresh_from_db()
    assert token.revoked_at is None
    at(clock, 30)
    for _ in range(3):
        sweep()
    token.refresh_from_db()
    assert token.revoked_at == START + timedelta(days=30) and token.revoked_by is None
    (event,) = revocations(token)
    assert event.actor is None and event.actor_email == ""
    assert event.changes == {"reason": "unused"}
    assert len(mailoutbox) == 1  # no reminder for a token that is gone


def test_a_token_used_after_the_warning_is_kept_and_warned_again_later(
    clock, issue, agent_a, policy_30, mailoutbox
):
    token, _ = issue(agent_a, policy_30)
    at(clock, 23)
    sweep()
    at(clock, 25)
    token_record_use(Token.objects.get(pk=token.pk), ip="10.0.0.1")
    at(clock, 31)
    sweep()
    token.refresh_from_db()
    assert token.revoked_at is None and len(mailoutbox) == 1
    at(clock, 25 + 23)
    sweep()
    assert len(mailoutbox) == 2
    at(clock, 25 + 30)
    sweep()
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_policy_turned_on_late_still_warns_a_week_before_revoking(
    clock, issue, agent_a, account_a, mailoutbox
):
    token, _ = issue(agent_a, account_a)
    at(clock, 200)
    account_a.revoke_unused_after_days = 30
    account_a.save()
    sweep()
    assert len(mailoutbox) == 1
    assert "will be revoked on 2026-09-25 09:00 UTC" in mailoutbox[0].body  # day 207
    at(clock, 206.9)
    sweep()
    token.refresh_from_db()
    assert token.revoked_at is None
    at(clock, 207)
    sweep()
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_no_policy_no_revocation(clock, issue, agent_a, account_a, mailoutbox):
    token, _ = issue(agent_a, account_a)
    at(clock, 300)
    sweep()
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not revocations(token).exists()


def test_service_account_inactivity_warnings_go_to_admins_even_with_reminders_off(
    clock, issue, admin_a, policy_30, service_a, mailoutbox
):
    admin_a.email_expiry_reminders = False
    admin_a.save()
    issue(service_a, policy_30, description="Zapier")
    at(clock, 23)
    sweep()
    assert sent_to(mailoutbox) == [admin_a.email]
    assert "Zapier" in mailoutbox[0].body
