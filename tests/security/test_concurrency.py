"""Eight threads change one account at once, each on its own PostgreSQL connection."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts import services
from accounts.audit import Actor
from accounts.models import Account, AuditEvent, Membership, Role
from tests.factories import AccountFactory, MembershipFactory, UserFactory
from tests.security.conftest import needs_postgres
from tokens import services as token_services
from tokens.models import Token

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
ROUNDS = 4


def run_threads(work) -> list:
    start = threading.Barrier(THREADS)

    def worker(n):
        try:
            start.wait()
            return work(n)
        finally:
            connection.close()

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(worker, range(THREADS)))


def test_concurrent_changes_lose_nothing_and_audit_every_one():
    account = AccountFactory(slug="busy")
    admin = MembershipFactory(account=account, role=Role.ADMIN).user
    agents = [MembershipFactory(account=account, role=Role.AGENT).user for _ in range(THREADS)]
    actor = Actor(user=admin)

    def work(n: int) -> Counter:
        changes: Counter = Counter()
        agent = agents[n]
        for round_ in range(ROUNDS):
            issued = token_services.token_issue(
                account=account, owner=agent, description=f"t{n}-{round_}", actor=actor
            )
            changes["token.created"] += 1
            rotated = token_services.token_rotate(token=issued.token, actor=actor, grace_seconds=0)
            changes["token.rotated"] += 1
            changes["token.revoked"] += 1  # the old token, stopped at once
            if round_ % 2:
                changes["token.revoked"] += token_services.token_revoke(
                    token=rotated.token, actor=actor
                )
            role = Role.LIGHT_AGENT if round_ % 2 == 0 else Role.AGENT
            services.member_change_role(
                membership=Membership.objects.get(user=agent), role=role, actor=actor
            )
            changes["member.role_changed"] += 1
            services.account_update(account=account, actor=actor, name=f"Busy {n}-{round_}")
            changes["account.updated"] += 1
            current = Account.objects.get(pk=account.pk).token_access_enabled
            services.account_update(account=account, actor=actor, token_access_enabled=not current)
        return changes

    expected = sum(run_threads(work), Counter())

    events = AuditEvent.objects.filter(account=account)
    counted = Counter(events.values_list("action", flat=True))
    toggles = counted.pop("account.token_access_enabled", 0) + counted.pop(
        "account.token_access_disabled", 0
    )
    assert counted == expected

    # No lost update: every token is either live or revoked exactly as the threads left it.
    assert Token.objects.filter(account=account).count() == 2 * THREADS * ROUNDS
    assert Token.objects.filter(account=account, revoked_at__isnull=True).count() == (
        2 * THREADS * ROUNDS - expected["token.revoked"]
    )
    for agent in agents:  # each agent's last change was to agent (ROUNDS is even)
        assert Membership.objects.get(user=agent).role == Role.AGENT
    # The access switch: each event flips the value the previous one left; the last one holds.
    flips = [
        e.changes["token_access_enabled"]
        for e in events.filter(action__startswith="account.token_access").order_by("id")
    ]
    assert len(flips) == toggles >= 1
    assert all(old != new for old, new in flips)
    assert all(flips[k][1] == flips[k + 1][0] for k in range(len(flips) - 1))
    account.refresh_from_db()
    assert account.token_access_enabled == flips[-1][1]
    assert account.name.startswith("Busy ")


def test_two_admins_demoting_each_other_at_once_leave_one_admin():
    account = AccountFactory(slug="duel")
    admins = [MembershipFactory(account=account, role=Role.ADMIN) for _ in range(THREADS)]
    actor = Actor(user=UserFactory())

    def work(n: int) -> str:
        try:
            services.member_change_role(membership=admins[n], role=Role.AGENT, actor=actor)
        except services.ServiceError as exc:
            return exc.code
        return "demoted"

    outcomes = Counter(run_threads(work))
    assert outcomes == {"demoted": THREADS - 1, "last_admin": 1}
    assert Membership.objects.filter(account=account, role=Role.ADMIN).count() == 1
    assert AuditEvent.objects.filter(account=account, action="member.role_changed").count() == (
        THREADS - 1
    )


def test_concurrent_api_calls_answer_without_server_errors(issue, api):
    account = AccountFactory(slug="api-busy")
    admin = MembershipFactory(account=account, role=Role.ADMIN).user
    secrets = [issue(admin, account)[1] for _ in range(THREADS)]

    def work(n: int) -> list[int]:
        client = api(secrets[n])
        statuses = []
        for round_ in range(ROUNDS):
            created = client.post("/api/v1/tokens", {"description": f"{n}-{round_}"}, format="json")
            statuses.append(created.status_code)
            rotated = client.post(f"/api/v1/tokens/{created.json()['id']}/rotate")
            statuses.append(rotated.status_code)
            statuses.append(client.delete(f"/api/v1/tokens/{rotated.json()['id']}").status_code)
            statuses.append(client.get("/api/v1/tokens").status_code)
        return statuses

    statuses = [s for per_thread in run_threads(work) for s in per_thread]
    assert Counter(statuses) == {
        201: 2 * THREADS * ROUNDS,
        204: THREADS * ROUNDS,
        200: THREADS * ROUNDS,
    }
    assert AuditEvent.objects.filter(account=account).count() == (
        THREADS + 3 * THREADS * ROUNDS  # the setup's issues, then create, rotate, revoke
    )
