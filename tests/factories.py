import factory
from django.contrib.auth.hashers import make_password

from accounts.models import Account, Membership, Role, User

PASSWORD = "correct horse battery staple"
# Hashed once: Argon2 is slow on purpose, and every factory user shares this password.
_PASSWORD_HASH = make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password = _PASSWORD_HASH


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
