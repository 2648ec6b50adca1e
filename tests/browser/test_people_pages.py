"""People pages in a real browser: an invitation from the admin's click to the invitee's first
page, and axe-core on every people page at desktop and phone widths."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.audit import Actor
from accounts.models import Membership, Role
from people import services
from tests.factories import PASSWORD
from tests.people.conftest import LINK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEMBERS = "/accounts/acme/members/"
WIDTHS = pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])


def at(page, width: int):
    page.set_viewport_size({"width": width, "height": 844 if width < 600 else 1000})
    return page


def fits(page, width: int) -> None:
    """Nothing pushes the page wider than the screen (tables scroll inside their region)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@WIDTHS
def test_admin_invites_and_the_invitee_joins_from_the_mailed_link(
    signed_in, new_context, live_server, account_a, admin_a, agent_a, check_page, width
):
    mail.outbox.clear()
    page = at(signed_in(admin_a), width)
    page.goto("/accounts/acme/tokens/")
    page.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", name="Members", exact=True)).to_be_visible()
    check_page(page, f"members-admin-{width}")
    fits(page, width)

    page.get_by_role("button", name="Invite member").click()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#id_email_error")).to_contain_text("required")
    check_page(page, f"invite-form-errors-{width}")
    page.get_by_label("Email").fill("Dana.New@Example.com")
    page.get_by_label("Role").select_option("light_agent")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to dana.new@example.com")).to_be_visible()
    invitations = page.get_by_role("region", name="Invitation list")
    expect(invitations).to_contain_text("dana.new@example.com")
    check_page(page, f"members-with-invitation-{width}")

    [message] = mail.outbox
    link = LINK.search(message.body).group(0)
    invitee = at(new_context(base_url=live_server.url).new_page(), width)
    invitee.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    expect(invitee.get_by_role("heading", name="Join Acme")).to_be_visible()
    check_page(invitee, f"invitation-sign-up-{width}")
    invitee.get_by_label("Your name").fill("Dana New")
    invitee.get_by_label("Password", exact=True).fill("password")
    invitee.get_by_label("Confirm password").fill("password")
    invitee.get_by_role("button", name="Join Acme").click()
    # Once in the error summary at the top (a link to the field), once beside the field.
    expect(
        invitee.get_by_role("link", name="Password: This password is too common.")
    ).to_be_visible()
    expect(invitee.locator("#id_password1_error")).to_contain_text("too common")
    check_page(invitee, f"invitation-sign-up-errors-{width}")
    invitee.get_by_label("Password", exact=True).fill("a long unusual phrase")
    invitee.get_by_label("Confirm password").fill("a long unusual phrase")
    invitee.get_by_role("button", name="Join Acme").click()
    expect(invitee).to_have_url(re.compile("/accounts/acme/tokens/$"))
    expect(invitee.get_by_role("heading", name="API tokens")).to_be_visible()
    expect(invitee.get_by_text("Welcome to Acme")).to_be_visible()
    assert Membership.objects.get(user__email="dana.new@example.com").role == Role.LIGHT_AGENT

    page.reload()
    expect(page.get_by_role("region", name="Member list")).to_contain_text("Dana New")
    expect(page.get_by_text("No pending invitations")).to_be_visible()
    invitee.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    expect(invitee.get_by_text("already been used")).to_be_visible()
    check_page(invitee, f"invitation-used-{width}")


