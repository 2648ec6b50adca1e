from datetime import timedelta
from smtplib import SMTPRecipientsRefused

import pytest

from accounts.audit import Actor
from accounts.models import Role
from notifications import mail
from notifications.mail import DeliveryError
from notifications.models import Kind, Notice
from notifications.sweep import sweep
from tests.factories import MembershipFactory
from tests.notifications.conftest import SITE, START, sent_to
from tokens.services import token_revoke

pytestmark = pytest.mark.django_db


def at(clock, days: float) -> None:
    """Move the clock to `days` after START."""
    clock.move_to(START + timedelta(days=days), tick=False)


def test_each_expiry_threshold_is_mailed_once_across_repeated_sweeps(
    clock, issue, agent_a, account_a, mailoutbox
):
    issue(agent_a, account_a, description="Nightly export", expires_at=START + timedelta(days=60))
    subjects_by_stage = []
    for days in (0, 10, 31, 40, 53.5, 55, 59.5, 59.9, 60.1, 64):
        at(clock, days)
        for _ in range(3):
            sweep()
        subjects_by_stage.append(len(mailoutbox))
    # 30 days before (day 31), 7 days (53.5), 1 day (59.5), expired (60.1): one mail each.
    assert subjects_by_stage == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    bodies = [m.body for m in mailoutbox]
    for body, title in zip(
        bodies,
        ["Expiring within 30 days", "Expiring within 7 days", "Expiring within a day", "Expired"],
        strict=True,
    ):
        assert title + ":" in body and "Nightly export" in body
    assert sent_to(mailoutbox) == [agent_a.email] * 4


def test_a_token_is_not_told_about_the_week_long_stage_it_was_created_in(
    clock, issue, agent_a, account_a, mailoutbox
):
    issue(agent_a, account_a, expires_at=START + timedelta(days=30))
    issue(agent_a, account_a, expires_at=START + timedelta(days=5))
    sweep()
    assert mailoutbox == []
    at(clock, 23.5)
    sweep()
    assert len(mailoutbox) == 1 and "Expiring within 7 days:" in mailoutbox[0].body


def test_a_token_created_with_less_than_a_day_left_is_told_at_once(
    clock, issue, agent_a, account_a, mailoutbox
):
    issue(agent_a, account_a, expires_at=START + timedelta(hours=12))
    sweep()
    assert len(mailoutbox) == 1 and "Expiring within a day:" in mailoutbox[0].body


def test_the_mail_names_the_token_and_links_to_its_page(
    clock, issue, agent_a, account_a, mailoutbox
):
    token, secret = issue(
        agent_a, account_a, description="CI & deploy", expires_at=START + timedelta(days=20)
    )
    at(clock, 14)
    sweep()
    (message,) = mailoutbox
    assert message.subject == "One of your API tokens needs attention"
    assert "CI & deploy" in message.body  # plain text: not HTML-escaped
    assert token.prefix in message.body
    assert "Expires 2026-03-22 09:00 UTC." in message.body
    assert f"{SITE}/accounts/acme/tokens/" in message.body
    assert f"{SITE}/account/notifications/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "CI &amp; deploy" in html
    assert secret not in message.body and secret not in html


def test_one_digest_per_recipient_lists_all_their_tokens(
    clock, issue, admin_a, agent_a, account_a, mailoutbox
):
    issue(agent_a, account_a, description="soon", expires_at=START + timedelta(days=10))
    issue(agent_a, account_a, description="later", expires_at=START + timedelta(days=40))
    issue(admin_a, account_a, description="admin's", expires_at=START + timedelta(days=10))
    at(clock, 12)  # "later" enters its 30-day stage as "soon" and "admin's" expire
    sweep()
    assert sent_to(mailoutbox) == [admin_a.email, agent_a.email]
    digest = next(m for m in mailoutbox if m.to == [agent_a.email])
    assert digest.subject == "2 of your API tokens need attention"
    assert digest.body.index("Expired:") < digest.body.index("soon")
    assert digest.body.index("Expiring within 30 days:") < digest.body.index("later")
    assert "admin's" not in digest.body


