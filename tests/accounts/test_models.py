from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, Membership, User
from tests.factories import AccountFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_create_user_stores_lowercase_email_and_an_argon2_hash(argon2):
    user = User.objects.create_user("Ann.Lee@Example.COM", "a long enough passphrase")
    assert user.email == "ann.lee@example.com"
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("a long enough passphrase")
    assert not user.is_staff and not user.is_superuser and user.is_active


def test_create_user_without_password_cannot_log_in():
    user = User.objects.create_user("svc@example.com")
    assert not user.has_usable_password()


def test_create_user_requires_an_email():
    with pytest.raises(ValueError):
        User.objects.create_user("", "x")


def test_create_superuser_is_staff_and_superuser():
    user = User.objects.create_superuser("root@example.com", "a long enough passphrase")
    assert user.is_staff and user.is_superuser


def test_natural_key_lookup_ignores_case():
    user = UserFactory(email="ann@example.com")
    assert User.objects.get_by_natural_key("ANN@Example.com") == user


def test_database_refuses_same_email_in_another_case():
    User.objects.create(email="dup@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="DUP@example.com")


def test_account_policy_defaults_are_safe():
    account = Account.objects.create(slug="new", name="New")
    assert account.token_access_enabled is False
    assert account.members_can_create_tokens is False
    assert account.token_max_lifetime_days == 365


def test_database_refuses_a_second_membership_in_the_same_account():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=membership.user, account=membership.account, role="agent")


def test_database_refuses_an_unknown_role():
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=UserFactory(), account=AccountFactory(), role="owner")


def test_database_refuses_a_staff_service_account():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="svc@x.example", is_service_account=True, is_staff=True)


def test_database_refuses_a_lifetime_out_of_range():
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountFactory(token_max_lifetime_days=0)


def test_users_are_found_by_the_normalised_email_through_the_index():
    user = UserFactory(email="grace@example.com")
    with CaptureQueriesContext(connection) as queries:
        assert User.objects.get_by_natural_key("  Grace@Example.COM ") == user
    sql = queries[0]["sql"].upper()
    assert "LIKE" not in sql and "UPPER(" not in sql and "LOWER(" not in sql


def test_the_migration_normalises_emails_stored_before_it():
    user = UserFactory(email="grace@example.com")
    User.objects.filter(pk=user.pk).update(email="  Grace@Example.COM")
    migration = import_module("accounts.migrations.0003_normalize_emails")
    migration.normalize_emails(global_apps, SimpleNamespace(connection=connection))
    user.refresh_from_db()
    assert user.email == "grace@example.com"


@pytest.mark.parametrize(("days", "valid"), [(0, False), (1, True), (3650, True), (3651, False)])
def test_every_entry_point_allows_the_same_lifetime_range(days, valid):
    from accounts.serializers import AccountUpdateSerializer
    from tokens.forms import PolicyForm

    assert PolicyForm({"token_max_lifetime_days": days}).is_valid() is valid
    serializer = AccountUpdateSerializer(data={"token_max_lifetime_days": days}, partial=True)
    assert serializer.is_valid() is valid
    account = AccountFactory.build(slug="range", token_max_lifetime_days=days)
    refusals = 0
    for check in (account.clean_fields, account.validate_constraints):  # validators, constraint
        try:
            check()
        except ValidationError:
            refusals += 1
    assert refusals == (0 if valid else 2)