@WIDTHS
def test_an_existing_user_signs_in_and_accepts(
    new_context, live_server, account_a, admin_a, account_b, admin_b, check_page, width
):
    _, secret = services.invitation_create(
        account=account_a, email=admin_b.email, role=Role.AGENT, actor=Actor(user=admin_a)
    )
    page = at(new_context(base_url=live_server.url).new_page(), width)
    page.goto(f"/invitations/{secret}/")
    check_page(page, f"invitation-sign-in-{width}")
    page.get_by_role("link", name="Sign in to accept").click()
    page.get_by_label("Email").fill(admin_b.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Accept invitation")).to_be_visible()
    check_page(page, f"invitation-accept-{width}")
    page.get_by_role("button", name="Accept invitation").click()
    expect(page).to_have_url(re.compile("/accounts/acme/tokens/$"))
    # Now in two accounts: the switcher and the account pages' navigation.
    page.get_by_text("Account: Acme").click()
    page.get_by_role("link", name="Globex").click()
    page.get_by_role("link", name="Members").click()
    expect(page).to_have_url(re.compile("/accounts/globex/members/$"))
    fits(page, width)


@WIDTHS
def test_pages_for_a_wrong_user_and_an_unusable_link(
    signed_in, account_a, admin_a, admin_b, check_page, width
):
    invitation, secret = services.invitation_create(
        account=account_a, email="someone@example.com", role=Role.AGENT, actor=Actor(user=admin_a)
    )
    page = at(signed_in(admin_b), width)
    page.goto(f"/invitations/{secret}/")
    expect(page.get_by_role("heading", name="This invitation is for someone else")).to_be_visible()
    check_page(page, f"invitation-wrong-user-{width}")
    services.invitation_cancel(invitation=invitation, actor=Actor(user=admin_a))
    page.goto(f"/invitations/{secret}/")
    expect(page.get_by_text("was cancelled")).to_be_visible()
    check_page(page, f"invitation-cancelled-{width}")


@WIDTHS
def test_agent_and_light_agent_see_members_read_only_and_can_leave(
    signed_in, account_a, admin_a, agent_a, light_a, issue, check_page, width
):
    page = at(signed_in(light_a), width)
    page.goto(MEMBERS)
    expect(page.get_by_role("button", name="Invite member")).to_have_count(0)
    check_page(page, f"members-light-agent-{width}")
    page = at(signed_in(agent_a), width)
    issue(agent_a, account_a)
    page.goto(MEMBERS)
    expect(page.get_by_role("region", name="Member list")).to_contain_text(admin_a.email)
    expect(page.get_by_role("button", name="Change role")).to_have_count(0)
    check_page(page, f"members-agent-{width}")
    fits(page, width)
    page.get_by_role("button", name="Leave account").click()
    expect(page.get_by_text("1 active token")).to_be_visible()
    check_page(page, f"leave-confirm-{width}")
    page.get_by_role("button", name="Leave account").click()
    expect(page.get_by_text("You left Acme")).to_be_visible()


@WIDTHS
def test_admin_changes_a_role_and_removes_a_member(
    signed_in, account_a, admin_a, agent_a, issue, check_page, width
):
    issue(agent_a, account_a)
    issue(agent_a, account_a)
    page = at(signed_in(admin_a), width)
    page.goto(MEMBERS)
    page.get_by_label(f"Role of {agent_a.name}").select_option("light_agent")
    page.get_by_role("button", name=f"Change role of {agent_a.name}").click()
    expect(page.get_by_text(f"{agent_a.name} is now light agent")).to_be_visible()
    page.get_by_role("button", name=f"Remove {agent_a.name}").click()
    expect(page.get_by_text("2 active tokens")).to_be_visible()
    check_page(page, f"remove-confirm-{width}")
    page.get_by_role("button", name="Remove member").click()
    expect(page.get_by_text("their tokens no longer work")).to_be_visible()
    expect(page.get_by_role("region", name="Member list")).not_to_contain_text(agent_a.email)


@WIDTHS
def test_password_pages(new_context, signed_in, live_server, account_a, agent_a, check_page, width):
    mail.outbox.clear()
    page = at(new_context(base_url=live_server.url).new_page(), width)
    page.goto("/password/reset/")
    check_page(page, f"password-reset-{width}")
    page.get_by_label("Email").fill(agent_a.email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()
    check_page(page, f"password-reset-sent-{width}")
    [message] = mail.outbox
    path = re.search(r"https?://[^/\s]+(/password/reset/\S+/)", message.body).group(1)
    page.goto(path)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    check_page(page, f"password-reset-confirm-{width}")
    page.get_by_label("New password", exact=True).fill("another long phrase")
    page.get_by_label("New password confirmation").fill("another long phrase")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", name="Your password is changed")).to_be_visible()
    check_page(page, f"password-reset-complete-{width}")

    agent_a.refresh_from_db()  # a session holds the hash of the password it was opened with
    page = at(signed_in(agent_a), width)
    page.goto("/accounts/acme/tokens/")
    page.get_by_role("link", name="Change password").click()
    page.get_by_role("button", name="Change password").click()
    check_page(page, f"password-change-errors-{width}")
    page.get_by_label("Current password").fill("another long phrase")
    page.get_by_label("New password", exact=True).fill("a third long phrase")
    page.get_by_label("New password confirmation").fill("a third long phrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password is changed")).to_be_visible()
