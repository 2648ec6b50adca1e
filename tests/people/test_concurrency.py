"""Eight threads, each on its own PostgreSQL connection, race on one invitation."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts.audit import Actor
from accounts.models import Membership, Role
from core.errors import ServiceError
from people import services
from people.models import Invitation
from tests.factories import AccountFactory, MembershipFactory, UserFactory
from tests.security.conftest import needs_postgres

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def race(work) -> list:
    start = threading.Barrier(THREADS)

    def worker(n):
        try:
            start.wait()
            return work(n)
        except ServiceError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(worker, range(THREADS)))


def test_one_email_gets_one_pending_invitation():
    account = AccountFactory(slug="busy")
    admin = MembershipFactory(account=account, role=Role.ADMIN).user
    results = race(
        lambda n: services.invitation_create(
            account=account, email="same@example.com", role=Role.AGENT, actor=Actor(user=admin)
        )
    )
    assert sum(isinstance(r, tuple) for r in results) == 1
    assert Invitation.objects.filter(email="same@example.com").count() == 1


def test_a_link_accepted_at_once_from_many_tabs_adds_one_membership():
    account = AccountFactory(slug="busy")
    admin = MembershipFactory(account=account, role=Role.ADMIN).user
    person = UserFactory(email="tabs@example.com")
    invitation, _ = services.invitation_create(
        account=account, email=person.email, role=Role.AGENT, actor=Actor(user=admin)
    )
    results = race(
        lambda n: services.invitation_accept(
            invitation=invitation, user=person, actor=Actor(user=person)
        )
    )
    assert sum(isinstance(r, Membership) for r in results) == 1
    assert set(results) - {r for r in results if isinstance(r, Membership)} == {"not_pending"}
    assert Membership.objects.filter(account=account, user=person).count() == 1
