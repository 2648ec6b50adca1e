"""The API tokens page in a real browser: what an admin and an agent see and do, with and
without JavaScript, checked by axe-core in every state."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = "/accounts/acme/tokens/"


def token_row(page, description: str):
    return page.locator("#tokens-table").get_by_role("row").filter(has_text=description)


def sign_in(page, user) -> None:
    page.goto("/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(PAGE + "$"))


def test_with_script_a_new_admin_has_a_working_token_four_actions_after_sign_in(
    new_context, live_server, account_a, admin_a, call_api
):
    account_a.token_access_enabled = False
    account_a.save()
    page = new_context(base_url=live_server.url).new_page()
    sign_in(page, admin_a)
    expect(page.get_by_role("button", name="Save token access")).to_be_hidden()

    actions = 0

    def act(step) -> None:
        nonlocal actions
        actions += 1
        step()

    switch = page.get_by_role("switch", name="Token access")
    act(switch.click)
    expect(page.locator("#token-access-state")).to_have_text("Enabled")
    expect(page.get_by_role("status").filter(has_text="tokens work now")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "token-access"
    act(page.get_by_role("button", name="Add new token").click)
    act(lambda: page.get_by_label("Description").fill("Nightly export"))
    act(page.get_by_role("button", name="Create token").click)
    secret = page.get_by_label("New API token").input_value()
    assert actions == 4

    status, me = call_api("/api/v1/me", secret)
    assert status == 200 and me["user"]["email"] == admin_a.email
    account_a.refresh_from_db()
    assert account_a.token_access_enabled


def test_the_switch_says_why_and_springs_back_when_saving_fails(
    signed_in, account_a, admin_a, check_page
):
    page = signed_in(admin_a)
    page.goto(PAGE)
    switch = page.get_by_role("switch", name="Token access")
    # Demoted in another tab: the save is refused.
    admin_a.memberships.update(role="agent")
    page.once("dialog", lambda dialog: dialog.accept())
    switch.click()
    expect(page.get_by_role("alert")).to_have_text(
        "Token access was not changed: only account admins can change it."
    )
    expect(switch).to_be_checked()
    expect(page.locator("#token-access-state")).to_have_text("Enabled")
    assert page.evaluate("document.activeElement.id") == "token-access"
    account_a.refresh_from_db()
    assert account_a.token_access_enabled
    check_page(page, "admin-access-save-failed")


def test_turning_access_off_asks_first_and_cancelling_changes_nothing(
    signed_in, account_a, admin_a
):
    page = signed_in(admin_a)
    page.goto(PAGE)
    switch = page.get_by_role("switch", name="Token access")
    page.once("dialog", lambda dialog: dialog.dismiss())
    switch.click()
    expect(switch).to_be_checked()
    expect(page.locator("#token-access-state")).to_have_text("Enabled")
    page.once("dialog", lambda dialog: dialog.accept())
    switch.click()
    expect(page.locator("#token-access-state")).to_have_text("Disabled")
    expect(page.locator("#token-access-help")).to_contain_text("is refused")
    page.reload()
    expect(page.get_by_role("switch", name="Token access")).not_to_be_checked()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_admin_turns_access_on_creates_a_token_sees_it_once_and_revokes_it(
    new_context, live_server, account_a, admin_a, check_page, call_api, js
):
    account_a.token_access_enabled = False
    account_a.save()
    shot = "admin" if js else "admin-nojs"
    page = new_context(java_script_enabled=js, base_url=live_server.url).new_page()
    sign_in(page, admin_a)

    switch = page.get_by_role("switch", name="Token access")
    expect(switch).not_to_be_checked()
    expect(page.locator("#token-access-state")).to_have_text("Disabled")
    expect(page.get_by_text("will work once you turn token access on")).to_be_visible()
    if js:
        check_page(page, f"{shot}-access-off-no-tokens")
        switch.check()
    else:
        switch.check()
        page.get_by_role("button", name="Save token access").click()
    expect(page.locator("#token-access-state")).to_have_text("Enabled")
    expect(page.get_by_role("switch", name="Token access")).to_be_checked()

    page.get_by_role("button", name="Add new token").click()
    expect(page.get_by_role("heading", name="Add new token")).to_be_visible()
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#id_description_error")).to_have_text("A description is required.")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    if js:
        expect(summary).to_be_focused()
        check_page(page, f"{shot}-form-with-errors")
    summary.get_by_role("link", name="Description: A description is required.").click()
    expect(page.get_by_label("Description")).to_be_focused()
    page.get_by_label("Description").fill("Nightly export")
    page.get_by_label("60 days").check()
    page.get_by_role("button", name="Create token").click()

    field = page.get_by_label("New API token")
    secret = field.input_value()
    assert secret.startswith("tpk_") and len(secret) == 42
    expect(field).not_to_be_editable()
    expect(page.get_by_text("You won't be able to see it again")).to_be_visible()
    copy = page.get_by_role("button", name="Copy")
    if js:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        copy.click()
        expect(page.get_by_text("Copied to the clipboard.")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == secret
        check_page(page, f"{shot}-secret-shown")
    else:
        expect(copy).to_be_hidden()  # it needs script; the field stays selectable
    assert "/" + secret not in page.url and secret not in page.url

    status, me = call_api("/api/v1/me", secret)
    assert status == 200 and me["user"]["email"] == admin_a.email

    page.reload()  # re-sends the POST: recognised, answered with the list, no new secret
    expect(page).to_have_url(re.compile(PAGE + "(#id_description)?$"))
    expect(page.get_by_text("That token was already created.")).to_be_visible()
    assert secret not in page.content()
    page.goto(PAGE)
    assert secret not in page.content()
    row = token_row(page, "Nightly export")
    expect(row).to_contain_text(secret[:12])
    expect(row).to_contain_text("Active")

    if js:
        page.once("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="Revoke").click()
    else:
        row.get_by_role("button", name="Revoke").click()
        expect(page.get_by_role("heading", name="Revoke this token?")).to_be_visible()
        page.get_by_role("button", name="Revoke token").click()
    expect(token_row(page, "Nightly export")).to_contain_text("Revoked")
    assert call_api("/api/v1/me", secret)[0] == 401


def test_revoke_can_be_cancelled_in_the_dialog_and_on_the_confirmation_page(
    signed_in, account_a, admin_a, issue, check_page, call_api
):
    _, secret = issue(admin_a, account_a, description="Keep me")
    page = signed_in(admin_a)
    page.goto(PAGE)
    page.once("dialog", lambda dialog: dialog.dismiss())
    token_row(page, "Keep me").get_by_role("button", name="Revoke").click()
    expect(token_row(page, "Keep me")).to_contain_text("Active")

    # The confirmation page that browsers without script get (form.submit() skips the dialog).
    token_row(page, "Keep me").locator("form").evaluate("form => form.submit()")
    expect(page.get_by_role("heading", name="Revoke this token?")).to_be_visible()
    check_page(page, "admin-revoke-confirmation")
    page.get_by_role("link", name="Cancel").click()
    expect(token_row(page, "Keep me")).to_contain_text("Active")
    assert call_api("/api/v1/me", secret)[0] == 200


def test_agent_sees_access_read_only_and_the_button_only_when_policy_allows(
    signed_in, account_a, agent_a, check_page
):
    page = signed_in(agent_a)
    page.goto(PAGE)
    switch = page.get_by_role("switch", name="Token access")
    expect(switch).to_be_checked()
    expect(switch).to_be_disabled()
    expect(page.locator("#token-access-state")).to_have_text("Enabled")
    expect(page.get_by_role("button", name="Save token access")).to_have_count(0)
    expect(page.get_by_role("button", name="Add new token")).to_have_count(0)
    expect(page.get_by_text("only admins create tokens")).to_be_visible()
    check_page(page, "agent-no-tokens")

    account_a.members_can_create_tokens = True
    account_a.token_access_enabled = False
    account_a.save()
    page.reload()
    expect(page.locator("#token-access-state")).to_have_text("Disabled")
    expect(page.get_by_role("button", name="Add new token")).to_be_visible()
    expect(page.get_by_text("will work once an admin turns token access on")).to_be_visible()
    check_page(page, "agent-access-off-may-create")
    page.get_by_role("button", name="Add new token").click()
    expect(page.get_by_label("Owner")).to_have_count(0)
    check_page(page, "agent-create-form")


def test_many_tokens_as_admin_and_as_agent(
    signed_in, account_a, admin_a, agent_a, light_a, issue, check_page, call_api
):
    from accounts.audit import Actor
    from accounts.models import Role
    from accounts.services import service_account_create
    from tokens.services import token_revoke

    bot = service_account_create(
        account=account_a, name="Zapier", role=Role.AGENT, actor=Actor(user=admin_a)
    ).user
    _, used = issue(bot, account_a, description="Zapier sync")
    assert call_api("/api/v1/me", used)[0] == 200
    issue(agent_a, account_a, description="Support macros", scopes=["tokens:read"])
    old, _ = issue(light_a, account_a, description="Old report script")
    token_revoke(token=old, actor=Actor(user=admin_a))
    page = signed_in(admin_a)
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(PAGE)
    check_page(page, "admin-few-tokens")
    page.screenshot(path=ARTIFACTS / "tokens-page.png")  # the picture in docs/

    for n, owner in enumerate([admin_a, agent_a, light_a, bot] * 14):
        token, _ = issue(owner, account_a, description=f"Integration {n:02d}")
        if n % 7 == 3:
            token_revoke(token=token, actor=Actor(user=admin_a))

    page.reload()
    expect(page.get_by_role("row")).to_have_count(51 + 11)  # 50 tokens, 10 events, 2 headers
    expect(page.get_by_role("navigation", name="Token pages")).to_contain_text("Page 1 of 2")
    check_page(page, "admin-many-tokens")
    page.get_by_role("link", name="See the full audit trail").click()
    check_page(page, "admin-audit-trail")
    page.goto(PAGE + "new/")
    expect(page.get_by_label("Owner")).to_contain_text("Zapier")
    check_page(page, "admin-create-form")

    page = signed_in(agent_a)
    page.goto(PAGE)
    expect(page.get_by_role("row")).to_have_count(15 + 1)  # their 15 tokens and the header
    check_page(page, "agent-many-tokens")


def test_page_is_operable_from_the_keyboard_with_a_visible_focus_ring(signed_in, admin_a):
    page = signed_in(admin_a)
    page.goto(PAGE)
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Add new token":
            break
    else:
        pytest.fail("Tab never reached the Add new token button")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Add new token")).to_be_visible()
    expect(page.get_by_label("Description")).to_be_visible()


def test_member_of_two_accounts_switches_between_them(signed_in, admin_a, account_b, check_page):
    from accounts.models import Role
    from tests.factories import MembershipFactory

    MembershipFactory(account=account_b, user=admin_a, role=Role.LIGHT_AGENT)
    page = signed_in(admin_a, js=False)
    page.goto(PAGE)
    page.get_by_text("Account: Acme").click()
    page.get_by_role("link", name="Globex").click()
    expect(page).to_have_url(re.compile("/accounts/globex/tokens/$"))
    expect(page.get_by_text("your role: Light agent")).to_be_visible()
