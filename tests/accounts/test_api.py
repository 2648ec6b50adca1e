import pytest

from accounts import services
from accounts.models import Account, AuditEvent, Membership, Role, User
from core.errors import ServiceError
from tests.factories import MembershipFactory, UserFactory
from tokens import crypto
from tokens.models import Token

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(api, issue, admin_a, account_a):
    return api(issue(admin_a, account_a)[1])


def test_get_account_shows_name_and_policy(admin_api):
    assert admin_api.get("/api/v1/account").json() | {"created_at": None} == {
        "slug": "acme",
        "name": "Acme",
        "token_access_enabled": True,
        "members_can_create_tokens": False,
        "token_max_lifetime_days": 365,
        "revoke_unused_after_days": None,
        "require_two_factor": False,
        "token_allowed_ips": [],
        "token_rate_limit_per_minute": None,
        "created_at": None,
    }


def test_patch_account_writes_the_right_events(admin_api, account_a, admin_a):
    response = admin_api.patch(
        "/api/v1/account",
        {"name": "Acme Inc", "members_can_create_tokens": True, "token_max_lifetime_days": None},
        format="json",
    )
    assert response.status_code == 200
    account_a.refresh_from_db()
    assert account_a.name == "Acme Inc" and account_a.token_max_lifetime_days is None
    event = AuditEvent.objects.get(action="account.updated")
    assert event.actor == admin_a and event.changes == {
        "name": ["Acme", "Acme Inc"],
        "members_can_create_tokens": [False, True],
        "token_max_lifetime_days": [365, None],
    }


def test_turning_token_access_off_is_its_own_event_and_stops_tokens(admin_api):
    response = admin_api.patch("/api/v1/account", {"token_access_enabled": False}, format="json")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="account.token_access_disabled").count() == 1
    assert admin_api.get("/api/v1/me").json()["code"] == "token_access_disabled"


@pytest.mark.parametrize(
    "payload",
    [
        {"token_max_lifetime_days": 0},
        {"token_max_lifetime_days": 5000},
        {"token_max_lifetime_days": "x"},
        {"name": ""},
        {"token_access_enabled": "maybe"},
    ],
)
def test_patch_account_refuses_bad_values(admin_api, account_a, payload):
    response = admin_api.patch("/api/v1/account", payload, format="json")
    assert response.status_code == 400 and set(response.json()) == set(payload)
    assert not AuditEvent.objects.filter(action__startswith="account.").exists()


def test_patch_account_ignores_the_slug(admin_api, account_a):
    admin_api.patch("/api/v1/account", {"slug": "stolen", "name": "A"}, format="json")
    assert Account.objects.filter(slug="acme").exists()


def test_members_list_shows_users_and_roles(admin_api, admin_a, agent_a, light_a):
    body = admin_api.get("/api/v1/members").json()
    assert body["count"] == 3
    first = body["results"][0]
    assert set(first) == {"id", "user", "role", "joined_at"}
    assert set(first["user"]) == {"id", "email", "name", "is_service_account"}
    assert admin_api.get("/api/v1/members?role=light_agent").json()["count"] == 1


INVITATIONS_ANSWER = {
    "email": ["People join by invitation: POST /api/v1/invitations."],
}


@pytest.mark.parametrize(
    "email",
    [
        "nobody@example.com",  # no such user
        "NEW@example.com",  # a user of no account
        "admin@globex.example",  # another tenant's admin
        "root@operator.example",  # the operator's superuser
        "admin@acme.example",  # already a member
    ],
)
def test_adding_a_person_by_email_is_refused_the_same_way_for_everyone(
    admin_api, account_a, admin_b, email
):
    UserFactory(email="new@example.com")
    UserFactory(email="root@operator.example", is_staff=True, is_superuser=True)
    count = Membership.objects.count()
    response = admin_api.post("/api/v1/members", {"email": email, "role": "agent"}, format="json")
    assert response.status_code == 400 and response.json() == INVITATIONS_ANSWER
    assert Membership.objects.count() == count
    assert not AuditEvent.objects.filter(action="member.added", account=account_a).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "role": "agent"}, "service_account"),
        ({"service_account": False, "name": "x", "role": "agent"}, "service_account"),
        ({"service_account": True, "name": "x", "role": "owner"}, "role"),
        ({"service_account": True, "name": "x"}, "role"),
        ({"service_account": True, "role": "agent"}, "name"),
        ({"service_account": True, "name": "   ", "role": "agent"}, "name"),
        ({"service_account": True, "name": "x" * 151, "role": "agent"}, "name"),
        ({"service_account": True, "name": "Zap\u202eier", "role": "agent"}, "name"),
        ({"service_account": True, "name": "Zap\u200bier", "role": "agent"}, "name"),
        ({"service_account": True, "name": "Zap\x00ier", "role": "agent"}, "name"),
        (
            {"service_account": True, "name": "x", "email": "new@example.com", "role": "agent"},
            "email",
        ),
    ],
)
def test_add_member_refuses_bad_input(admin_api, admin_a, payload, field):
    UserFactory(email="new@example.com")
    count = Membership.objects.count()
    response = admin_api.post("/api/v1/members", payload, format="json")
    assert response.status_code == 400 and set(response.json()) == {field}
    assert Membership.objects.count() == count


