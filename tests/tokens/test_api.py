import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import AuditEvent
from tests.factories import MembershipFactory
from tokens import crypto
from tokens.models import Token

pytestmark = pytest.mark.django_db

TOKEN_FIELDS = {
    "id",
    "description",
    "prefix",
    "owner",
    "scopes",
    "created_at",
    "created_by",
    "expires_at",
    "last_used_at",
    "last_used_ip",
    "revoked_at",
    "status",
    "replaced_by",
    "stops_at",
    "allowed_ips",
    "rate_limit_per_minute",
    "recent_ips",
}


@pytest.fixture
def admin_api(api, issue, admin_a, account_a):
    return api(issue(admin_a, account_a)[1])


def test_create_returns_the_secret_once_with_no_store(admin_api, admin_a):
    response = admin_api.post("/api/v1/tokens", {"description": "Zapier"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == TOKEN_FIELDS | {"token"}
    assert re.match(crypto.REGEX, body["token"])
    assert body["prefix"] == body["token"][:12]
    assert body["owner"]["email"] == admin_a.email and body["created_by"]["id"] == admin_a.pk
    assert body["status"] == "active"
    assert "no-store" in response["Cache-Control"]
    detail = admin_api.get(f"/api/v1/tokens/{body['id']}")
    assert set(detail.json()) == TOKEN_FIELDS
    assert body["token"] not in admin_api.get("/api/v1/tokens").content.decode()


def test_the_database_never_holds_the_secret(admin_api):
    secret = admin_api.post("/api/v1/tokens", {"description": "x"}, format="json").json()["token"]
    token = Token.objects.get(prefix=secret[:12])
    assert token.digest == crypto.digest(secret) and len(token.digest) == 64
    with connection.cursor() as cursor:
        for table in ("tokens_token", "accounts_auditevent"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            assert secret not in repr(cursor.fetchall())


def test_create_defaults_to_every_scope_and_the_maximum_lifetime(admin_api, account_a):
    body = admin_api.post("/api/v1/tokens", {"description": "x"}, format="json").json()
    assert len(body["scopes"]) == 7
    token = Token.objects.get(pk=body["id"])
    expected = token.created_at + timedelta(days=account_a.token_max_lifetime_days)
    assert token.expires_at == expected


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "description"),
        ({"description": "  "}, "description"),
        ({"description": "x" * 201}, "description"),
        ({"description": "x", "scopes": []}, "scopes"),
        ({"description": "x", "scopes": ["everything"]}, "scopes"),
        ({"description": "x", "expires_at": "yesterday"}, "expires_at"),
        ({"description": "x", "expires_at": None}, "expires_at"),
        ({"description": "x", "owner_id": "abc"}, "owner_id"),
        ({"description": "x", "owner_id": 10**30}, "owner_id"),
    ],
)
def test_create_refuses_bad_input_with_field_errors(admin_api, payload, field):
    response = admin_api.post("/api/v1/tokens", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Token.objects.count() == 1  # only the caller's own


def test_expiry_beyond_policy_is_refused_and_within_is_kept(admin_api):
    too_late = (timezone.now() + timedelta(days=366)).isoformat()
    response = admin_api.post(
        "/api/v1/tokens", {"description": "x", "expires_at": too_late}, format="json"
    )
    assert response.status_code == 400 and "365 days" in response.json()["expires_at"][0]
    soon = timezone.now() + timedelta(days=30)
    body = admin_api.post(
        "/api/v1/tokens", {"description": "x", "expires_at": soon.isoformat()}, format="json"
    ).json()
    assert Token.objects.get(pk=body["id"]).expires_at == soon.replace(microsecond=soon.microsecond)


def test_past_expiry_is_refused(admin_api):
    past = (timezone.now() - timedelta(minutes=1)).isoformat()
    response = admin_api.post(
        "/api/v1/tokens", {"description": "x", "expires_at": past}, format="json"
    )
    assert response.status_code == 400 and "future" in response.json()["expires_at"][0]


def test_no_expiry_when_the_policy_allows_it(admin_api, account_a):
    account_a.token_max_lifetime_days = None
    account_a.save()
    body = admin_api.post(
        "/api/v1/tokens", {"description": "x", "expires_at": None}, format="json"
    ).json()
    assert body["expires_at"] is None


def test_admin_creates_a_token_for_a_service_account(admin_api, account_a):
    bot = admin_api.post(
        "/api/v1/members",
        {"service_account": True, "name": "Zapier", "role": "agent"},
        format="json",
    ).json()["user"]
    body = admin_api.post(
        "/api/v1/tokens", {"description": "Zapier", "owner_id": bot["id"]}, format="json"
    ).json()
    assert body["owner"]["is_service_account"] is True
    me = admin_api.__class__()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.get("/api/v1/me").json()["role"] == "agent"


def test_owner_from_another_account_is_refused_like_an_unknown_one(admin_api, admin_b):
    for owner_id in (admin_b.pk, 987654):
        response = admin_api.post(
            "/api/v1/tokens", {"description": "x", "owner_id": owner_id}, format="json"
        )
        assert response.status_code == 400
        assert response.json() == {
            "owner_id": ["The owner must be an active member of this account."]
        }


def test_a_token_cannot_mint_a_token_with_more_scopes(api, issue, admin_a, account_a):
    _, secret = issue(admin_a, account_a, scopes=["tokens:read", "tokens:write"])
    client = api(secret)
    response = client.post("/api/v1/tokens", {"description": "x"}, format="json")
    assert response.status_code == 201
    assert response.json()["scopes"] == ["tokens:read", "tokens:write"]
    response = client.post(
        "/api/v1/tokens", {"description": "x", "scopes": ["audit:read"]}, format="json"
    )
    assert response.status_code == 400 and "scopes" in response.json()


def test_owner_and_secret_fields_in_create_are_ignored(admin_api, admin_a):
    response = admin_api.post(
        "/api/v1/tokens",
        {
            "description": "x",
            "token": "tpk_chosen",
            "digest": "0" * 64,
            "account": 999,
            "user": 999,
            "owner": 999,
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["token"] != "tpk_chosen" and body["owner"]["id"] == admin_a.pk


def test_list_filters_by_status_and_owner_and_paginates(admin_api, issue, agent_a, account_a):
    revoked, _ = issue(agent_a, account_a)
    admin_api.delete(f"/api/v1/tokens/{revoked.pk}")
    expired, _ = issue(agent_a, account_a)
    Token.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    body = admin_api.get("/api/v1/tokens").json()
    assert body["count"] == 3 and body["next"] is None
    assert [
        t["status"] for t in admin_api.get("/api/v1/tokens?status=revoked").json()["results"]
    ] == ["revoked"]
    assert admin_api.get("/api/v1/tokens?status=expired").json()["results"][0]["id"] == expired.pk
    assert admin_api.get("/api/v1/tokens?status=active").json()["count"] == 1
    assert admin_api.get(f"/api/v1/tokens?owner={agent_a.pk}").json()["count"] == 2
    page = admin_api.get("/api/v1/tokens?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"]
    assert admin_api.get("/api/v1/tokens?status=bogus").status_code == 400
    assert admin_api.get("/api/v1/tokens?owner=x").status_code == 400


def test_page_size_is_capped(admin_api, issue, admin_a, account_a, monkeypatch):
    from core.pagination import PageNumberPagination

    monkeypatch.setattr(PageNumberPagination, "max_page_size", 2)
    for _ in range(3):
        issue(admin_a, account_a)
    body = admin_api.get("/api/v1/tokens?page_size=10000").json()
    assert body["count"] == 4 and len(body["results"]) == 2


def test_non_admins_list_only_their_own(api, issue, admin_a, agent_a, account_a):
    issue(admin_a, account_a)
    token, secret = issue(agent_a, account_a)
    body = api(secret).get("/api/v1/tokens").json()
    assert [t["id"] for t in body["results"]] == [token.pk]


def test_list_costs_the_same_queries_for_2_and_40_tokens(
    admin_api, issue, agent_a, account_a, django_assert_num_queries
):
    issue(agent_a, account_a)
    admin_api.get("/api/v1/tokens")
    with django_assert_num_queries(3):  # auth, count, page
        admin_api.get("/api/v1/tokens")
    for _ in range(38):
        issue(agent_a, account_a)
    with django_assert_num_queries(3):
        admin_api.get("/api/v1/tokens")


def test_patch_changes_only_the_description(admin_api, issue, agent_a, account_a):
    token, _ = issue(agent_a, account_a, description="old")
    response = admin_api.patch(
        f"/api/v1/tokens/{token.pk}",
        {"description": "new", "owner_id": 1, "scopes": ["audit:read"], "revoked_at": None},
        format="json",
    )
    assert response.status_code == 200 and response.json()["description"] == "new"
    token.refresh_from_db()
    assert token.owner == agent_a and len(token.scopes) == 7
    event = AuditEvent.objects.get(action="token.updated")
    assert event.changes == {"description": ["old", "new"]}
    assert (
        admin_api.patch(
            f"/api/v1/tokens/{token.pk}", {"description": ""}, format="json"
        ).status_code
        == 400
    )


def test_revoke_keeps_the_row_and_is_idempotent(admin_api, issue, agent_a, admin_a, account_a):
    token, _ = issue(agent_a, account_a)
    assert admin_api.delete(f"/api/v1/tokens/{token.pk}").status_code == 204
    token.refresh_from_db()
    assert token.status == "revoked" and token.revoked_by == admin_a
    assert admin_api.delete(f"/api/v1/tokens/{token.pk}").status_code == 204
    assert AuditEvent.objects.filter(action="token.revoked").count() == 1


def test_rotate_without_overlap_gives_a_new_secret_and_revokes_the_old(
    api, admin_api, issue, agent_a, account_a
):
    token, old_secret = issue(
        agent_a,
        account_a,
        description="CI",
        scopes=["tokens:read"],
        expires_at=timezone.now() + timedelta(days=30),
    )
    response = admin_api.post(
        f"/api/v1/tokens/{token.pk}/rotate", {"grace_seconds": 0}, format="json"
    )
    assert response.status_code == 201 and "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["id"] != token.pk and body["description"] == "CI"
    assert body["owner"]["id"] == agent_a.pk and body["scopes"] == ["tokens:read"]
    new = Token.objects.get(pk=body["id"])
    assert abs((new.expires_at - new.created_at) - timedelta(days=30)) < timedelta(seconds=5)
    assert api(old_secret).get("/api/v1/me").status_code == 401
    assert api(body["token"]).get("/api/v1/me").status_code == 200
    event = AuditEvent.objects.get(action="token.rotated")
    assert event.changes["rotated_from"] == token.pk
    again = admin_api.post(f"/api/v1/tokens/{token.pk}/rotate")
    assert again.status_code == 400 and again.json()["code"] == "token_revoked"


def test_rotating_a_removed_members_token_is_refused(admin_api, issue, account_a):
    member = MembershipFactory(account=account_a)
    token, _ = issue(member.user, account_a)
    member.delete()
    response = admin_api.post(f"/api/v1/tokens/{token.pk}/rotate")
    assert response.status_code == 400 and response.json()["code"] == "owner_not_member"


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("patch", ""), ("delete", ""), ("post", "/rotate")],
)
def test_another_accounts_token_is_404_and_untouched(
    admin_api, issue, admin_b, account_b, method, suffix
):
    token, secret = issue(admin_b, account_b, description="B's")
    response = getattr(admin_api, method)(
        f"/api/v1/tokens/{token.pk}{suffix}", {"description": "hijacked"}, format="json"
    )
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.description == "B's" and token.revoked_at is None
    assert (
        not AuditEvent.objects.filter(account=account_b, action__startswith="token.")
        .exclude(action="token.created")
        .exists()
    )


def test_another_accounts_tokens_never_show_in_lists(admin_api, issue, admin_b, account_b):
    issue(admin_b, account_b)
    body = admin_api.get(f"/api/v1/tokens?owner={admin_b.pk}&page_size=500").json()
    assert body["count"] == 0


def test_every_token_change_writes_its_audit_event(admin_api, issue, admin_a, agent_a, account_a):
    created = admin_api.post(
        "/api/v1/tokens", {"description": "x", "owner_id": agent_a.pk}, format="json"
    ).json()
    admin_api.patch(f"/api/v1/tokens/{created['id']}", {"description": "y"}, format="json")
    rotated = admin_api.post(f"/api/v1/tokens/{created['id']}/rotate").json()
    admin_api.delete(f"/api/v1/tokens/{rotated['id']}")
    events = AuditEvent.objects.filter(account=account_a, action__startswith="token.")
    actions = list(events.order_by("id").values_list("action", flat=True))
    assert actions == [
        "token.created",
        "token.created",
        "token.updated",
        "token.rotated",
        "token.revoked",
    ]
    api_event = events.get(action="token.updated")
    assert api_event.actor == admin_a and api_event.actor_token_prefix.startswith("tpk_")
    assert api_event.ip == "127.0.0.1"
    for event in events:
        assert created["token"] not in str(event.changes)
        assert rotated["token"] not in str(event.changes)


def test_session_requests_need_csrf(issue, agent_a, account_a):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(agent_a)
    assert client.get("/api/v1/me").status_code == 200
    response = client.post("/api/v1/tokens", {"description": "x"}, format="json")
    assert response.status_code == 403


def test_session_user_of_several_accounts_names_one(client, admin_a, account_a, account_b):
    MembershipFactory(user=admin_a, account=account_b)
    client.force_login(admin_a)
    assert client.get("/api/v1/me").status_code == 400
    body = client.get("/api/v1/me", HTTP_X_ACCOUNT="globex").json()
    assert body["account"]["slug"] == "globex" and body["role"] == "agent" and body["token"] is None
    assert client.get("/api/v1/me", HTTP_X_ACCOUNT="nowhere").status_code == 404


def test_session_ignores_the_token_access_switch(client, agent_a, account_a):
    account_a.token_access_enabled = False
    account_a.save()
    client.force_login(agent_a)
    assert client.get("/api/v1/tokens").status_code == 200


# --- Hostile input: never a 500 for anything a client can send ----------------------------


@pytest.mark.parametrize("path", ["/api/v1/tokens/revoke-leaked", "/api/v1/tokens"])
def test_json_nested_too_deeply_gets_a_clean_400(admin_api, path, caplog):
    body = "[" * 100_000 + "]" * 100_000
    response = admin_api.post(path, body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("description=x", "application/x-www-form-urlencoded"),
        (
            "--b\r\nContent-Disposition: form-data; name=description\r\n\r\nx\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
        ),
        ("description: x", "text/plain"),
    ],
)
def test_the_api_parses_json_only(admin_api, body, content_type):
    response = admin_api.post("/api/v1/tokens", body, content_type=content_type)
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"
    assert Token.objects.count() == 1


