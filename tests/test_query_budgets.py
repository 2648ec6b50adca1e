"""A query budget for every API endpoint: a change that adds a query (a field authentication did
not load, a missing select_related) fails here. Each request authenticates with a token used
within the minute, so authentication costs its one query and no write; lists cost the same for
one row as for several."""

import pytest

from accounts.models import Membership, Role
from tests.factories import MembershipFactory, UserFactory
from tokens import crypto

pytestmark = pytest.mark.django_db

# One query authenticates the token.
AUTH = 1
# A list page: its count and its rows.
PAGE = 2
# Every audited change that is also a webhook event writes its outbox row (accounts.events).
# A change counts its savepoint and release too, as the test runs in a transaction.


@pytest.fixture
def admin_client(api, issue, admin_a, account_a):
    """An admin's token, already used once so its last use is recorded."""
    _, secret = issue(admin_a, account_a)
    client = api(secret)
    assert client.get("/api/v1/me").status_code == 200
    return client


def more_rows(account, issue, count=3):
    """Members, each with a token, and their audit events: lists then have several rows."""
    for _ in range(count):
        member = MembershipFactory(account=account, role=Role.AGENT).user
        issue(member, account)


def test_me(admin_client, django_assert_num_queries):
    with django_assert_num_queries(AUTH):
        assert admin_client.get("/api/v1/me").status_code == 200


def test_get_account(admin_client, django_assert_num_queries):
    with django_assert_num_queries(AUTH):
        assert admin_client.get("/api/v1/account").status_code == 200


def test_patch_account(admin_client, django_assert_num_queries):
    with django_assert_num_queries(AUTH + 5):
        response = admin_client.patch("/api/v1/account", {"name": "Acme Ltd"}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [0, 3], ids=["few", "many"])
def test_list_members(admin_client, account_a, issue, rows, django_assert_num_queries):
    more_rows(account_a, issue, rows)
    with django_assert_num_queries(AUTH + PAGE):
        response = admin_client.get("/api/v1/members")
    assert response.status_code == 200 and response.json()["count"] == 1 + rows


def test_create_service_account(admin_client, django_assert_num_queries):
    with django_assert_num_queries(AUTH + 12):
        response = admin_client.post(
            "/api/v1/members",
            {"service_account": True, "name": "Zapier", "role": "agent"},
            format="json",
        )
    assert response.status_code == 201


def test_get_member(admin_client, admin_a, django_assert_num_queries):
    membership = Membership.objects.get(user=admin_a)
    with django_assert_num_queries(AUTH + 1):
        assert admin_client.get(f"/api/v1/members/{membership.pk}").status_code == 200


def test_change_member_role(admin_client, account_a, django_assert_num_queries):
    membership = MembershipFactory(account=account_a, role=Role.AGENT)
    with django_assert_num_queries(AUTH + 8):
        response = admin_client.patch(
            f"/api/v1/members/{membership.pk}", {"role": "light_agent"}, format="json"
        )
    assert response.status_code == 200


def test_remove_member(admin_client, account_a, issue, django_assert_num_queries):
    membership = MembershipFactory(account=account_a, role=Role.AGENT)
    issue(membership.user, account_a)
    with django_assert_num_queries(AUTH + 15):
        assert admin_client.delete(f"/api/v1/members/{membership.pk}").status_code == 204


@pytest.mark.parametrize("rows", [0, 3], ids=["few", "many"])
def test_list_tokens(admin_client, account_a, issue, rows, django_assert_num_queries):
    more_rows(account_a, issue, rows)
    with django_assert_num_queries(AUTH + PAGE):
        response = admin_client.get("/api/v1/tokens")
    assert response.status_code == 200 and response.json()["count"] == 1 + rows


def test_create_token(admin_client, django_assert_num_queries):
    with django_assert_num_queries(AUTH + 6):
        response = admin_client.post("/api/v1/tokens", {"description": "CI"}, format="json")
    assert response.status_code == 201


def test_get_token(admin_client, admin_a, account_a, issue, django_assert_num_queries):
    token, _ = issue(admin_a, account_a)
    with django_assert_num_queries(AUTH + 1):
        assert admin_client.get(f"/api/v1/tokens/{token.pk}").status_code == 200


def test_change_token_description(
    admin_client, admin_a, account_a, issue, django_assert_num_queries
):
    token, _ = issue(admin_a, account_a)
    with django_assert_num_queries(AUTH + 6):
        response = admin_client.patch(
            f"/api/v1/tokens/{token.pk}", {"description": "renamed"}, format="json"
        )
    assert response.status_code == 200


def test_revoke_token(admin_client, admin_a, account_a, issue, django_assert_num_queries):
    token, _ = issue(admin_a, account_a)
    with django_assert_num_queries(AUTH + 7):
        assert admin_client.delete(f"/api/v1/tokens/{token.pk}").status_code == 204


def test_rotate_token(admin_client, admin_a, account_a, issue, django_assert_num_queries):
    token, _ = issue(admin_a, account_a)
    with django_assert_num_queries(AUTH + 9):
        assert admin_client.post(f"/api/v1/tokens/{token.pk}/rotate").status_code == 201


def test_revoke_leaked(api, issue, agent_a, account_a, django_assert_num_queries):
    _, leaked = issue(agent_a, account_a)
    unknown = crypto.generate()
    # No authentication; one lookup for all the digests, then the active token's revocation and
    # the owner's security notice (its recipient, and the notice row).
    with django_assert_num_queries(1 + 4 + 3 + 1):
        response = api().post(
            "/api/v1/tokens/revoke-leaked", {"tokens": [leaked, unknown, "junk"]}, format="json"
        )
    assert response.status_code == 202


@pytest.mark.parametrize("rows", [0, 3], ids=["few", "many"])
def test_list_audit_events(admin_client, account_a, issue, rows, django_assert_num_queries):
    more_rows(account_a, issue, rows)
    with django_assert_num_queries(AUTH + PAGE):
        response = admin_client.get("/api/v1/audit-events")
    assert response.status_code == 200 and response.json()["count"] >= rows


@pytest.mark.parametrize("path", ["/api/v1/schema", "/api/v1/docs"])
def test_schema_and_docs_need_no_query(api, path, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert api().get(path).status_code == 200


def test_session_request_costs_the_session_and_the_membership(
    client, admin_a, django_assert_num_queries
):
    client.force_login(admin_a)
    UserFactory()  # another user: nothing in the budget depends on who else exists
    with django_assert_num_queries(3):  # session, user, membership with its account
        assert client.get("/api/v1/me").status_code == 200
