"""Users in the support console: find, deactivate, revoke their tokens; nothing else for staff."""

import pytest

from accounts.audit import Actor
from accounts.models import AuditEvent, User
from tests.factories import AccountFactory, MembershipFactory, UserFactory
from tokens import services
from tokens.models import Token

CHANGELIST = "/admin/accounts/user/"


def change_url(user: User) -> str:
    return f"/admin/accounts/user/{user.pk}/change/"


def test_staff_lists_and_searches_users(staff_client, changelist_rows, admin_a, agent_a):
    agent_a.name = "Grace Hopper"
    agent_a.save(update_fields=["name"])
    emails = {u.email for u in changelist_rows(staff_client.get(CHANGELIST))}
    assert {"admin@acme.example", "agent@acme.example", "staff@operator.example"} <= emails
    assert changelist_rows(staff_client.get(CHANGELIST, {"q": "AGENT@acme"})) == [agent_a]
    assert changelist_rows(staff_client.get(CHANGELIST, {"q": "hopper"})) == [agent_a]


@pytest.mark.parametrize(
    ("lookup", "expected"),
    [
        ("is_staff__exact", {"staff@operator.example"}),
        ("is_service_account__exact", {"bot@acme.example"}),
        ("is_active__exact", {"gone@acme.example"}),
    ],
)
def test_filters(staff_client, changelist_rows, agent_a, lookup, expected):
    UserFactory(email="bot@acme.example", is_service_account=True)
    UserFactory(email="gone@acme.example", is_active=False)
    value = "0" if lookup == "is_active__exact" else "1"
    rows = changelist_rows(staff_client.get(CHANGELIST, {lookup: value}))
    assert {u.email for u in rows} == expected


def test_change_page_shows_memberships_and_tokens_read_only(
    staff_client, issue, agent_a, account_a
):
    token, _ = issue(agent_a, account_a, description="CI deploys")
    response = staff_client.get(change_url(agent_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert token.prefix in html and "CI deploys" in html and "acme" in html
    assert f'href="/admin/tokens/token/{token.pk}/change/"' in html
    assert 'name="tokens-0-description"' not in html  # listed, not editable


def test_deactivate_action_audits_one_event_per_account_as_the_staff_user(
    staff_client, staff, api, issue, agent_a, account_a
):
    other = AccountFactory(slug="other")
    MembershipFactory(user=agent_a, account=other)
    _, secret = issue(agent_a, account_a)
    response = staff_client.post(
        CHANGELIST, {"action": "deactivate_users", "_selected_action": [agent_a.pk]}
    )
    assert response.status_code == 302
    agent_a.refresh_from_db()
    assert not agent_a.is_active
    events = AuditEvent.objects.filter(action="user.deactivated", target_id=str(agent_a.pk))
    assert {e.account for e in events} == {account_a, other}
    assert {e.actor for e in events} == {staff}
    assert api(secret).get("/api/v1/me").status_code == 401


def test_deactivating_an_inactive_user_writes_nothing(staff_client):
    gone = UserFactory(is_active=False)
    staff_client.post(CHANGELIST, {"action": "deactivate_users", "_selected_action": [gone.pk]})
    assert not AuditEvent.objects.filter(action="user.deactivated").exists()


def test_staff_cannot_deactivate_staff_users(staff_client, superuser, agent_a):
    selected = [superuser.pk, agent_a.pk]
    response = staff_client.post(
        CHANGELIST, {"action": "deactivate_users", "_selected_action": selected}, follow=True
    )
    assert "Only superusers deactivate staff users." in response.content.decode()
    superuser.refresh_from_db()
    agent_a.refresh_from_db()
    assert superuser.is_active and not agent_a.is_active


def test_superuser_may_deactivate_staff_users(superuser_client, staff):
    superuser_client.post(
        CHANGELIST, {"action": "deactivate_users", "_selected_action": [staff.pk]}
    )
    staff.refresh_from_db()
    assert not staff.is_active


def test_revoke_all_tokens_asks_for_a_reason_then_revokes_every_active_token(
    staff_client, staff, issue, agent_a, admin_a, light_a, account_a
):
    first, _ = issue(agent_a, account_a)
    second, _ = issue(agent_a, account_a)
    kept, _ = issue(admin_a, account_a)
    services.token_revoke(token=second, actor=Actor(user=admin_a))
    selected = {"action": "revoke_tokens", "_selected_action": [agent_a.pk, light_a.pk]}

    response = staff_client.post(CHANGELIST, selected)
    html = response.content.decode()
    assert response.status_code == 200 and 'name="reason"' in html
    assert "1 active token" in html and "agent@acme.example" in html
    assert Token.objects.get(pk=first.pk).revoked_at is None

    response = staff_client.post(CHANGELIST, {**selected, "confirm": "Revoke", "reason": "laptop"})
    assert response.status_code == 302
    assert Token.objects.get(pk=first.pk).revoked_at is not None
    assert Token.objects.get(pk=kept.pk).revoked_at is None
    event = AuditEvent.objects.filter(action="token.revoked").latest("id")
    assert (event.target_id, event.actor, event.changes) == (
        str(first.pk),
        staff,
        {"reason": "laptop"},
    )


def test_revoke_all_tokens_needs_the_token_change_permission(client, staff, support_group):
    """A staff user who may change users but not tokens is not offered the action."""
    staff.groups.remove(support_group)
    staff.user_permissions.add(*support_group.permissions.exclude(codename="change_token"))
    client.force_login(staff)
    choices = client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert [name for name, _ in choices] == ["", "deactivate_users"]


def test_staff_cannot_edit_users_or_their_rights(staff_client, staff, agent_a):
    data = {
        "email": agent_a.email,
        "name": agent_a.name,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
    }
    assert staff_client.post(change_url(agent_a), data).status_code == 403
    assert staff_client.post(change_url(staff), data).status_code == 403
    for user in (agent_a, staff):
        user.refresh_from_db()
        assert not user.is_superuser
    assert not agent_a.is_staff
    page = staff_client.get(change_url(agent_a))
    html = page.content.decode()
    assert page.status_code == 200 and agent_a.email in html
    for control in ('name="email"', 'name="is_superuser"', 'name="groups"', "Reset password"):
        assert control not in html


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/{pk}/password/",
        "/admin/accounts/user/{pk}/delete/",
        "/admin/accounts/user/add/",
        "/admin/auth/group/",
    ],
)
def test_staff_is_refused_superuser_pages(staff_client, agent_a, url):
    assert staff_client.get(url.format(pk=agent_a.pk)).status_code == 403


