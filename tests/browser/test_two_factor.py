"""Two-factor in a real browser: set up from the secret shown on the page, sign out, sign in
with a code, and create a token with no extra step; checked by axe-core at desktop and phone
widths. And the count of actions from the sign-in page to a working token."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = "/accounts/acme/tokens/"


def code_for(secret: str, *, ahead: int = 0) -> str:
    """What an authenticator app shows for `secret`, now or `ahead` steps later (the server
    accepts the next step's code too, and refuses a step already used)."""
    return f"{totp(b32decode(secret), drift=ahead):06d}"


@pytest.mark.parametrize("width", [1280, 390])
def test_set_up_sign_out_sign_in_with_a_code_and_create_a_token(
    new_context, live_server, account_a, admin_a, check_page, call_api, width
):
    account_a.token_access_enabled = True
    account_a.save()
    page = new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    ).new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill(admin_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(PAGE + "$"))

    page.goto("/account/security/")
    expect(page.get_by_role("img", name="QR code of the two-factor secret")).to_be_visible()
    check_page(page, f"two-factor-set-up-{width}")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from the app").fill(code_for(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    check_page(page, f"two-factor-recovery-codes-{width}")
    page.get_by_role("link", name="I have saved them").click()
    expect(page.get_by_text("Two-factor authentication is on")).to_be_visible()
    check_page(page, f"two-factor-on-{width}")

    page.get_by_role("button", name="Sign out").click()
    page.goto("/login/")
    page.get_by_label("Email").fill(admin_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not right")
    check_page(page, f"two-factor-code-wrong-{width}")
    page.get_by_label("Code").fill(code_for(secret, ahead=1))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(PAGE + "$"))

    # Freshly signed in: creating a token asks for nothing more.
    page.get_by_role("button", name="Add new token").click()
    page.get_by_label("Description").fill("After two-factor")
    page.get_by_role("button", name="Create token").click()
    secret_token = page.get_by_label("New API token").input_value()
    assert call_api("/api/v1/me", secret_token)[0] == 200


def test_from_the_sign_in_page_to_a_working_token_in_4_actions(
    new_context, live_server, account_a, admin_a, call_api
):
    account_a.token_access_enabled = True
    account_a.save()
    page = new_context(base_url=live_server.url).new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill(admin_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    visited = []
    page.on("framenavigated", lambda frame: visited.append(frame.url))
    steps = [
        lambda: page.get_by_role("button", name="Sign in").click(),
        lambda: page.get_by_role("button", name="Add new token").click(),
        lambda: page.get_by_label("Description").fill("Four actions"),
        lambda: page.get_by_role("button", name="Create token").click(),
    ]
    for step in steps:
        step()
    secret = page.get_by_label("New API token").input_value()
    assert call_api("/api/v1/me", secret)[0] == 200
    assert not [url for url in visited if "/sudo/" in url]
