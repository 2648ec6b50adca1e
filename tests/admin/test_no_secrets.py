"""No admin page shows a token's secret or digest (SPEC section 2; checklist J3)."""

import pytest

from accounts.models import AuditEvent
from tests.admin.test_token_admin import CHANGELIST as TOKENS


@pytest.fixture
def token_history(staff_client, issue, agent_a, account_a):
    """A token that went through everything the admin does: relabelled, then revoked."""
    token, secret = issue(agent_a, account_a, description="CI deploys")
    staff_client.post(f"{TOKENS}{token.pk}/change/", {"description": "CI deploys (old)"})
    staff_client.post(
        TOKENS,
        {
            "action": "revoke_selected",
            "_selected_action": [token.pk],
            "confirm": "Revoke",
            "reason": "rotated",
        },
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    return token, secret


def admin_pages(token, user, account) -> list[tuple[str, dict]]:
    token_page = f"{TOKENS}{token.pk}"
    user_page = f"/admin/accounts/user/{user.pk}"
    pages = [
        (TOKENS, {}),
        (TOKENS, {"q": token.prefix}),
        (TOKENS, {"q": "CI deploys"}),
        (TOKENS, {"status": "revoked"}),
        (f"{token_page}/change/", {}),
        (f"{token_page}/history/", {}),
        ("/admin/accounts/user/", {"q": user.email}),
        (f"{user_page}/change/", {}),
        (f"{user_page}/history/", {}),
        (f"/admin/accounts/account/{account.pk}/change/", {}),
        ("/admin/accounts/auditevent/", {}),
        ("/admin/accounts/auditevent/", {"q": token.prefix}),
        ("/admin/accounts/membership/", {}),
        ("/admin/", {}),
    ]
    pages += [(f"/admin/accounts/auditevent/{e.pk}/change/", {}) for e in AuditEvent.objects.all()]
    return pages


def assert_no_secret(html: str, token, secret: str) -> None:
    hidden_part = secret[len(token.prefix) :]
    for needle in (secret, hidden_part, token.digest, token.digest[:16]):
        assert needle not in html


@pytest.mark.parametrize("who", ["staff_client", "superuser_client"])
def test_no_admin_page_shows_a_secret_or_digest(request, token_history, agent_a, account_a, who):
    client = request.getfixturevalue(who)
    token, secret = token_history
    for url, query in admin_pages(token, agent_a, account_a):
        response = client.get(url, query)
        assert response.status_code == 200, url
        assert_no_secret(response.content.decode(), token, secret)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (TOKENS, {"action": "revoke_selected"}),
        ("/admin/accounts/user/", {"action": "revoke_tokens"}),
    ],
)
def test_revoke_confirmation_pages_show_no_secret(
    staff_client, issue, agent_a, account_a, url, data
):
    token, secret = issue(agent_a, account_a)
    selected = token.pk if data["action"] == "revoke_selected" else agent_a.pk
    response = staff_client.post(url, {**data, "_selected_action": [selected]})
    assert response.status_code == 200 and 'name="reason"' in response.content.decode()
    assert_no_secret(response.content.decode(), token, secret)


def test_delete_confirmations_show_no_secret(superuser_client, token_history, agent_a):
    token, secret = token_history
    assert superuser_client.get(f"{TOKENS}{token.pk}/delete/").status_code == 403
    response = superuser_client.get(f"/admin/accounts/user/{agent_a.pk}/delete/")
    assert response.status_code == 200
    assert_no_secret(response.content.decode(), token, secret)
