"""Notifications run against a frozen clock, the immediate task backend and Django's locmem
mail outbox (`mailoutbox`); one test starts a real worker process instead."""

from datetime import UTC, datetime

import pytest

from accounts.models import Role
from tests.factories import MembershipFactory, UserFactory

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SITE = "https://portal.example"


@pytest.fixture(autouse=True)
def clock(time_machine):
    """The time, frozen at START before any fixture writes a row; tests `.shift()` it."""
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = SITE


def sent_to(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


@pytest.fixture
def service_a(account_a):
    """A service account of account A: its tokens' notices go to A's admins."""
    user = UserFactory(email="bot@acme.service.invalid", is_service_account=True)
    MembershipFactory(account=account_a, user=user, role=Role.AGENT)
    return user
