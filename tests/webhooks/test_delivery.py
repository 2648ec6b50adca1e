"""Delivery to a real receiver on 127.0.0.1: signed per Standard Webhooks, retried on a
schedule, and an endpoint failing for 3 days turned off with its admins told."""

import json
import logging
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from accounts.audit import Actor
from accounts.models import AuditEvent, Event
from tests.factories import MembershipFactory, UserFactory
from tokens import services as token_services
from webhooks import delivery, services
from webhooks.models import Delivery, Endpoint, Status

pytestmark = pytest.mark.django_db


def verified(request, secret):
    """The payload, as a receiver written with the standardwebhooks library accepts it."""
    return Webhook(secret).verify(request["body"], request["headers"])


def test_a_committed_change_reaches_the_receiver_signed(
    receiver, endpoint_for, account_a, admin_a, issue, django_capture_on_commit_callbacks
):
    endpoint, secret = endpoint_for(receiver.url + "hooks?source=portal")
    with django_capture_on_commit_callbacks(execute=True):
        token, token_secret = issue(admin_a, account_a, description="deploy bot")
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["path"] == "/hooks?source=portal"
    payload = verified(request, secret)
    event = Event.objects.get(type="token.created")
    assert request["headers"]["webhook-id"] == event.uid
    assert payload["type"] == "token.created"
    assert payload["data"]["token"]["prefix"] == token.prefix
    assert token_secret not in request["body"].decode()
    with pytest.raises(Exception, match="signature"):
        Webhook(services.endpoint_rotate_secret(endpoint=endpoint, actor=Actor())).verify(
            request["body"], request["headers"]
        )
    attempt = Delivery.objects.get(endpoint=endpoint)
    assert (attempt.status, attempt.response_code, attempt.attempt) == (Status.SUCCEEDED, 204, 1)
    assert attempt.duration_ms is not None and attempt.next_retry_at is None