def test_a_service_account_is_created_without_a_password(admin_api, account_a):
    response = admin_api.post(
        "/api/v1/members",
        {"service_account": True, "name": "  Zapier ", "role": "light_agent"},
        format="json",
    )
    assert response.status_code == 201
    user = User.objects.get(pk=response.json()["user"]["id"])
    assert user.is_service_account and user.name == "Zapier" and not user.has_usable_password()


def test_change_role_and_the_last_admin_guard(admin_api, admin_a, agent_a):
    agent_m = Membership.objects.get(user=agent_a)
    response = admin_api.patch(
        f"/api/v1/members/{agent_m.pk}", {"role": "light_agent"}, format="json"
    )
    assert response.status_code == 200 and response.json()["role"] == "light_agent"
    admin_m = Membership.objects.get(user=admin_a)
    response = admin_api.patch(f"/api/v1/members/{admin_m.pk}", {"role": "agent"}, format="json")
    assert response.status_code == 400 and "at least one admin" in response.json()["role"][0]
    response = admin_api.delete(f"/api/v1/members/{admin_m.pk}")
    assert response.status_code == 400 and response.json()["code"] == "last_admin"
    assert Membership.objects.get(pk=admin_m.pk).role == Role.ADMIN


def test_removing_a_member_revokes_their_tokens_at_once(admin_api, api, issue, agent_a, account_a):
    token, secret = issue(agent_a, account_a)
    other, _ = issue(agent_a, account_a)
    member = Membership.objects.get(user=agent_a)
    assert admin_api.delete(f"/api/v1/members/{member.pk}").status_code == 204
    assert api(secret).get("/api/v1/me").status_code == 401
    assert set(Token.objects.filter(owner=agent_a).values_list("revoked_at", flat=True)) != {None}
    revocations = AuditEvent.objects.filter(action="token.revoked", account=account_a)
    assert {e.target_id for e in revocations} == {str(token.pk), str(other.pk)}
    assert all(e.changes["reason"] == "owner removed from the account" for e in revocations)


def test_removing_a_service_account_deactivates_it(admin_api, account_a):
    bot = admin_api.post(
        "/api/v1/members", {"service_account": True, "name": "bot", "role": "agent"}, format="json"
    ).json()
    assert admin_api.delete(f"/api/v1/members/{bot['id']}").status_code == 204
    assert not User.objects.get(pk=bot["user"]["id"]).is_active


def test_demoting_through_the_api_applies_to_the_next_request(
    admin_api, api, issue, agent_a, account_a
):
    MembershipFactory(account=account_a, role=Role.ADMIN)
    second_admin = (
        Membership.objects.filter(role=Role.ADMIN).exclude(user__email="admin@acme.example").get()
    )
    _, secret = issue(second_admin.user, account_a)
    client = api(secret)
    assert client.get("/api/v1/audit-events").status_code == 200
    admin_api.patch(f"/api/v1/members/{second_admin.pk}", {"role": "agent"}, format="json")
    assert client.get("/api/v1/audit-events").status_code == 403
    assert client.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize(
    ("method", "body"), [("get", None), ("patch", {"role": "agent"}), ("delete", None)]
)
def test_another_accounts_member_is_404_and_untouched(admin_api, admin_b, method, body):
    membership = Membership.objects.get(user=admin_b)
    response = getattr(admin_api, method)(f"/api/v1/members/{membership.pk}", body, format="json")
    assert response.status_code == 404
    assert Membership.objects.get(pk=membership.pk).role == Role.ADMIN


def test_audit_events_newest_first_filtered_and_paginated(
    admin_api, issue, agent_a, account_a, admin_b, account_b
):
    issue(agent_a, account_a, description="one")
    issue(agent_a, account_a, description="two")
    issue(admin_b, account_b, description="other account")
    body = admin_api.get("/api/v1/audit-events?page_size=2").json()
    assert len(body["results"]) == 2 and body["next"]
    assert body["results"][0]["id"] > body["results"][1]["id"]
    tokens = admin_api.get("/api/v1/audit-events?action=token.created").json()
    assert tokens["count"] == 3  # the admin's own token and the agent's two; never B's
    event = tokens["results"][0]
    assert set(event) == {
        "id",
        "created_at",
        "action",
        "actor",
        "actor_token_id",
        "actor_token_prefix",
        "target",
        "ip",
        "changes",
    }
    assert event["target"]["type"] == "token"


