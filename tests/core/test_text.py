"""The text rule for names, descriptions and reasons, and every place that accepts one."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import Account, Membership, User
from core.errors import ServiceError
from core.text import clean_text, validate_visible
from tests.factories import UserFactory
from tokens.models import Token

HIDDEN = {
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "right-to-left isolate": "\u2067",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "byte order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "NUL": "\x00",
    "escape": "\x1b",
    "line feed": "\n",
    "tab": "\t",
    "delete": "\x7f",
    "C1 control": "\x85",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
}
REFUSED = "Remove the invisible or control characters"


@pytest.mark.parametrize("char", HIDDEN.values(), ids=HIDDEN.keys())
def test_invisible_and_control_characters_are_refused(char):
    with pytest.raises(ValidationError, match=f"U\\+{ord(char):04X}"):
        validate_visible(f"invoice{char}fdp.exe")
    with pytest.raises(ServiceError) as raised:
        clean_text(f"ci{char}deploy", field="description", max_length=200, label="description")
    assert raised.value.field == "description" and raised.value.code == "invisible_characters"


@pytest.mark.parametrize("text", ["Zapier", "Déploiement", "日本語", "🚀 deploy", "אבג", "a b"])
def test_visible_text_of_any_script_is_kept(text):
    validate_visible(text)
    assert clean_text(f"  {text} ", field="name", max_length=150, label="name") == text


def test_text_is_required_unless_said_otherwise():
    with pytest.raises(ServiceError, match="A name is required."):
        clean_text("   ", field="name", max_length=150, label="name")
    assert clean_text(None, field="name", max_length=150, label="name", required=False) == ""


def test_text_is_kept_within_its_length_after_trimming():
    assert clean_text(" " + "x" * 200 + " ", field="d", max_length=200, label="d") == "x" * 200
    with pytest.raises(ServiceError, match="within 200 characters"):
        clean_text("x" * 201, field="d", max_length=200, label="description")


# --- every place that accepts such text ------------------------------------------------------

EVIL = "Payroll\u202etxt.exe"


@pytest.fixture
def operator(db):
    client = Client()
    client.force_login(UserFactory(email="root@operator.example", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def page_admin(admin_a):
    client = Client()
    client.force_login(admin_a)
    return client


@pytest.mark.django_db
def test_the_tokens_page_refuses_such_a_description(page_admin, account_a):
    html = page_admin.get("/accounts/acme/tokens/new/").content.decode()
    form_id = re.search(r'name="form_id" value="([^"]+)"', html).group(1)
    data = {"form_id": form_id, "description": EVIL, "scopes": ["tokens:read"], "expiration": "30"}
    response = page_admin.post("/accounts/acme/tokens/new/", data)
    assert response.status_code == 400 and REFUSED in response.content.decode()
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_the_tokens_page_refuses_such_a_service_account_name(page_admin, account_a):
    response = page_admin.post(
        "/accounts/acme/tokens/service-accounts/", {"name": "Zap\u200bier", "role": "agent"}
    )
    assert response.status_code == 400 and REFUSED in response.content.decode()
    assert not User.objects.filter(is_service_account=True).exists()


@pytest.mark.django_db
def test_the_admin_refuses_such_a_token_description(operator, issue, admin_a, account_a):
    token, _ = issue(admin_a, account_a)
    response = operator.post(f"/admin/tokens/token/{token.pk}/change/", {"description": EVIL})
    assert response.status_code == 200 and REFUSED in response.content.decode()
    assert Token.objects.get().description == "test token"


@pytest.mark.django_db
def test_the_admin_refuses_such_a_revocation_reason(operator, issue, admin_a, account_a):
    token, _ = issue(admin_a, account_a)
    response = operator.post(
        "/admin/tokens/token/",
        {
            "action": "revoke_selected",
            "_selected_action": [token.pk],
            "confirm": "Revoke",
            "reason": "ticket\u202e1174",
        },
    )
    assert response.status_code == 200 and REFUSED in response.content.decode()
    assert Token.objects.get().revoked_at is None


@pytest.mark.django_db
def test_the_admin_refuses_such_an_account_name(operator, account_a):
    response = operator.post(
        f"/admin/accounts/account/{account_a.pk}/change/",
        {
            "name": EVIL,
            "token_access_enabled": "on",
            "token_max_lifetime_days": "365",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and REFUSED in response.content.decode()
    assert Account.objects.get().name == "Acme"


@pytest.mark.django_db
def test_the_admin_refuses_such_a_user_name(operator, admin_a):
    added = operator.post(
        "/admin/accounts/user/add/",
        {"email": "new@example.com", "name": EVIL, "usable_password": "false"},
    )
    assert added.status_code == 200 and REFUSED in added.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()
    membership = Membership.objects.get(user=admin_a)
    changed = operator.post(
        f"/admin/accounts/user/{admin_a.pk}/change/",
        {
            "email": admin_a.email,
            "name": EVIL,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": membership.pk,
            "memberships-0-user": admin_a.pk,
        },
    )
    assert changed.status_code == 200 and REFUSED in changed.content.decode()
    admin_a.refresh_from_db()
    assert admin_a.name != EVIL
