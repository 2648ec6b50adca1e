"""The account policy require_two_factor, and the Django admin's second factor for staff."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks

from accounts.audit import Actor
from accounts.models import AuditEvent
from accounts.services import account_update
from tests.factories import PASSWORD
from tests.twofactor.conftest import code_of

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def required(account_a, admin_a):
    account_update(account=account_a, actor=Actor(user=admin_a), require_two_factor=True)
    return account_a


def test_members_without_two_factor_are_sent_to_set_it_up(client, agent_a, required):
    client.force_login(agent_a)
    for page in ("/accounts/acme/tokens/", "/accounts/acme/members/", "/"):
        answer = client.get(page, follow=True)
        assert answer.redirect_chain[-1][0] == "/account/security/"
        assert "Acme requires two-factor authentication" in answer.content.decode()


def test_members_with_two_factor_use_the_pages(client, agent_a, required, enroll):
    enroll(agent_a)
    client.force_login(agent_a)
    assert client.get("/accounts/acme/tokens/").status_code == 200


def test_the_session_api_answers_403_and_tokens_still_work(client, agent_a, required, issue, api):
    _, secret = issue(agent_a, required)
    client.force_login(agent_a)
    answer = client.get("/api/v1/me")
    assert answer.status_code == 403 and answer.json()["code"] == "two_factor_required"
    assert api(secret).get("/api/v1/me").status_code == 200


def test_admins_set_the_policy_by_api_and_form_audited(client, admin_a, account_a, admin_api):
    answer = admin_api.patch("/api/v1/account", {"require_two_factor": True})
    assert answer.status_code == 200 and answer.json()["require_two_factor"] is True
    event = AuditEvent.objects.filter(action="account.updated").latest("id")
    assert event.changes == {"require_two_factor": [False, True]}

    client.force_login(admin_a)
    html = client.get("/accounts/acme/members/", follow=True).content.decode()
    assert "requires two-factor" in html  # the admin is asked too
    account_a.refresh_from_db()
    account_a.require_two_factor = False
    account_a.save()
    form = client.get("/accounts/acme/tokens/").content.decode()
    assert 'name="require_two_factor"' in form
    saved = client.post(
        "/accounts/acme/tokens/policy/",
        {"token_max_lifetime_days": 365, "require_two_factor": "on"},
    )
    assert saved.status_code == 302
    account_a.refresh_from_db()
    assert account_a.require_two_factor


@pytest.fixture
def admin_api(admin_a, issue, api):
    _, secret = issue(admin_a, admin_a.memberships.get().account)
    return api(secret)


def test_staff_need_a_verified_device_for_the_admin(client, support, settings, enroll):
    settings.ADMIN_REQUIRES_TWO_FACTOR = True
    client.force_login(support)  # a password-only session
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/account/security/"

    device, _ = enroll(support)
    client.logout()
    answer = client.get("/admin/login/?next=/admin/")
    assert answer["Location"] == "/login/?next=%2Fadmin%2F"
    client.post("/login/?next=/admin/", {"username": support.email, "password": PASSWORD})
    landed = client.post("/login/code/", {"code": code_of(device)})
    assert landed["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_without_the_setting_a_password_opens_the_admin(client, support, settings):
    settings.ADMIN_REQUIRES_TWO_FACTOR = False
    client.force_login(support)
    assert client.get("/admin/").status_code == 200
    warnings = [m.id for m in run_checks(include_deployment_checks=True)]
    assert "token_portal.W004" in warnings
    settings.ADMIN_REQUIRES_TWO_FACTOR = True
    warnings = [m.id for m in run_checks(include_deployment_checks=True)]
    assert "token_portal.W004" not in warnings


def test_production_requires_it_by_default():
    env = {
        k: v for k, v in os.environ.items() if k not in ("ADMIN_REQUIRES_TWO_FACTOR", "DEBUG")
    } | {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "tokens.example.com",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.ADMIN_REQUIRES_TWO_FACTOR)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "True"