def test_a_body_over_the_size_limit_gets_the_apis_json_400(admin_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = admin_api.post(
        "/api/v1/tokens/revoke-leaked", {"tokens": ["x" * 2000]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body is larger than 1000 bytes.",
        "code": "request_too_large",
    }


def test_other_bad_requests_under_the_api_answer_in_its_json_shape(admin_api, client):
    too_many_fields = admin_api.get("/api/v1/tokens?" + "&".join(["a=1"] * 1001))
    host_not_allowed = admin_api.get("/api/v1/tokens", HTTP_HOST="evil.example")
    for response in (too_many_fields, host_not_allowed):
        assert response.status_code == 400
        assert response.json() == {"detail": "Bad request.", "code": "bad_request"}
    assert client.get("/login/", HTTP_HOST="evil.example")["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "query",
    [
        "status=%00",
        "status=active%00",
        "owner=%00",
        "owner=1%00",
        "owner=99999999999999999999",
        "page=%00",
        "page=0",
        "page=x",
        "page_size=%00",
        "page_size=-1",
        "owner=%E2%80%AE1",
    ],
)
def test_every_token_list_parameter_is_validated(admin_api, query):
    response = admin_api.get(f"/api/v1/tokens?{query}")
    assert response.status_code == 400
    assert set(response.json()) == {query.split("=")[0]}


@pytest.mark.parametrize(
    "description",
    ["evil\u202eexe.txt", "zero\u200bwidth", "bell\x07", "new\nline", "tab\tbed", "bom\ufeff"],
)
def test_descriptions_with_invisible_characters_are_refused(
    admin_api, issue, admin_a, account_a, description
):
    created = admin_api.post("/api/v1/tokens", {"description": description}, format="json")
    assert created.status_code == 400 and set(created.json()) == {"description"}
    token, _ = issue(admin_a, account_a)
    changed = admin_api.patch(
        f"/api/v1/tokens/{token.pk}", {"description": description}, format="json"
    )
    assert changed.status_code == 400 and set(changed.json()) == {"description"}
    assert Token.objects.get(pk=token.pk).description == "test token"


def test_descriptions_keep_visible_unicode(admin_api):
    description = "Déploiement – 日本 🚀 אבג"
    response = admin_api.post("/api/v1/tokens", {"description": description}, format="json")
    assert response.status_code == 201 and response.json()["description"] == description


def test_the_description_limit_is_200_characters(admin_api):
    ok = admin_api.post("/api/v1/tokens", {"description": "x" * 200}, format="json")
    too_long = admin_api.post("/api/v1/tokens", {"description": "x" * 201}, format="json")
    assert ok.status_code == 201 and too_long.status_code == 400


BROWSABLE_PATHS = [
    "/api/v1/me",
    "/api/v1/account",
    "/api/v1/members",
    "/api/v1/members/{member}",
    "/api/v1/tokens",
    "/api/v1/tokens/{token}",
    "/api/v1/audit-events",
]


@pytest.mark.parametrize("path", BROWSABLE_PATHS)
def test_the_browsable_api_renders_every_page(admin_api, client, admin_a, account_a, path):
    token = Token.objects.get()
    path = path.format(member=admin_a.memberships.get().pk, token=token.pk)
    client.force_login(admin_a)
    for response in (
        admin_api.get(path, HTTP_ACCEPT="text/html"),
        admin_api.get(path + "?format=api"),
        client.get(path, HTTP_ACCEPT="text/html"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert token.digest not in response.content.decode()


def test_production_turns_the_browsable_api_off():
    from tests.security.test_deploy import PRODUCTION_ENV, manage

    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'])",
        env=PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert "BrowsableAPIRenderer" not in result.stdout and "JSONRenderer" in result.stdout