def test_only_enabled_endpoints_subscribed_to_the_type_receive_it(
    receiver,
    endpoint_for,
    account_a,
    admin_a,
    account_b,
    admin_b,
    issue,
    django_capture_on_commit_callbacks,
):
    wanted, _ = endpoint_for(receiver.url + "wanted")
    endpoint_for(receiver.url + "members-only", events=["member.removed"])
    off, _ = endpoint_for(receiver.url + "off")
    services.endpoint_update(endpoint=off, actor=Actor(user=admin_a), enabled=False)
    services.endpoint_create(
        account=account_b,
        url=receiver.url + "other-account",
        events=["token.created"],
        actor=Actor(user=admin_b),
    )
    with django_capture_on_commit_callbacks(execute=True):
        issue(admin_a, account_a)
    assert [r["path"] for r in receiver.requests] == ["/wanted"]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_never_sends(receiver, endpoint_for, account_a, admin_a):
    endpoint_for(receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        token_services.token_issue(
            account=account_a, owner=admin_a, actor=Actor(user=admin_a), description="x"
        )
        raise RuntimeError
    assert receiver.requests == [] and not Delivery.objects.exists()
    token_services.token_issue(
        account=account_a, owner=admin_a, actor=Actor(user=admin_a), description="y"
    )
    assert len(receiver.requests) == 1


def test_failed_attempts_are_retried_on_the_backoff_schedule_with_one_webhook_id(
    receiver, endpoint_for, account_a, admin_a, issue, clock, kept_tasks, monkeypatch
):
    monkeypatch.setattr(delivery.random, "uniform", lambda low, high: 1.0)
    receiver.statuses = [500]
    endpoint, secret = endpoint_for(receiver.url)
    issue(admin_a, account_a)
    first = delivery.fan_out(Event.objects.get(type="token.created").uid)[0]
    start = timezone.now()
    assert delivery.attempt(first.pk + 1000) is None  # an unknown attempt does nothing
    attempt, delays = first, []
    while attempt is not None:
        if attempt.attempt > 1:
            clock.move_to(attempt.scheduled_at - timedelta(seconds=1), tick=False)
            sent = len(receiver.requests)
            assert delivery.attempt(attempt.pk) is None  # not due yet: nothing sent
            assert len(receiver.requests) == sent
            clock.move_to(attempt.scheduled_at, tick=False)
        following = delivery.attempt(attempt.pk)
        if following is not None:
            delays.append(following.scheduled_at - attempt.scheduled_at)
        attempt = following
    assert delays == delivery.RETRY_DELAYS
    assert [d / timedelta(seconds=1) for d in delays] == [5, 300, 1800, 7200, 18000, 36000, 50400]
    assert len(receiver.requests) == 8
    assert {r["headers"]["webhook-id"] for r in receiver.requests} == {
        Event.objects.get(type="token.created").uid
    }
    log = list(Delivery.objects.filter(endpoint=endpoint).order_by("attempt"))
    assert [d.attempt for d in log] == list(range(1, 9))
    assert all(d.status == Status.FAILED and d.response_code == 500 for d in log)
    assert all(d.next_retry_at == n.scheduled_at for d, n in zip(log, log[1:], strict=False))
    assert log[-1].next_retry_at is None
    assert log[0].error == "The endpoint answered 500."
    assert timezone.now() - start < timedelta(days=2)


def test_jitter_spreads_retries_by_at_most_ten_percent():
    for attempt, base in enumerate(delivery.RETRY_DELAYS, start=1):
        for _ in range(20):
            assert base * 0.9 <= delivery.retry_delay(attempt) <= base * 1.1
    assert delivery.retry_delay(len(delivery.RETRY_DELAYS) + 1) is None


def test_the_worker_schedules_the_retry_at_its_time(
    receiver,
    endpoint_for,
    account_a,
    admin_a,
    issue,
    kept_tasks,
    django_capture_on_commit_callbacks,
):
    from webhooks import tasks

    receiver.statuses = [503, 200]
    endpoint_for(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        issue(admin_a, account_a)
    fan_out = kept_tasks.results[-1]
    assert fan_out.task.name == "fan_out"
    tasks.fan_out.call(*fan_out.args)
    first = kept_tasks.results[-1]
    assert first.task.name == "deliver" and first.task.run_after is None
    tasks.deliver.call(*first.args)
    retry = kept_tasks.results[-1]
    second = Delivery.objects.get(attempt=2)
    assert retry.args == [second.pk] and retry.task.run_after == second.scheduled_at


def test_an_endpoint_failing_for_three_days_is_turned_off_and_its_admins_mailed(
    receiver,
    endpoint_for,
    account_a,
    admin_a,
    issue,
    clock,
    kept_tasks,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    second_admin = UserFactory(email="second@acme.example")
    MembershipFactory(account=account_a, user=second_admin, role="admin")
    receiver.statuses = [500]
    endpoint, _ = endpoint_for(receiver.url)

    def a_failing_event():
        token, _ = issue(admin_a, account_a)
        uid = Event.objects.filter(type="token.created").latest("id").uid
        with django_capture_on_commit_callbacks(execute=True):
            return delivery.attempt(delivery.fan_out(uid)[0].pk)

    a_failing_event()
    endpoint.refresh_from_db()
    assert endpoint.failing_since == timezone.now() and endpoint.enabled
    clock.shift(timedelta(days=2, hours=23))
    a_failing_event()
    endpoint.refresh_from_db()
    assert endpoint.enabled and mailoutbox == []
    clock.shift(timedelta(hours=1))
    assert a_failing_event() is None  # no retry once it is off
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert endpoint.disabled_reason == "Every delivery failed for 3 days."
    assert AuditEvent.objects.filter(action="webhook.disabled", target_id=str(endpoint.pk)).exists()
    assert len(mailoutbox) == 1
    assert sorted(mailoutbox[0].to) == ["admin@acme.example", "second@acme.example"]
    assert receiver.url in mailoutbox[0].body and "/accounts/acme/webhooks/" in mailoutbox[0].body
    requests = len(receiver.requests)
    issue(admin_a, account_a)
    uid = Event.objects.filter(type="token.created").latest("id").uid
    assert delivery.fan_out(uid) == [] and len(receiver.requests) == requests


def test_a_success_resets_the_failing_count(
    receiver, endpoint_for, account_a, admin_a, issue, clock
):
    receiver.statuses = [500, 200]
    endpoint, _ = endpoint_for(receiver.url)
    issue(admin_a, account_a)
    retry = delivery.attempt(delivery.fan_out(Event.objects.latest("id").uid)[0].pk)
    assert Endpoint.objects.get(pk=endpoint.pk).failing_since is not None
    clock.move_to(retry.scheduled_at, tick=False)
    assert delivery.attempt(retry.pk) is None
    assert Endpoint.objects.get(pk=endpoint.pk).failing_since is None


def test_redirects_are_not_followed(receiver, endpoint_for, account_a, admin_a, issue):
    receiver.statuses = [302]
    endpoint_for(receiver.url + "start")
    issue(admin_a, account_a)
    delivery.attempt(delivery.fan_out(Event.objects.latest("id").uid)[0].pk)
    assert [r["path"] for r in receiver.requests] == ["/start"]
    first = Delivery.objects.get(attempt=1)
    assert (first.status, first.response_code) == (Status.FAILED, 302)
    assert first.error == "Redirects are not followed."


def test_a_test_event_goes_to_its_endpoint_only(
    receiver, endpoint_for, django_capture_on_commit_callbacks
):
    endpoint, secret = endpoint_for(receiver.url + "one")
    endpoint_for(receiver.url + "two")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test(endpoint=endpoint)
    assert [r["path"] for r in receiver.requests] == ["/one"]
    payload = verified(receiver.requests[0], secret)
    assert payload["type"] == "webhook.test"
    assert payload["data"]["endpoint"] == {"id": endpoint.pk, "url": endpoint.url}


def test_no_secret_in_payloads_or_logs(
    receiver, endpoint_for, account_a, admin_a, issue, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        endpoint, signing_secret = endpoint_for(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        token, token_secret = issue(admin_a, account_a)
    assert receiver.requests
    stored = json.dumps([e.data for e in Event.objects.all()]) + json.dumps(
        list(AuditEvent.objects.values_list("changes", flat=True))
    )
    written = caplog.text + stored + receiver.requests[0]["body"].decode()
    for secret in (token_secret, token.digest, signing_secret, signing_secret[6:]):
        assert secret not in written
    assert "webhook delivery" in caplog.text
    assert signing_secret not in json.dumps(list(Endpoint.objects.values()), default=str)
