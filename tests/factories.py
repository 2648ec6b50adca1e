import functools

import factory
from django.contrib.auth.hashers import get_hashers, make_password

from accounts.models import Account, Membership, Role, User

PASSWORD = "correct horse battery staple"


@functools.cache
def _password_hash(hasher: str) -> str:
    # Hashed once per hasher: every factory user shares this password.
    return make_password(PASSWORD, hasher=hasher)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password = factory.LazyFunction(lambda: _password_hash(get_hashers()[0].algorithm))


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    slug = factory.Sequence(lambda n: f"account-{n}")
    name = factory.Sequence(lambda n: f"Account {n}")
    # Most tests exercise tokens, so access is on here; the model's own default (off) is
    # tested in tests/accounts/test_models.py.
    token_access_enabled = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    role = Role.AGENT
