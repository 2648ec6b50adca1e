"""Helpers for the security and reliability tests."""

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection

from accounts.models import Role
from tests.factories import MembershipFactory, UserFactory

UNLIMITED = "1000000/min"


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def on_redis() -> bool:
    return settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


needs_postgres = pytest.mark.skipif(
    not on_postgres(),
    reason="needs PostgreSQL: set DATABASE_URL=postgres://... (CI's second pass does)",
)
needs_postgres_and_redis = pytest.mark.skipif(
    not (on_postgres() and on_redis()),
    reason="needs PostgreSQL and Redis: set DATABASE_URL=postgres://... and "
    "CACHE_URL=redis://... (CI's second pass does)",
)


@pytest.fixture
def unthrottled(settings):
    """Rate limits out of the way, for tests that send thousands of requests on purpose."""
    settings.THROTTLE_RATES = {name: UNLIMITED for name in settings.THROTTLE_RATES}


@pytest.fixture
def wsgi_in_test_transaction():
    """Lets a plain WSGI call run inside the test's transaction, as Django's test client does:
    without this, the request signals close the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@operator.example", is_staff=True, is_superuser=True)


@pytest.fixture
def service_a(account_a):
    user = UserFactory(email="bot@acme.service.invalid", is_service_account=True)
    MembershipFactory(account=account_a, user=user, role=Role.AGENT)
    return user
