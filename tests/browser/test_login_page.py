"""The sign-in page in a real browser, checked by axe-core: empty, with field errors and with a
wrong password."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_is_accessible_empty_and_with_errors(new_context, live_server, check_page):
    page = new_context(base_url=live_server.url).new_page()
    page.goto("/login/")
    check_page(page, "login-empty")

    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Sign in").click()
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("Enter a valid email address.")
    expect(page.get_by_label("Password")).to_have_accessible_description("This field is required.")
    check_page(page, "login-field-errors")

    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    check_page(page, "login-wrong-password")
