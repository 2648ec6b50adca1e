import pytest

from accounts.audit import Actor
from accounts.models import AuditEvent
from tests.factories import UserFactory
from tokens.services import token_issue

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/account/notifications/"


def test_your_settings_page_turns_reminders_off_and_on(client, agent_a):
    client.force_login(agent_a)
    page = client.get(SETTINGS_URL).content.decode()
    assert "Email me before my API tokens expire" in page
    assert 'name="email_expiry_reminders"' in page and "checked" in page
    response = client.post(SETTINGS_URL, {})
    assert response.status_code == 302 and response["Location"] == SETTINGS_URL
    agent_a.refresh_from_db()
    assert agent_a.email_expiry_reminders is False
    (event,) = AuditEvent.objects.filter(action="user.updated")
    assert event.actor == agent_a and event.changes == {"email_expiry_reminders": [True, False]}
    assert "checked" not in client.get(SETTINGS_URL).content.decode()
    client.post(SETTINGS_URL, {"email_expiry_reminders": "on"})
    agent_a.refresh_from_db()
    assert agent_a.email_expiry_reminders is True


def test_the_layout_links_to_your_settings(client, agent_a, account_a):
    client.force_login(agent_a)
    page = client.get(f"/accounts/{account_a.slug}/tokens/").content.decode()
    assert f'href="{SETTINGS_URL}">Your settings</a>' in page


def test_your_settings_need_a_sign_in(client):
    response = client.get(SETTINGS_URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_admins_set_the_inactivity_policy_through_the_api(api, issue, admin_a, account_a):
    _, secret = issue(admin_a, account_a)
    response = api(secret).patch("/api/v1/account", {"revoke_unused_after_days": 90}, format="json")
    assert response.status_code == 200 and response.json()["revoke_unused_after_days"] == 90
    account_a.refresh_from_db()
    assert account_a.revoke_unused_after_days == 90
    event = AuditEvent.objects.get(action="account.updated")
    assert event.changes == {"revoke_unused_after_days": [None, 90]}
    response = api(secret).patch("/api/v1/account", {"revoke_unused_after_days": 45}, format="json")
    assert response.status_code == 400 and "revoke_unused_after_days" in response.json()
    response = api(secret).patch(
        "/api/v1/account", {"revoke_unused_after_days": None}, format="json"
    )
    assert response.json()["revoke_unused_after_days"] is None


def test_the_policy_form_saves_it_and_keeps_it_when_other_fields_change(client, admin_a, account_a):
    client.force_login(admin_a)
    url = f"/accounts/{account_a.slug}/tokens/policy/"
    form = {"token_max_lifetime_days": "365", "revoke_unused_after_days": "180"}
    assert client.post(url, form).status_code == 302
    account_a.refresh_from_db()
    assert account_a.revoke_unused_after_days == 180
    page = client.get(f"/accounts/{account_a.slug}/tokens/").content.decode()
    assert '<option value="180" selected>180 days</option>' in page
    assert client.post(url, {**form, "revoke_unused_after_days": "7"}).status_code == 400
    client.post(url, {"token_max_lifetime_days": "90", "revoke_unused_after_days": ""})
    account_a.refresh_from_db()
    assert account_a.revoke_unused_after_days is None


def test_support_reads_notices_in_the_admin_but_cannot_change_them(
    client, issue, admin_a, agent_a, account_a
):

    token_issue(account=account_a, owner=agent_a, description="For Ann", actor=Actor(user=admin_a))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/notifications/notice/")
    assert page.status_code == 200 and "Created for you by someone else" in page.content.decode()
    assert client.get("/admin/notifications/notice/add/").status_code == 403
