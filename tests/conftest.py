"""Personas: account A with an admin, an agent and a light agent; account B with its admin;
a support staff user. Tokens in tests always come from the issuing service."""

import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models.query_utils import DeferredAttribute
from rest_framework.test import APIClient

from accounts.audit import Actor
from accounts.models import Role
from core import ratelimit
from tests.factories import AccountFactory, MembershipFactory, UserFactory
from tokens import services


def pytest_report_header(config):
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return f"token-portal: database={db}, cache={cache_backend}"


# Argon2 is slow on purpose; tests that check it switch it back on with `argon2` below.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ARGON2_FIRST = ["django.contrib.auth.hashers.Argon2PasswordHasher", *FAST_HASHERS]


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def argon2(settings):
    """The production hasher, for the tests that check Argon2 itself."""
    settings.PASSWORD_HASHERS = ARGON2_FIRST


class FrozenClock:
    """The rate limiter's clock, held at the start of a window until a test moves it."""

    def __init__(self, start: float):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def ratelimit_clock(monkeypatch):
    """Every test counts in one fixed window, so none can straddle a minute boundary."""
    clock = FrozenClock((time.time() // 3600) * 3600 + 1)
    monkeypatch.setattr(ratelimit, "clock", clock)
    return clock


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache; every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


# Marks the token, user and account that token authentication returned.
_FROM_AUTHENTICATION = "_loaded_by_token_authentication"


@pytest.fixture(autouse=True)
def _authenticated_objects_are_fully_loaded(monkeypatch):
    """A field token authentication did not load would cost a silent query on every request that
    reads it: reading one fails the test instead, naming the field to add to its columns."""
    authenticate, deferred_get = services.token_authenticate, DeferredAttribute.__get__

    def marked(*args, **kwargs):
        access = authenticate(*args, **kwargs)
        for instance in (access.token, access.user, access.account):
            instance.__dict__[_FROM_AUTHENTICATION] = True
        return access

    def strict_get(self, instance, cls=None):
        if (
            instance is not None
            and instance.__dict__.get(_FROM_AUTHENTICATION)
            and self.field.attname not in instance.__dict__
        ):
            raise AssertionError(
                f"{type(instance).__name__}.{self.field.attname} is read after token "
                "authentication, which did not load it (tokens/services.py, _authentication_sql)"
            )
        return deferred_get(self, instance, cls)

    monkeypatch.setattr(services, "token_authenticate", marked)
    monkeypatch.setattr(DeferredAttribute, "__get__", strict_get)


@pytest.fixture
def account_a(db):
    return AccountFactory(slug="acme", name="Acme")


@pytest.fixture
def account_b(db):
    return AccountFactory(slug="globex", name="Globex")


def _member(account, role, email):
    return MembershipFactory(account=account, role=role, user=UserFactory(email=email)).user


@pytest.fixture
def admin_a(account_a):
    return _member(account_a, Role.ADMIN, "admin@acme.example")


@pytest.fixture
def agent_a(account_a):
    return _member(account_a, Role.AGENT, "agent@acme.example")


@pytest.fixture
def light_a(account_a):
    return _member(account_a, Role.LIGHT_AGENT, "light@acme.example")


@pytest.fixture
def admin_b(account_b):
    return _member(account_b, Role.ADMIN, "admin@globex.example")


@pytest.fixture
def support(db):
    return UserFactory(email="support@operator.example", is_staff=True)


@pytest.fixture
def issue():
    """issue(user, account, **kwargs) -> (Token, secret), through the real service."""

    def _issue(user, account, **kwargs):
        kwargs.setdefault("description", "test token")
        issued = services.token_issue(account=account, owner=user, actor=Actor(user=user), **kwargs)
        return issued.token, issued.secret

    return _issue


@pytest.fixture
def api():
    """api(secret) -> an APIClient sending `Authorization: Bearer <secret>`."""

    def _api(secret=None, scheme="Bearer"):
        client = APIClient()
        if secret is not None:
            client.credentials(HTTP_AUTHORIZATION=f"{scheme} {secret}")
        return client

    return _api


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"
