"""The API tokens settings page, through Django's test client."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEvent, Membership, Role
from core.errors import ServiceError
from tests.factories import PASSWORD, AccountFactory, MembershipFactory, UserFactory
from tokens.models import Token
from tokens.views import list as list_views

pytestmark = pytest.mark.django_db

PAGE = "/accounts/acme/tokens/"
NEW = PAGE + "new/"


def revoke_url(token):
    return f"{PAGE}{token.pk}/revoke/"


@pytest.fixture
def as_user(client):
    def _as(user):
        client.force_login(user)
        return client

    return _as


def form_id(client) -> str:
    html = client.get(NEW).content.decode()
    return re.search(r'name="form_id" value="([^"]+)"', html).group(1)


def create(client, **data):
    data = {
        "form_id": form_id(client),
        "description": "CI deploy",
        "scope_account": "read",
        "scope_members": "none",
        "scope_tokens": "read",
        "scope_audit": "none",
        "expiration": "30",
        **data,
    }
    return client.post(NEW, data)


def error_of(html: str, field: str) -> str:
    """The error shown next to a field, found by the id its control points to."""
    match = re.search(rf'id="id_{field}_error">(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip() if match else ""


# --- who may see and change what -------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", ""),
        ("get", "new/"),
        ("get", "audit/"),
        ("post", "access/"),
        ("post", "policy/"),
        ("post", "service-accounts/"),
        ("post", "1/revoke/"),
    ],
)
def test_every_tokens_url_is_404_for_someone_outside_the_account(
    as_user, admin_a, admin_b, method, path
):
    client = as_user(admin_b)
    assert getattr(client, method)(PAGE + path).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, account_a):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    "path, data",
    [
        ("access/", {"token_access_enabled": "on"}),
        ("policy/", {"members_can_create_tokens": "on", "token_max_lifetime_days": "30"}),
        ("service-accounts/", {"name": "Zapier", "role": "admin"}),
    ],
)
def test_agents_cannot_toggle_access_change_policy_or_add_service_accounts(
    as_user, account_a, agent_a, path, data
):
    account_a.token_access_enabled = False
    account_a.save()
    response = as_user(agent_a).post(PAGE + path, data)
    assert response.status_code == 403
    account_a.refresh_from_db()
    assert not account_a.token_access_enabled and not account_a.members_can_create_tokens
    assert account_a.token_max_lifetime_days == 365
    assert not Membership.objects.filter(user__is_service_account=True).exists()


def test_agents_cannot_read_the_audit_trail(as_user, agent_a):
    assert as_user(agent_a).get(PAGE + "audit/").status_code == 403


def test_agent_sees_access_state_read_only_and_no_add_button_by_default(as_user, agent_a):
    html = as_user(agent_a).get(PAGE).content.decode()
    assert re.search(r'role="switch"[^>]*\bdisabled\b', html)
    assert "Enabled" in html and "Only admins can change this." in html
    assert "Add new token" not in html and "Save token access" not in html
    assert "only admins create tokens" in html


def test_agent_cannot_open_or_post_the_create_form_unless_policy_allows(as_user, agent_a):
    client = as_user(agent_a)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"description": "x"}).status_code == 403
    assert not Token.objects.exists()


def test_agent_gets_the_button_and_creates_own_token_when_policy_allows(
    as_user, account_a, agent_a, admin_a
):
    account_a.members_can_create_tokens = True
    account_a.save()
    client = as_user(agent_a)
    assert ">Add new token</button>" in client.get(PAGE).content.decode()
    assert 'name="owner"' not in client.get(NEW).content.decode()
    response = create(client, owner=str(admin_a.pk))  # an owner sent anyway is ignored
    assert response.status_code == 201
    assert Token.objects.get().owner == agent_a


def test_admin_sees_switch_button_policy_service_accounts_and_activity(as_user, admin_a):
    html = as_user(admin_a).get(PAGE).content.decode()
    assert re.search(r'<input type="checkbox" role="switch"[^>]*checked', html)
    assert ">Token access</label>" in html and ">Enabled</span>" in html
    assert ">Add new token</button>" in html
    assert "A token acts as its owner, with at most the owner's current role" in html
    assert "It stops working when the owner leaves the account" in html
    assert "Token policy" in html and "New service account" in html
    assert "Recent activity" in html and 'href="/accounts/acme/tokens/audit/"' in html


def test_when_access_is_off_the_page_says_new_tokens_work_once_it_is_on(
    as_user, account_a, admin_a
):
    account_a.token_access_enabled = False
    account_a.save()
    html = as_user(admin_a).get(PAGE).content.decode()
    assert ">Disabled</span>" in html
    assert ">Add new token</button>" in html  # never hidden
    assert "will work once" in html


def test_member_of_several_accounts_can_switch_between_them(as_user, admin_a, account_b):
    MembershipFactory(account=account_b, user=admin_a, role=Role.AGENT)
    html = as_user(admin_a).get(PAGE).content.decode()
    assert 'href="/accounts/acme/tokens/" aria-current="page"' in html
    assert 'href="/accounts/globex/tokens/"' in html


# --- token access and policy --------------------------------------------------------------------


def test_admin_turns_token_access_on_and_off_with_redirects_and_audit(as_user, account_a, admin_a):
    account_a.token_access_enabled = False
    account_a.save()
    client = as_user(admin_a)
    response = client.post(PAGE + "access/", {"token_access_enabled": "on"})
    assert response.status_code == 302 and response["Location"] == PAGE
    account_a.refresh_from_db()
    assert account_a.token_access_enabled
    assert ">Enabled</span>" in client.get(PAGE).content.decode()
    client.post(PAGE + "access/", {})
    account_a.refresh_from_db()
    assert not account_a.token_access_enabled
    actions = list(AuditEvent.objects.values_list("action", flat=True)[:2])
    assert actions == ["account.token_access_disabled", "account.token_access_enabled"]


@pytest.mark.parametrize(
    ("path", "data"),
    [("access/", {"token_access_enabled": "on"}), ("policy/", {"token_max_lifetime_days": "30"})],
)
def test_a_rule_the_account_service_refuses_is_a_400_page_not_a_500(
    as_user, account_a, admin_a, monkeypatch, path, data
):
    def refuse(**kwargs):
        raise ServiceError("A new rule says no.")

    monkeypatch.setattr(list_views, "account_update", refuse)
    response = as_user(admin_a).post(PAGE + path, data)
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action__startswith="account.").exists()


def test_admin_saves_policy(as_user, account_a, admin_a):
    client = as_user(admin_a)
    data = {"members_can_create_tokens": "on", "token_max_lifetime_days": ""}
    response = client.post(PAGE + "policy/", data)
    assert response.status_code == 302 and response["Location"] == PAGE
    account_a.refresh_from_db()
    assert account_a.members_can_create_tokens and account_a.token_max_lifetime_days is None
    assert AuditEvent.objects.filter(action="account.updated").exists()


def test_policy_errors_are_shown_next_to_their_field(as_user, account_a, admin_a):
    response = as_user(admin_a).post(PAGE + "policy/", {"token_max_lifetime_days": "0"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "greater than or equal to 1" in error_of(html, "token_max_lifetime_days")
    assert re.search(r'aria-describedby="[^"]*id_token_max_lifetime_days_error', html)
    account_a.refresh_from_db()
    assert account_a.token_max_lifetime_days == 365


def test_admin_creates_a_service_account_and_can_make_it_own_a_token(as_user, account_a, admin_a):
    client = as_user(admin_a)
    response = client.post(PAGE + "service-accounts/", {"name": "Zapier", "role": "agent"})
    assert response.status_code == 302 and response["Location"] == PAGE
    bot = Membership.objects.get(user__is_service_account=True).user
    assert "Zapier" in client.get(NEW).content.decode()
    assert create(client, owner=str(bot.pk)).status_code == 201
    assert Token.objects.get().owner == bot


def test_service_account_without_a_name_is_refused_next_to_the_field(as_user, admin_a):
    response = as_user(admin_a).post(PAGE + "service-accounts/", {"name": " ", "role": "agent"})
    assert response.status_code == 400
    assert "required" in error_of(response.content.decode(), "name")


# --- creating a token and its secret ------------------------------------------------------------


def test_create_form_has_labelled_fields_all_scopes_ticked_and_policy_expiries(
    as_user, account_a, admin_a, agent_a
):
    account_a.token_max_lifetime_days = 60
    account_a.save()
    html = as_user(admin_a).get(NEW).content.decode()
    for label in ("Description", "Custom expiry date"):
        assert f">{label}</label>" in html
    for legend in ("Scopes", "Expiration"):
        assert f"<legend>{legend}</legend>" in html
    assert "<legend>Account</legend>" in html and "<legend>Audit</legend>" in html
    assert "30 days" in html and "60 days" in html and "90 days" not in html
    assert "No expiry" not in html
    assert "Yourself (admin@acme.example)" in html and "agent@acme.example" in html
    assert ">Create token</button>" in html


def test_admin_creates_a_token_and_sees_the_secret_once_with_no_store(as_user, admin_a, api):
    client = as_user(admin_a)
    response = create(client, description="Deploy bot")
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    secret = re.search(r'id="new-token" value="(tpk_[A-Za-z0-9]+)"', html).group(1)
    assert ">New API token</label>" in html and "readonly" in html
    assert "You won't be able to see it again" in html and ">Copy</button>" in html
    token = Token.objects.get()
    assert token.description == "Deploy bot" and token.owner == admin_a
    assert token.scopes == ["account:read", "tokens:read"]
    assert api(secret).get("/api/v1/me").status_code == 200

    later = client.get(PAGE).content.decode()
    assert secret not in later and token.prefix in later
    assert all(secret not in str(v) for v in client.session.values())


def test_a_resent_create_post_makes_no_second_token_and_shows_no_secret(as_user, admin_a):
    client = as_user(admin_a)
    data = {
        "form_id": form_id(client),
        "description": "Once",
        "scope_tokens": "read",
        "expiration": "30",
    }
    assert client.post(NEW, data).status_code == 201
    again = client.post(NEW, data)
    assert again.status_code == 302 and again["Location"] == PAGE
    assert Token.objects.count() == 1
    assert "already created" in client.get(PAGE).content.decode()


def test_empty_description_is_refused_next_to_its_field(as_user, admin_a):
    response = create(as_user(admin_a), description="")
    assert response.status_code == 400
    html = response.content.decode()
    assert error_of(html, "description") == "A description is required."
    assert re.search(r'name="description"[^>]*aria-invalid="true"', html)
    assert not Token.objects.exists()


def test_a_custom_expiry_beyond_the_policy_is_refused_next_to_the_date(as_user, account_a, admin_a):
    account_a.token_max_lifetime_days = 30
    account_a.save()
    too_late = (timezone.now() + timedelta(days=45)).date().isoformat()
    response = create(as_user(admin_a), expiration="custom", expires_on=too_late)
    assert response.status_code == 400
    assert "at most 30 days" in error_of(response.content.decode(), "expires_on")
    assert not Token.objects.exists()


def test_a_preset_beyond_the_policy_is_refused_next_to_expiration(as_user, account_a, admin_a):
    account_a.token_max_lifetime_days = 30
    account_a.save()
    response = create(as_user(admin_a), expiration="365")
    assert response.status_code == 400
    assert "valid choice" in error_of(response.content.decode(), "expiration")


def test_custom_date_is_required_when_custom_is_chosen(as_user, admin_a):
    response = create(as_user(admin_a), expiration="custom", expires_on="")
    assert response.status_code == 400
    assert "Choose the date" in error_of(response.content.decode(), "expires_on")


def test_no_expiry_is_offered_and_accepted_only_without_a_maximum(as_user, account_a, admin_a):
    client = as_user(admin_a)
    assert create(client, expiration="none").status_code == 400
    account_a.token_max_lifetime_days = None
    account_a.save()
    assert "No expiry" in client.get(NEW).content.decode()
    assert create(client, expiration="none").status_code == 201
    assert Token.objects.get().expires_at is None


def test_unknown_scope_level_is_refused_next_to_its_resource(as_user, admin_a):
    response = create(as_user(admin_a), scope_audit="write")
    assert response.status_code == 400
    assert "valid choice" in error_of(response.content.decode(), "scope_audit")


# --- the list and revoking ------------------------------------------------------------------


def test_list_shows_every_column_and_status_in_words(as_user, admin_a, agent_a, issue):
    expired, _ = issue(agent_a, admin_a.memberships.get().account, description="Old job")
    Token.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    issue(admin_a, expired.account, description="Live job")
    html = as_user(admin_a).get(PAGE).content.decode()
    for header in ("Description", "Prefix", "Owner", "Scopes", "Created", "Expires", "Last used"):
        assert f'<th scope="col">{header}</th>' in html
    assert "Old job" in html and "Live job" in html and expired.prefix in html
    assert ">Expired</span>" in html and ">Active</span>" in html and "Never used" in html


def test_agents_see_only_their_own_tokens(as_user, admin_a, agent_a, issue, account_a):
    issue(admin_a, account_a, description="Admin's token")
    issue(agent_a, account_a, description="Agent's token")
    html = as_user(agent_a).get(PAGE).content.decode()
    assert "Agent&#x27;s token" in html and "Admin&#x27;s token" not in html


def test_revoke_asks_for_confirmation_first_then_revokes(as_user, admin_a, account_a, issue, api):
    token, secret = issue(admin_a, account_a)
    client = as_user(admin_a)
    confirm = client.post(revoke_url(token))
    assert confirm.status_code == 200 and "Revoke this token?" in confirm.content.decode()
    assert api(secret).get("/api/v1/me").status_code == 200

    response = client.post(revoke_url(token), {"confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == PAGE
    assert api(secret).get("/api/v1/me").status_code == 401
    html = client.get(PAGE).content.decode()
    assert ">Revoked</span>" in html and "is revoked" in html
    assert AuditEvent.objects.filter(action="token.revoked", target_id=str(token.pk)).exists()


def test_revoke_url_refuses_get(as_user, admin_a, account_a, issue):
    token, _ = issue(admin_a, account_a)
    assert as_user(admin_a).get(revoke_url(token)).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_agent_cannot_revoke_someone_elses_token(as_user, admin_a, agent_a, account_a, issue):
    token, _ = issue(admin_a, account_a)
    response = as_user(agent_a).post(revoke_url(token), {"confirm": "yes"})
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_agent_revokes_own_token_even_when_members_may_not_create(
    as_user, agent_a, account_a, issue
):
    token, _ = issue(agent_a, account_a)
    as_user(agent_a).post(revoke_url(token), {"confirm": "yes"})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_admin_cannot_revoke_a_token_of_another_account(
    as_user, admin_a, admin_b, account_b, issue
):
    token, _ = issue(admin_b, account_b)
    assert as_user(admin_a).post(revoke_url(token), {"confirm": "yes"}).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# --- CSRF, audit, query counts ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, data",
    [
        ("access/", {"token_access_enabled": "on"}),
        ("policy/", {"token_max_lifetime_days": "30"}),
        ("service-accounts/", {"name": "Bot", "role": "agent"}),
        ("new/", {"description": "x", "scope_tokens": "read", "expiration": "30"}),
    ],
)
def test_every_form_needs_the_csrf_token(admin_a, path, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_a)
    assert client.post(PAGE + path, data).status_code == 403
    assert not Token.objects.exists()


def test_revoke_needs_the_csrf_token(admin_a, account_a, issue):
    token, _ = issue(admin_a, account_a)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_a)
    assert client.post(revoke_url(token), {"confirm": "yes"}).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_real_sign_in_with_csrf_then_the_forms_work(admin_a, account_a):
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    login = {"username": admin_a.email, "password": PASSWORD}
    client.post("/login/", {**login, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    csrf = client.cookies["csrftoken"].value
    response = client.post(PAGE + "access/", {"csrfmiddlewaretoken": csrf})
    assert response.status_code == 302
    account_a.refresh_from_db()
    assert not account_a.token_access_enabled


def test_audit_shows_ten_newest_on_the_page_and_paginates_the_rest(as_user, admin_a, account_a):
    client = as_user(admin_a)
    for days in range(1, 61):
        client.post(PAGE + "policy/", {"token_max_lifetime_days": str(days)})
    page_html = client.get(PAGE).content.decode()
    assert page_html.count("<code>account.updated</code>") == 10
    first = client.get(PAGE + "audit/").content.decode()
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    assert "<code>account.updated</code>" in client.get(PAGE + "audit/?page=2").content.decode()


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["admin_a", "agent_a"])
def test_page_costs_the_same_number_of_queries_for_1_and_200_tokens(
    request, as_user, account_a, issue, django_assert_num_queries, persona
):
    user = request.getfixturevalue(persona)
    client = as_user(user)
    issue(user, account_a)
    one = count_queries(client, PAGE)
    for _ in range(199):
        issue(user, account_a)
    with django_assert_num_queries(one):
        client.get(PAGE)


def test_owner_choices_hold_only_members_of_this_account(as_user, admin_a):
    other = AccountFactory(slug="other")
    MembershipFactory(account=other, user=UserFactory(email="stranger@example.com"))
    html = as_user(admin_a).get(NEW).content.decode()
    assert "stranger@example.com" not in html


# --- second pass: scopes in words, error summaries, expiry, audit in words, error pages -------


def checked_levels(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="scope_(\w+)" value="(\w+)"[^>]*\bchecked\b', html))


def unavailable(html: str) -> list[str]:
    """The ids of levels shown as unavailable (the ones whose reason is not hidden)."""
    return re.findall(r'<span class="unavailable" id="id_scope_(\w+)_reason">', html)


def test_scopes_default_to_read_access_plus_tokens_write_and_say_so(as_user, admin_a):
    html = as_user(admin_a).get(NEW).content.decode()
    assert checked_levels(html) == {
        "account": "read",
        "members": "read",
        "tokens": "write",
        "audit": "read",
    }
    for label in ("No access", "Read", "Read and write"):
        assert f">{label}</label>" in html
    assert "Who belongs to the account, and their roles." in html
    assert (
        "This token will be able to read the account, read the members, read tokens and "
        "create and revoke tokens and read the audit trail." in html
    )
    assert unavailable(html) == []


def test_a_light_agent_sees_what_their_role_cannot_have_as_unavailable(as_user, account_a, light_a):
    account_a.members_can_create_tokens = True
    account_a.save()
    client = as_user(light_a)
    html = client.get(NEW).content.decode()
    assert checked_levels(html) == {
        "account": "read",
        "members": "none",
        "tokens": "write",
        "audit": "none",
    }
    assert sorted(unavailable(html)) == ["account_2", "audit_1", "members_1", "members_2"]
    assert "the owner&#x27;s role (Light agent) does not allow it for Audit" in html
    assert re.search(r'value="read" id="id_scope_audit_1"[^>]*\bdisabled\b', html)

    response = create(client, scope_audit="read")
    assert response.status_code == 400
    assert "(Light agent) does not allow it" in error_of(response.content.decode(), "scope_audit")
    assert create(client, scope_audit="none").status_code == 201
    assert Token.objects.get().scopes == ["account:read", "tokens:read"]


def test_admin_choosing_an_agent_owner_cannot_give_the_token_the_audit_trail(
    as_user, admin_a, agent_a
):
    client = as_user(admin_a)
    response = create(client, owner=str(agent_a.pk), scope_audit="read")
    assert response.status_code == 400
    html = response.content.decode()
    assert "(Agent) does not allow it for Audit" in error_of(html, "scope_audit")
    assert "account_2" in unavailable(html)  # drawn for the chosen owner
    assert 'value="CI deploy"' in html  # what was typed is kept
    response = create(client, owner=str(agent_a.pk), scope_members="read", scope_tokens="write")
    assert response.status_code == 201
    token = Token.objects.get()
    assert token.owner == agent_a
    assert token.scopes == ["account:read", "members:read", "tokens:read", "tokens:write"]
    assert "This token will be able to read the account, read the members" in (
        response.content.decode()
    )


def test_no_access_anywhere_is_refused_in_the_summary(as_user, admin_a):
    response = create(as_user(admin_a), scope_account="none", scope_tokens="none")
    assert response.status_code == 400
    assert "Choose at least one access for the token." in response.content.decode()
    assert not Token.objects.exists()


def test_a_date_typed_beside_a_preset_wins_and_the_page_says_so(as_user, admin_a):
    day = (timezone.now() + timedelta(days=10)).date()
    response = create(as_user(admin_a), expiration="90", expires_on=day.isoformat())
    assert response.status_code == 201
    assert Token.objects.get().expires_at.date() == day
    assert "You typed a custom expiry date" in response.content.decode()
    plain = create(as_user(admin_a), expiration="90", description="plain")
    assert "You typed a custom expiry date" not in plain.content.decode()


def test_the_date_field_sits_under_custom_date_and_says_typing_chooses_it(as_user, admin_a):
    html = as_user(admin_a).get(NEW).content.decode()
    custom = html.index('value="custom"')
    date = html.index('name="expires_on"')
    assert custom < date and html.index("</fieldset>", custom) > date  # in the same fieldset
    assert "Typing a date chooses Custom date." in html


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("policy/", {"token_max_lifetime_days": "0"}, "token_max_lifetime_days"),
        ("service-accounts/", {"name": " ", "role": "agent"}, "name"),
        ("new/", None, "description"),
    ],
)
def test_a_failed_form_starts_with_a_focused_error_summary_linking_to_its_field(
    as_user, admin_a, path, data, field
):
    client = as_user(admin_a)
    response = create(client, description="") if data is None else client.post(PAGE + path, data)
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(
        r'<div class="error-summary" role="alert" tabindex="-1" autofocus.*?</div>', html, re.S
    )  # noqa: E501
    assert summary and "There is a problem" in summary.group(0)
    assert f'href="#id_{field}"' in summary.group(0)
    assert html.count('class="error-summary"') == 1  # only the form that failed


def test_the_policy_form_keeps_what_was_typed(as_user, admin_a):
    html = as_user(admin_a).post(PAGE + "policy/", {"token_max_lifetime_days": "99999"}).content
    assert re.search(rb'name="token_max_lifetime_days" value="99999"', html)


def test_the_audit_trail_shows_changes_in_words_actors_by_name_and_times_with_zone(
    as_user, admin_a, agent_a, account_a, issue
):
    from accounts.audit import Actor
    from tokens.services import token_update

    token, _ = issue(agent_a, account_a, description="Old name", scopes=["tokens:read"])
    token_update(token=token, description="New name", actor=Actor(user=admin_a))
    html = as_user(admin_a).get(PAGE + "audit/").content.decode()
    assert "description: Old name → New name" in html
    assert "scopes: tokens:read" in html
    rows = re.sub(r"<[^>]+>", "", html.split("<tbody>")[1].split("</tbody>")[0])
    assert "[" not in rows and "'" not in rows  # no Python lists
    assert f'{admin_a.name} <span class="muted">({admin_a.email})</span>' in html
    assert re.search(r"<time datetime=\"[^\"]+\">\d{4}-\d\d-\d\d \d\d:\d\d UTC</time>", html)
    assert re.search(r"expires at: \d{4}-\d\d-\d\d \d\d:\d\d UTC", html)


def test_times_have_one_format_with_the_zone_on_the_list(as_user, admin_a, account_a, issue):
    issue(admin_a, account_a, description="Timed")
    html = as_user(admin_a).get(PAGE).content.decode()
    shown = re.findall(r"<time [^>]+>([^<]+)</time>", html)
    assert shown and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", t) for t in shown)


def test_403_and_404_pages_are_in_the_layout_with_a_way_back(as_user, agent_a, account_b):
    client = as_user(agent_a)
    forbidden = client.get(PAGE + "audit/")
    assert forbidden.status_code == 403
    html = forbidden.content.decode()
    assert "You can't do that here" in html and 'href="/"' in html
    assert "does not allow audit:read" in html  # the reason
    assert "portal.css" in html and "Signed in as agent@acme.example" in html
    missing = client.get("/accounts/globex/tokens/")
    assert missing.status_code == 404
    assert "Page not found" in missing.content.decode() and "portal.css" in missing.content.decode()
    api = client.get("/api/v1/nothing-here")
    assert api.status_code == 404 and api.json() == {"detail": "Not found.", "code": "not_found"}


def test_the_500_page_renders_in_the_layout_without_a_request_context():
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Something went wrong" in html and 'href="/"' in html and "portal.css" in html


def test_every_page_links_a_favicon_that_is_served(as_user, admin_a):
    from django.contrib.staticfiles import finders

    html = as_user(admin_a).get(PAGE).content.decode()
    href = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    assert href == "/static/favicon.svg"
    assert finders.find("favicon.svg")
