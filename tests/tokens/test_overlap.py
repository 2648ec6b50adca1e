"""Rotation with overlap (SPEC section 9): the old token works until the grace period after the
new token's first use, never later than 7 days after the rotation nor its own expiry."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from accounts.models import AuditEvent
from notifications.sweep import sweep
from tests.security.conftest import needs_postgres
from tokens import services
from tokens.models import Token

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def admin_api(api, issue, admin_a, account_a, clock):
    return api(issue(admin_a, account_a)[1])


def rotate(client, token, **data):
    return client.post(f"/api/v1/tokens/{token.pk}/rotate", data, format="json")


def works(api, secret) -> bool:
    status = api(secret).get("/api/v1/me").status_code
    assert status in (200, 401)
    return status == 200


def stopped_events(token):
    return AuditEvent.objects.filter(
        action="token.revoked", target_id=str(token.pk), changes__reason="rotated"
    )


@pytest.fixture
def rotated(admin_api, issue, agent_a, account_a):
    """rotated(grace_seconds=..., **issue kwargs) -> (old token, old secret, new secret)."""

    def _rotated(*, grace_seconds=None, **kwargs):
        token, old = issue(agent_a, account_a, **kwargs)
        data = {} if grace_seconds is None else {"grace_seconds": grace_seconds}
        response = rotate(admin_api, token, **data)
        assert response.status_code == 201
        return token, old, response.json()["token"]

    return _rotated


@pytest.mark.django_db
def test_both_secrets_work_and_the_old_names_its_successor(api, admin_api, rotated, clock):
    token, old, new = rotated()
    body = admin_api.get(f"/api/v1/tokens/{token.pk}").json()
    assert body["replaced_by"] == Token.objects.get(replaces=token).pk
    assert body["status"] == "active"
    # Until the new token is used, the old one may run for 7 days at most...
    assert body["stops_at"] == "2026-03-09T09:00:00Z"
    assert works(api, old) and works(api, new)
    # ...and from the new one's first use, for the default grace of 24 hours.
    assert admin_api.get(f"/api/v1/tokens/{token.pk}").json()["stops_at"] == "2026-03-03T09:00:00Z"


@pytest.mark.django_db
def test_the_old_token_stops_its_grace_after_the_new_ones_first_use(api, admin_api, rotated, clock):
    token, old, new = rotated(grace_seconds=3600)
    clock.shift(2 * HOUR)
    assert works(api, old)  # the new one is not in use yet
    assert works(api, new)  # first use at 11:00
    assert Token.objects.get(pk=token.pk).stops_at == START + 3 * HOUR
    clock.shift(HOUR - timedelta(seconds=1))
    assert works(api, old) and works(api, new)
    clock.shift(timedelta(seconds=1))
    assert not works(api, old) and works(api, new)
    body = admin_api.get(f"/api/v1/tokens/{token.pk}").json()
    assert body["status"] == "revoked" and body["revoked_at"] == "2026-03-02T12:00:00Z"
    assert stopped_events(token).count() == 1
    assert not works(api, old)
    assert stopped_events(token).count() == 1


@pytest.mark.django_db
def test_later_uses_of_the_new_token_do_not_move_the_end(api, rotated, clock):
    token, old, new = rotated(grace_seconds=3600)
    assert works(api, new)
    clock.shift(30 * 60)
    assert works(api, new)
    assert Token.objects.get(pk=token.pk).stops_at == START + HOUR


@pytest.mark.django_db
def test_the_overlap_never_runs_past_7_days_after_the_rotation(api, rotated, clock):
    token, old, new = rotated(grace_seconds=7 * 86400)
    clock.shift(6 * DAY)
    assert works(api, new)
    assert Token.objects.get(pk=token.pk).stops_at == START + 7 * DAY
    clock.shift(DAY - timedelta(seconds=1))
    assert works(api, old)
    clock.shift(timedelta(seconds=1))
    assert not works(api, old) and works(api, new)


@pytest.mark.django_db
def test_an_unused_replacement_still_ends_the_overlap_after_7_days(api, rotated, clock):
    _, old, _ = rotated(grace_seconds=3600)
    clock.shift(7 * DAY - timedelta(seconds=1))
    assert works(api, old)
    clock.shift(timedelta(seconds=1))
    assert not works(api, old)


@pytest.mark.django_db
def test_the_overlap_never_runs_past_the_old_tokens_expiry(api, rotated, clock):
    token, old, new = rotated(expires_at=START + 2 * DAY)
    assert Token.objects.get(pk=token.pk).stops_at == START + 2 * DAY
    clock.shift(2 * DAY - timedelta(seconds=1))
    assert works(api, old)
    clock.shift(timedelta(seconds=1))
    assert not works(api, old)


@pytest.mark.django_db
def test_with_no_grace_the_old_token_stops_at_once(api, admin_api, rotated, clock):
    token, old, new = rotated(grace_seconds=0)
    assert not works(api, old) and works(api, new)
    body = admin_api.get(f"/api/v1/tokens/{token.pk}").json()
    assert body["status"] == "revoked" and body["stops_at"] == "2026-03-02T09:00:00Z"
    assert stopped_events(token).count() == 1


@pytest.mark.django_db
def test_a_token_in_its_overlap_cannot_be_rotated_again(admin_api, rotated, clock):
    token, _, _ = rotated()
    response = rotate(admin_api, token)
    assert response.status_code == 400 and response.json()["code"] == "token_replaced"
    assert Token.objects.filter(account=token.account, owner=token.owner).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("grace", [-1, 604801, "soon"])
def test_the_grace_period_is_0_to_7_days(admin_api, issue, agent_a, account_a, grace):
    token, _ = issue(agent_a, account_a)
    response = rotate(admin_api, token, grace_seconds=grace)
    assert response.status_code == 400 and "grace_seconds" in response.json()
    assert Token.objects.filter(owner=agent_a).count() == 1


@pytest.mark.django_db
def test_the_rotation_is_audited_with_its_grace(rotated, clock):
    token, _, _ = rotated(grace_seconds=600)
    event = AuditEvent.objects.get(action="token.rotated")
    assert event.changes["rotated_from"] == token.pk and event.changes["grace_seconds"] == 600


@pytest.mark.django_db
def test_the_sweep_revokes_a_finished_overlap_once(api, rotated, clock):
    token, old, _ = rotated(grace_seconds=3600)
    clock.shift(7 * DAY)
    assert Token.objects.with_status("revoked").filter(pk=token.pk).exists()
    sweep()
    sweep()
    assert Token.objects.get(pk=token.pk).revoked_at == START + 7 * DAY
    assert not works(api, old)
    assert stopped_events(token).count() == 1


# --- self-rotation ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_token_rotates_itself(api, issue, agent_a, account_a, clock):
    token, old = issue(agent_a, account_a, scopes=["tokens:write"])
    response = api(old).post("/api/v1/tokens/current/rotate", {"grace_seconds": 0}, format="json")
    assert response.status_code == 201 and "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["scopes"] == ["tokens:write"] and body["owner"]["id"] == agent_a.pk
    assert Token.objects.get(pk=token.pk).replaced_by_id == body["id"]
    assert not works(api, old) and works(api, body["token"])


@pytest.mark.django_db
def test_self_rotation_needs_tokens_write(api, issue, agent_a, account_a):
    token, secret = issue(agent_a, account_a, scopes=["tokens:read"])
    response = api(secret).post("/api/v1/tokens/current/rotate")
    assert response.status_code == 403
    assert Token.objects.get(pk=token.pk).replaced_by_id is None


@pytest.mark.django_db
def test_a_browser_session_has_no_current_token_to_rotate(api, admin_a, account_a):
    client = api()
    client.force_login(admin_a)
    response = client.post("/api/v1/tokens/current/rotate", {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "token_required"
    assert not Token.objects.exists()


# --- exactly one audit event under concurrency ------------------------------------------------


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_requests_and_the_sweep_racing_write_one_event(api, issue, agent_a, account_a):
    token, old = issue(agent_a, account_a)
    services.token_rotate(token=token, actor=services.SYSTEM, grace_seconds=60)
    Token.objects.filter(pk=token.pk).update(stops_at=START)  # the overlap is long over
    start = threading.Barrier(8)
    results = []

    def worker(n):
        try:
            start.wait()
            if n == 0:
                sweep()
            else:
                results.append(api(old).get("/api/v1/me").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [401] * 7
    assert stopped_events(token).count() == 1
