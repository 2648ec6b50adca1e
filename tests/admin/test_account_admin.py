"""Accounts in the support console: find one, change its policy (audited), follow its links."""

import pytest

from accounts import services
from accounts.models import Account, AuditEvent
from core.errors import ServiceError
from tests.factories import AccountFactory

CHANGELIST = "/admin/accounts/account/"


def change_url(account: Account) -> str:
    return f"/admin/accounts/account/{account.pk}/change/"


def form_data(account: Account, **changes) -> dict:
    data = {
        "name": account.name,
        "token_access_enabled": "on" if account.token_access_enabled else "",
        "members_can_create_tokens": "on" if account.members_can_create_tokens else "",
        "token_max_lifetime_days": account.token_max_lifetime_days or "",
        # the read-only members inline still sends its management form
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        **changes,
    }
    return {key: value for key, value in data.items() if value != ""}


def test_staff_lists_and_searches_accounts(staff_client, changelist_rows, account_a, account_b):
    assert changelist_rows(staff_client.get(CHANGELIST)) == [account_a, account_b]
    assert changelist_rows(staff_client.get(CHANGELIST, {"q": "glob"})) == [account_b]
    assert changelist_rows(staff_client.get(CHANGELIST, {"q": "Acme"})) == [account_a]


def test_filter_by_token_access(staff_client, changelist_rows, account_a):
    off = AccountFactory(slug="dormant", token_access_enabled=False)
    response = staff_client.get(CHANGELIST, {"token_access_enabled__exact": "0"})
    assert changelist_rows(response) == [off]


def test_change_page_shows_read_only_members_and_links(staff_client, account_a, admin_a, agent_a):
    response = staff_client.get(change_url(account_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert "admin@acme.example" in html and "agent@acme.example" in html
    assert 'name="memberships-0-role"' not in html  # members are shown, not edited here
    assert f'href="/admin/tokens/token/?account__id__exact={account_a.pk}"' in html
    assert f'href="/admin/accounts/auditevent/?account__id__exact={account_a.pk}"' in html
    assert list(response.context["adminform"].form.fields) == [
        "name",
        "token_access_enabled",
        "members_can_create_tokens",
        "token_max_lifetime_days",
        "revoke_unused_after_days",
        "require_two_factor",
        "token_allowed_ips",
        "token_rate_limit_per_minute",
    ]


def test_links_lead_to_the_accounts_tokens_and_events(
    staff_client, changelist_rows, issue, admin_a, admin_b, account_a, account_b
):
    token, _ = issue(admin_a, account_a)
    issue(admin_b, account_b)
    filtered = {"account__id__exact": account_a.pk}
    assert changelist_rows(staff_client.get("/admin/tokens/token/", filtered)) == [token]
    events = changelist_rows(staff_client.get("/admin/accounts/auditevent/", filtered))
    assert events and {e.account for e in events} == {account_a}


def test_policy_change_is_saved_through_the_service_as_the_staff_user(
    staff_client, staff, account_a
):
    response = staff_client.post(
        change_url(account_a),
        form_data(
            account_a,
            name="Acme Inc",
            slug="hijacked",
            token_access_enabled="",
            members_can_create_tokens="on",
            token_max_lifetime_days="90",
        ),
    )
    assert response.status_code == 302
    account_a.refresh_from_db()
    assert account_a.slug == "acme"  # read-only
    assert (account_a.name, account_a.token_access_enabled) == ("Acme Inc", False)
    assert (account_a.members_can_create_tokens, account_a.token_max_lifetime_days) == (True, 90)
    toggle = AuditEvent.objects.get(action="account.token_access_disabled")
    updated = AuditEvent.objects.get(action="account.updated")
    assert toggle.actor == updated.actor == staff
    assert updated.changes == {
        "name": ["Acme", "Acme Inc"],
        "members_can_create_tokens": [False, True],
        "token_max_lifetime_days": [365, 90],
    }


def test_no_expiry_limit_can_be_chosen(staff_client, account_a):
    staff_client.post(change_url(account_a), form_data(account_a, token_max_lifetime_days=""))
    account_a.refresh_from_db()
    assert account_a.token_max_lifetime_days is None


def test_saving_without_a_change_writes_no_event(staff_client, account_a):
    AuditEvent.objects.all().delete()
    assert staff_client.post(change_url(account_a), form_data(account_a)).status_code == 302
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("days", ["0", "5000", "soon"])
def test_out_of_range_lifetime_is_refused_with_a_message(staff_client, account_a, days):
    response = staff_client.post(
        change_url(account_a), form_data(account_a, token_max_lifetime_days=days)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["token_max_lifetime_days"]
    account_a.refresh_from_db()
    assert account_a.token_max_lifetime_days == 365
    assert not AuditEvent.objects.filter(action="account.updated").exists()


@pytest.mark.parametrize("who", ["staff_client", "superuser_client"])
def test_accounts_are_neither_added_nor_deleted_in_the_admin(request, account_a, who):
    """Accounts are created with `manage.py createaccount`, which hands over the first admin's
    password; no service closes an account."""
    client = request.getfixturevalue(who)
    assert client.get("/admin/accounts/account/add/").status_code == 403
    assert client.get(f"/admin/accounts/account/{account_a.pk}/delete/").status_code == 403
    response = client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [account_a.pk], "post": "yes"}
    )
    assert response.status_code == 200  # "No action selected": the action is not offered
    assert Account.objects.filter(pk=account_a.pk).exists()


def test_a_rule_the_service_refuses_on_save_is_a_message_not_a_500(
    staff_client, account_a, monkeypatch
):
    def refuse(**kwargs):
        raise ServiceError("A new rule says no.")

    monkeypatch.setattr(services, "account_update", refuse)
    response = staff_client.post(change_url(account_a), form_data(account_a, name="Renamed"))
    assert response.status_code == 302 and response["Location"] == change_url(account_a)
    page = staff_client.get(response["Location"])
    assert "A new rule says no." in page.content.decode()
    account_a.refresh_from_db()
    assert account_a.name == "Acme"
