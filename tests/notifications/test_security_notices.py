from datetime import timedelta

import pytest

from accounts.audit import Actor
from notifications.models import Kind, Notice
from tests.notifications.conftest import SITE, sent_to
from tokens.services import token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(django_capture_on_commit_callbacks):
    """Runs what the change enqueued on commit, as a worker would right after it."""

    def _jobs():
        return django_capture_on_commit_callbacks(execute=True)

    return _jobs


def test_a_token_created_for_you_by_someone_else_is_mailed_to_you(
    jobs, admin_a, agent_a, account_a, mailoutbox
):
    with jobs():
        issued = token_issue(
            account=account_a, owner=agent_a, description="Made for you", actor=Actor(user=admin_a)
        )
    (message,) = mailoutbox
    assert message.to == [agent_a.email]
    assert message.subject == "A new API token was created for you"
    assert admin_a.name in message.body and "Made for you" in message.body
    assert issued.token.prefix in message.body and issued.secret not in message.body
    assert f"{SITE}/accounts/acme/tokens/" in message.body


def test_your_own_token_and_a_service_accounts_token_send_nothing(
    jobs, issue, admin_a, agent_a, account_a, service_a, mailoutbox
):
    with jobs():
        issue(agent_a, account_a)
        token_issue(
            account=account_a, owner=service_a, description="bot", actor=Actor(user=admin_a)
        )
    assert mailoutbox == []


def test_security_notices_are_sent_with_reminders_turned_off(
    jobs, admin_a, agent_a, account_a, mailoutbox
):
    agent_a.email_expiry_reminders = False
    agent_a.save()
    with jobs():
        token_issue(account=account_a, owner=agent_a, description="x", actor=Actor(user=admin_a))
    assert sent_to(mailoutbox) == [agent_a.email]


def test_a_token_revoked_as_leaked_is_mailed_to_its_owner_once(
    jobs, api, issue, agent_a, account_a, mailoutbox
):
    token, secret = issue(agent_a, account_a, description="pasted in a gist")
    for _ in range(2):
        with jobs():
            response = api().post(
                "/api/v1/tokens/revoke-leaked", {"tokens": [secret]}, format="json"
            )
        assert response.status_code == 202
    (message,) = mailoutbox
    assert message.to == [agent_a.email]
    assert message.subject == "Your API token was revoked because it leaked"
    assert "pasted in a gist" in message.body and secret not in message.body


def test_a_leaked_service_account_token_is_mailed_to_the_admins(
    jobs, api, issue, admin_a, service_a, account_a, mailoutbox
):
    _, secret = issue(service_a, account_a)
    with jobs():
        api().post("/api/v1/tokens/revoke-leaked", {"tokens": [secret]}, format="json")
    assert sent_to(mailoutbox) == [admin_a.email]


def use(api, secret, ip):
    assert api(secret).get("/api/v1/me", REMOTE_ADDR=ip).status_code == 200


def test_use_from_a_new_address_is_mailed_at_most_once_a_day(
    jobs, clock, api, issue, agent_a, account_a, mailoutbox
):
    token, secret = issue(agent_a, account_a, description="CI")
    with jobs():
        use(api, secret, "192.0.2.1")  # the first use: nothing to compare with
    clock.shift(timedelta(minutes=2))
    with jobs():
        use(api, secret, "192.0.2.1")
    assert mailoutbox == []
    clock.shift(timedelta(minutes=2))
    with jobs():
        use(api, secret, "198.51.100.7")
    (message,) = mailoutbox
    assert message.subject == "Your API token was used from a new address"
    assert "From 198.51.100.7" in message.body and "CI" in message.body
    for ip in ("192.0.2.1", "203.0.113.9"):  # same day: no more mail
        clock.shift(timedelta(minutes=2))
        with jobs():
            use(api, secret, ip)
    assert len(mailoutbox) == 1
    clock.shift(timedelta(days=1))
    with jobs():
        use(api, secret, "198.51.100.7")  # one of its recent addresses: not news
    assert len(mailoutbox) == 1
    clock.shift(timedelta(minutes=2))
    with jobs():
        use(api, secret, "198.51.100.8")
    assert len(mailoutbox) == 2
    assert Notice.objects.filter(token=token, kind=Kind.NEW_ADDRESS).count() == 2


def test_a_security_notice_whose_job_failed_is_mailed_by_the_next_sweep(
    admin_a, agent_a, account_a, mailoutbox, django_capture_on_commit_callbacks
):
    from notifications.sweep import sweep

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        token_issue(account=account_a, owner=agent_a, description="x", actor=Actor(user=admin_a))
    assert callbacks and mailoutbox == []  # the job never ran (nor any other after-commit work)
    sweep()
    assert sent_to(mailoutbox) == [agent_a.email]
    sweep()
    assert len(mailoutbox) == 1