def test_service_account_tokens_are_announced_to_the_accounts_admins(
    clock, issue, admin_a, agent_a, account_a, admin_b, service_a, mailoutbox
):
    bot = service_a
    second_admin = MembershipFactory(account=account_a, role=Role.ADMIN).user
    gone = MembershipFactory(account=account_a, role=Role.ADMIN, user__is_active=False).user
    issue(bot, account_a, description="Zapier", expires_at=START + timedelta(days=10))
    at(clock, 4)
    sweep()
    assert sent_to(mailoutbox) == sorted([admin_a.email, second_admin.email])
    assert gone.email not in sent_to(mailoutbox) and bot.email not in sent_to(mailoutbox)
    assert all("Zapier" in m.body for m in mailoutbox)


def test_reminders_can_be_turned_off(clock, issue, agent_a, account_a, mailoutbox):
    agent_a.email_expiry_reminders = False
    agent_a.save()
    issue(agent_a, account_a, expires_at=START + timedelta(days=10))
    at(clock, 4)
    sweep()
    assert mailoutbox == []
    assert not Notice.objects.exists()


def test_no_reminders_for_revoked_tokens_or_owners_no_longer_members(
    clock, issue, agent_a, light_a, account_a, mailoutbox
):
    revoked, _ = issue(agent_a, account_a, expires_at=START + timedelta(days=10))
    token_revoke(token=revoked, actor=Actor(user=agent_a))
    issue(light_a, account_a, expires_at=START + timedelta(days=10))
    light_a.memberships.all().delete()
    at(clock, 4)
    sweep()
    assert mailoutbox == []


def test_a_reminder_revoked_before_it_went_out_is_dropped(
    clock, issue, agent_a, account_a, mailoutbox, monkeypatch
):
    token, _ = issue(agent_a, account_a, expires_at=START + timedelta(days=10))
    monkeypatch.setattr("notifications.sweep.mail.deliver", lambda: 0)
    at(clock, 4)
    sweep()  # recorded, not yet mailed
    monkeypatch.undo()
    token_revoke(token=token, actor=Actor(user=agent_a))
    sweep()
    assert mailoutbox == []
    assert not Notice.objects.exists()


def test_a_failing_mail_server_delays_a_notice_but_never_loses_it(
    clock, issue, agent_a, account_a, mailoutbox, monkeypatch
):
    issue(agent_a, account_a, expires_at=START + timedelta(days=10))
    at(clock, 4)

    class Down:
        def send_messages(self, messages):
            raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("notifications.mail.get_connection", Down)
    with pytest.raises(DeliveryError):
        sweep()
    assert Notice.objects.get().sent_at is None
    assert mailoutbox == []
    monkeypatch.undo()
    sweep()
    sweep()
    assert len(mailoutbox) == 1
    assert Notice.objects.get().sent_at is not None


def test_one_refused_recipient_does_not_hold_back_the_others(
    clock, issue, admin_a, agent_a, account_a, mailoutbox, monkeypatch
):
    issue(agent_a, account_a, expires_at=START + timedelta(days=10))
    issue(admin_a, account_a, expires_at=START + timedelta(days=10))
    at(clock, 4)
    real = mail.get_connection

    class RefusesTheAgent:
        def send_messages(self, messages):
            if messages[0].to == [agent_a.email]:
                raise SMTPRecipientsRefused({agent_a.email: (550, b"no such mailbox")})
            return real().send_messages(messages)

    monkeypatch.setattr("notifications.mail.get_connection", RefusesTheAgent)
    with pytest.raises(DeliveryError):
        sweep()
    assert sent_to(mailoutbox) == [admin_a.email]
    assert Notice.objects.get(recipient=agent_a).sent_at is None


def test_kinds_are_recorded_once_per_stage(clock, issue, agent_a, account_a):
    token, _ = issue(agent_a, account_a, expires_at=START + timedelta(days=40))
    for days in (11, 11.5, 34, 39.5, 41):
        at(clock, days)
        sweep()
    assert sorted(Notice.objects.filter(token=token).values_list("kind", flat=True)) == sorted(
        [Kind.EXPIRES_IN_30_DAYS, Kind.EXPIRES_IN_7_DAYS, Kind.EXPIRES_IN_1_DAY, Kind.EXPIRED]
    )