def test_superuser_still_manages_rights(superuser_client, agent_a):
    data = {
        "email": agent_a.email,
        "name": "Renamed",
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "tokens-TOTAL_FORMS": "0",
        "tokens-INITIAL_FORMS": "0",
    }
    response = superuser_client.post(change_url(agent_a), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    agent_a.refresh_from_db()
    assert agent_a.is_staff and agent_a.name == "Renamed"


def user_form(user: User, **changes) -> dict:
    data = {
        "email": user.email,
        "name": user.name,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "tokens-TOTAL_FORMS": "0",
        "tokens-INITIAL_FORMS": "0",
        **changes,
    }
    return {key: value for key, value in data.items() if value != ""}


def test_superuser_edits_are_audited_as_the_superuser(
    superuser_client, superuser, agent_a, account_a
):
    old_name = agent_a.name
    response = superuser_client.post(
        change_url(agent_a),
        user_form(agent_a, email="Grace@Acme.example", name="Grace", is_staff="on"),
    )
    assert response.status_code == 302
    agent_a.refresh_from_db()
    assert (agent_a.email, agent_a.name, agent_a.is_staff) == ("grace@acme.example", "Grace", True)
    event = AuditEvent.objects.get(action="user.updated")
    assert (event.actor, event.account, event.target_id) == (superuser, account_a, str(agent_a.pk))
    assert event.changes == {
        "email": ["agent@acme.example", "grace@acme.example"],
        "name": [old_name, "Grace"],
        "is_staff": [False, True],
    }


def test_superuser_deactivates_and_reactivates_through_the_services(
    superuser_client, superuser, api, issue, agent_a, account_a
):
    _, secret = issue(agent_a, account_a)
    superuser_client.post(change_url(agent_a), user_form(agent_a, is_active=""))
    agent_a.refresh_from_db()
    assert not agent_a.is_active and api(secret).get("/api/v1/me").status_code == 401
    superuser_client.post(change_url(agent_a), user_form(agent_a, is_active="on"))
    agent_a.refresh_from_db()
    assert agent_a.is_active and api(secret).get("/api/v1/me").status_code == 200
    actions = list(
        AuditEvent.objects.filter(target_id=str(agent_a.pk))
        .order_by("id")
        .values_list("action", "actor")
    )
    assert actions == [("user.deactivated", superuser.pk), ("user.reactivated", superuser.pk)]


def test_saving_an_unchanged_user_writes_no_event(superuser_client, agent_a):
    assert superuser_client.post(change_url(agent_a), user_form(agent_a)).status_code == 302
    assert not AuditEvent.objects.filter(target_type="user").exists()


@pytest.mark.parametrize("right", ["is_staff", "is_superuser"])
def test_a_service_account_cannot_be_made_staff_a_form_error_not_a_500(
    superuser_client, account_a, right
):
    bot = MembershipFactory(
        account=account_a, user=UserFactory(email="bot@acme.example", is_service_account=True)
    ).user
    response = superuser_client.post(change_url(bot), user_form(bot, **{right: "on"}))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors[right] == ["A service account cannot be staff or a superuser."]
    bot.refresh_from_db()
    assert not bot.is_staff and not bot.is_superuser
    assert not AuditEvent.objects.filter(target_type="user").exists()


def test_an_email_another_user_has_in_any_case_is_refused(superuser_client, agent_a, admin_a):
    response = superuser_client.post(
        change_url(agent_a), user_form(agent_a, email="ADMIN@acme.example")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"]
    agent_a.refresh_from_db()
    assert agent_a.email == "agent@acme.example"


@pytest.mark.parametrize("usable", ["true", "false"])
def test_superuser_adds_a_user_through_the_service(superuser_client, superuser, usable):
    data = {"email": "New@Example.com", "name": "Newcomer", "usable_password": usable}
    data |= {
        f"{inline}-{count}_FORMS": "0"
        for inline in ("memberships", "tokens")
        for count in ("TOTAL", "INITIAL")
    }
    if usable == "true":
        data |= {"password1": "a long enough passphrase", "password2": "a long enough passphrase"}
    response = superuser_client.post(f"{CHANGELIST}add/", data)
    user = User.objects.get(email="new@example.com")
    assert response.status_code == 302 and response["Location"] == change_url(user)
    assert user.has_usable_password() is (usable == "true")
    event = AuditEvent.objects.get(action="user.created")
    assert (event.actor, event.account, event.target_id) == (superuser, None, str(user.pk))
    assert event.changes == {"email": "new@example.com", "name": "Newcomer"}
