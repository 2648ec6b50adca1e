"""Staff personas for the support console: a Support-group staff user (not a superuser) and an
operator superuser, each with a signed-in test client."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture
def support_group(db):
    return Group.objects.get(name="Support")  # made by the accounts and tokens migrations 0002


@pytest.fixture
def staff(support_group):
    user = UserFactory(email="staff@operator.example", is_staff=True)
    user.groups.add(support_group)
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@operator.example", is_staff=True, is_superuser=True)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(staff):
    return _client_for(staff)


@pytest.fixture
def superuser_client(superuser):
    return _client_for(superuser)


@pytest.fixture
def changelist_rows():
    """changelist_rows(response) -> the objects listed on an admin changelist page."""

    def _rows(response):
        assert response.status_code == 200
        return list(response.context["cl"].result_list)

    return _rows
