"""Every state of the portal's pages, on a seeded demo account: tests/browser/test_phones.py checks
each one at both widths, and `make screenshots` runs this file to regenerate docs/screenshots/.
(pytest collects only test_*.py files, so CI never runs the screenshots.)"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.audit import Actor
from accounts.models import Account, Membership, Role
from accounts.services import service_account_create
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tokens import services
from tokens.models import Token

WIDTHS = (1280, 390)
PAGE = "/accounts/acme/tokens/"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass(frozen=True)
class State:
    name: str
    who: str | None  # a key of the demo's people; None for a signed-out visitor
    go: Callable[[Page, dict], None]
    js: bool = True
    portal: bool = True  # False for Django's admin, whose markup is Django's


def seed(account_a, account_b, admin_a, agent_a, light_a) -> dict:
    """The demo: a few tokens in each status, a service account, a relabelled token, members
    allowed to create tokens, an admin who belongs to two accounts, a support superuser."""
    account_a.members_can_create_tokens = True
    account_a.save()
    MembershipFactory(account=account_b, user=admin_a, role=Role.LIGHT_AGENT)
    by_admin = Actor(user=admin_a)
    bot = service_account_create(
        account=account_a, name="Zapier", role=Role.AGENT, actor=by_admin
    ).user

    def issue(owner, description, **kwargs):
        return services.token_issue(
            account=account_a, owner=owner, description=description, actor=by_admin, **kwargs
        ).token

    deploy = issue(admin_a, "Deploy pipeline")
    services.token_update(token=deploy, description="Deploy pipeline (prod)", actor=by_admin)
    zapier = issue(bot, "Zapier sync", scopes=["account:read", "tokens:read"])
    Token.objects.filter(pk=zapier.pk).update(last_used_at=timezone.now() - timedelta(hours=3))
    issue(agent_a, "Support macros", scopes=["tokens:read"])
    old = issue(light_a, "Old report script")
    services.token_revoke(token=old, actor=by_admin, reason="Script retired")
    expired = issue(agent_a, "Nightly backup")
    Token.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=2))
    support = UserFactory(email="support@operator.example", is_staff=True, is_superuser=True)
    return {
        "admin": admin_a,
        "agent": agent_a,
        "light": light_a,
        "support": support,
        "revoked": old,
        "active": deploy,
    }


def _fail_sign_in(page: Page, demo: dict) -> None:
    page.goto("/login/")
    page.get_by_label("Email").fill(demo["admin"].email)
    page.get_by_label("Password").fill(PASSWORD + "?")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()


def _access_off(page: Page, demo: dict) -> None:
    Account.objects.filter(slug="acme").update(token_access_enabled=False)
    page.goto(PAGE)


def _policy_error(page: Page, demo: dict) -> None:
    page.goto(PAGE)
    page.get_by_label("Maximum token lifetime (days)").fill("0")
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_role("alert")).to_be_visible()


def _service_account_error(page: Page, demo: dict) -> None:
    page.goto(PAGE)
    page.get_by_role("button", name="Create service account").click()
    expect(page.get_by_role("alert")).to_be_visible()


def _create_errors(page: Page, demo: dict) -> None:
    page.goto(PAGE + "new/")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("alert")).to_be_visible()


def _owner_is_an_agent(page: Page, demo: dict) -> None:
    page.goto(PAGE + "new/")
    page.get_by_label("Owner").select_option(str(demo["agent"].pk))
    expect(page.locator("#id_scope_audit_1_reason")).to_contain_text("(Agent)")


def _created(page: Page, demo: dict) -> None:
    page.goto(PAGE + "new/")
    page.get_by_label("Description").fill("Billing export")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_label("New API token")).to_be_visible()


def _revoke_confirmation(page: Page, demo: dict) -> None:
    page.goto(PAGE)
    page.locator("#tokens-table form").first.evaluate("form => form.submit()")
    expect(page.get_by_role("heading", name="Revoke this token?")).to_be_visible()


def _admin_search(page: Page, demo: dict) -> None:
    page.goto(f"/admin/tokens/token/?q={demo['active'].prefix}")


STATES = (
    State("sign-in", None, lambda page, demo: page.goto("/login/")),
    State("sign-in-failed", None, _fail_sign_in),
    State("choose-account", "admin", lambda page, demo: page.goto("/")),
    State("tokens-admin", "admin", lambda page, demo: page.goto(PAGE)),
    State("tokens-admin-no-script", "admin", lambda page, demo: page.goto(PAGE), js=False),
    State("tokens-admin-policy-error", "admin", _policy_error),
    State("tokens-admin-service-account-error", "admin", _service_account_error),
    State("new-token", "admin", lambda page, demo: page.goto(PAGE + "new/")),
    State("new-token-errors", "admin", _create_errors),
    State("new-token-agent-owner", "admin", _owner_is_an_agent),
    State("token-created", "admin", _created),
    State("revoke-confirmation", "admin", _revoke_confirmation),
    State("audit-trail", "admin", lambda page, demo: page.goto(PAGE + "audit/")),
    State("tokens-agent", "agent", lambda page, demo: page.goto(PAGE)),
    State("new-token-light-agent", "light", lambda page, demo: page.goto(PAGE + "new/")),
    State("forbidden", "agent", lambda page, demo: page.goto(PAGE + "audit/")),
    State("not-found", "agent", lambda page, demo: page.goto("/accounts/nowhere/tokens/")),
    State("tokens-admin-access-off", "admin", _access_off),
    State("admin-token-list", "support", _admin_search, portal=False),
    State(
        "admin-token-revoked",
        "support",
        lambda page, demo: page.goto(f"/admin/tokens/token/{demo['revoked'].pk}/change/"),
        portal=False,
    ),
)


def visit_every_state(signed_in, new_context, live_server, demo, width, each, *, admin=True):
    """Open every state at `width` and call each(page, state) on it."""
    for state in STATES:
        if not state.portal and not admin:
            continue
        if state.who is None:
            context = new_context(java_script_enabled=state.js, base_url=live_server.url)
            page = context.new_page()
        else:
            page = signed_in(demo[state.who], js=state.js)
        page.set_viewport_size({"width": width, "height": 900})
        state.go(page, demo)
        page.wait_for_load_state("load")
        each(page, state)
        page.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots(
    signed_in, new_context, live_server, account_a, account_b, admin_a, agent_a, light_a, width
):
    """docs/screenshots/<state>-<width>.png for every state (run by `make screenshots`)."""
    demo = seed(account_a, account_b, admin_a, agent_a, light_a)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shoot(page, state):
        page.screenshot(path=SCREENSHOTS / f"{state.name}-{width}.png", full_page=True)

    visit_every_state(signed_in, new_context, live_server, demo, width, shoot)
    assert Membership.objects.filter(user=admin_a).count() == 2