def test_audit_events_keep_the_actors_email_after_deletion(admin_api, api, issue, account_a):
    second = MembershipFactory(account=account_a, role=Role.ADMIN).user
    _, secret = issue(second, account_a)
    api(secret).patch("/api/v1/account", {"name": "Changed"}, format="json")
    second.delete()
    event = admin_api.get("/api/v1/audit-events?action=account.updated").json()["results"][0]
    assert event["actor"] == {"id": None, "email": second.email}
    assert event["actor_token_prefix"].startswith("tpk_")


def test_revoke_leaked_revokes_active_tokens_and_confirms_nothing(
    api, issue, agent_a, admin_a, account_a, django_assert_num_queries
):
    active, active_secret = issue(agent_a, account_a)
    revoked, revoked_secret = issue(admin_a, account_a)
    api(revoked_secret).delete(f"/api/v1/tokens/{revoked.pk}")
    reports = [active_secret, revoked_secret, crypto.generate(), "not a token", ""]
    response = api().post(
        "/api/v1/tokens/revoke-leaked",
        {"tokens": reports},
        format="json",
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 202 and response.json() == {"received": 5}
    active.refresh_from_db()
    assert active.status == "revoked"
    event = AuditEvent.objects.get(action="token.leak_reported")
    assert event.actor is None and event.ip == "203.0.113.9"
    assert event.target_id == str(active.pk) and active_secret not in str(event.changes)
    with django_assert_num_queries(0):
        api().post(
            "/api/v1/tokens/revoke-leaked", {"tokens": ["tpk_nope", "x" * 42]}, format="json"
        )


def test_revoke_leaked_ignores_a_bad_authorization_header(api, db):
    response = api("garbage").post("/api/v1/tokens/revoke-leaked", {"tokens": []}, format="json")
    assert response.status_code == 202


@pytest.mark.parametrize(
    "payload", [{"tokens": ["x"] * 1001}, {"tokens": "tpk_x"}, {}, {"tokens": [{"a": 1}]}]
)
def test_revoke_leaked_refuses_bad_bodies(api, db, payload):
    assert api().post("/api/v1/tokens/revoke-leaked", payload, format="json").status_code == 400


def test_revoke_leaked_is_throttled_per_ip(api, db, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "revoke_leaked": "3/min"}
    client = api()
    statuses = [
        client.post(
            "/api/v1/tokens/revoke-leaked",
            {"tokens": []},
            format="json",
            REMOTE_ADDR="198.51.100.1",
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [202, 202, 202, 429]
    other = client.post(
        "/api/v1/tokens/revoke-leaked", {"tokens": []}, format="json", REMOTE_ADDR="198.51.100.2"
    )
    assert other.status_code == 202
    last = client.post(
        "/api/v1/tokens/revoke-leaked", {"tokens": []}, format="json", REMOTE_ADDR="198.51.100.1"
    )
    assert int(last["Retry-After"]) >= 1


@pytest.mark.parametrize("name", ["Acme\u202e", "Ac\u200bme", "Ac\x00me", "Ac\x1bme", "  "])
def test_account_names_with_invisible_characters_are_refused(admin_api, account_a, name):
    response = admin_api.patch("/api/v1/account", {"name": name}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"name"}
    account_a.refresh_from_db()
    assert account_a.name == "Acme"


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/members", "role=%00"),
        ("/api/v1/members", "role=admin%00"),
        ("/api/v1/members", "role=owner"),
        ("/api/v1/members", "page=%00"),
        ("/api/v1/members", "page_size=%00"),
        ("/api/v1/audit-events", "action=%00"),
        ("/api/v1/audit-events", "action=token.created%00"),
        ("/api/v1/audit-events", "action=token%1b.created"),
        ("/api/v1/audit-events", "action=" + "x" * 65),
        ("/api/v1/audit-events", "page=%00"),
        ("/api/v1/audit-events", "page_size=x"),
    ],
)
def test_every_list_parameter_is_validated(admin_api, path, query):
    response = admin_api.get(f"{path}?{query}")
    assert response.status_code == 400
    assert set(response.json()) == {query.split("=")[0]}


def test_an_unknown_action_filter_finds_nothing(admin_api):
    assert admin_api.get("/api/v1/audit-events?action=nothing.like.this").json()["count"] == 0
    assert admin_api.get("/api/v1/audit-events?action=").json()["count"] > 0


def test_a_rule_the_account_service_refuses_is_a_400_not_a_500(admin_api, monkeypatch):
    def refuse(**kwargs):
        raise ServiceError("A new rule says no.", code="new_rule")

    monkeypatch.setattr(services, "account_update", refuse)
    response = admin_api.patch("/api/v1/account", {"name": "x"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "A new rule says no.", "code": "new_rule"}
