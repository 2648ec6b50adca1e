"""The token pages of the support console, as a Support-group staff user uses them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.audit import Actor
from accounts.models import AuditEvent
from tests.factories import AccountFactory, MembershipFactory
from tokens import crypto, services
from tokens.models import Token

CHANGELIST = "/admin/tokens/token/"


def change_url(token: Token) -> str:
    return f"/admin/tokens/token/{token.pk}/change/"


def test_staff_sees_every_tokens_columns(staff_client, issue, admin_a, agent_a, account_a):
    token, _ = issue(agent_a, account_a, description="CI deploys")
    issue(admin_a, account_a, description="Zapier")
    response = staff_client.get(CHANGELIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    for text in (token.prefix, "CI deploys", "acme", "agent@acme.example", "Active", "Zapier"):
        assert text in html
    headers = [h["text"].lower() for h in response.context["result_headers"]]
    assert headers[1:] == [
        "prefix",
        "description",
        "account",
        "owner",
        "status",
        "created at",
        "expires at",
        "last used at",
    ]


@pytest.mark.parametrize(
    "query", ["tpk_", "agent@acme", "ACME", "acm", "deploys"], ids=lambda q: f"q={q}"
)
def test_search_finds_by_prefix_owner_account_and_description(
    staff_client, changelist_rows, issue, agent_a, admin_b, account_a, account_b, query
):
    token, _ = issue(agent_a, account_a, description="CI deploys")
    issue(admin_b, account_b, description="Other company")
    query = token.prefix if query == "tpk_" else query
    assert changelist_rows(staff_client.get(CHANGELIST, {"q": query})) == [token]


def test_search_by_account_name(staff_client, changelist_rows, issue, agent_a, account_a):
    issue(agent_a, account_a)
    other = AccountFactory(slug="initech", name="Initrode Corporation")
    token, _ = issue(MembershipFactory(account=other).user, other)
    assert changelist_rows(staff_client.get(CHANGELIST, {"q": "initrode"})) == [token]


def test_a_digest_finds_nothing(staff_client, changelist_rows, issue, agent_a, account_a):
    token, _ = issue(agent_a, account_a)
    assert changelist_rows(staff_client.get(CHANGELIST, {"q": token.digest})) == []


def test_a_whole_token_pasted_into_the_search_finds_it_and_nothing_else(
    staff_client, changelist_rows, issue, agent_a, admin_a, account_a
):
    token, secret = issue(agent_a, account_a)
    issue(admin_a, account_a)
    assert changelist_rows(staff_client.get(CHANGELIST, {"q": f" {secret} "})) == [token]
    # One wrong character breaks the checksum: an ordinary search, which finds nothing.
    typo = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert changelist_rows(staff_client.get(CHANGELIST, {"q": typo})) == []
    assert not AuditEvent.objects.filter(changes__icontains=secret).exists()


@pytest.mark.parametrize(
    ("url", "lookup"),
    [
        (CHANGELIST, "digest__startswith"),
        (CHANGELIST, "digest"),
        ("/admin/accounts/account/", "tokens__digest__startswith"),
        ("/admin/accounts/user/", "tokens__digest__startswith"),
    ],
)
def test_digest_lookups_in_the_url_are_refused(
    superuser_client, issue, agent_a, account_a, url, lookup
):
    """Otherwise `?digest__startswith=` would reveal a digest one character at a time."""
    token, _ = issue(agent_a, account_a)
    assert superuser_client.get(url, {lookup: token.digest[:1]}).status_code == 400


@pytest.fixture
def token_statuses(issue, agent_a, admin_a, account_a):
    active, _ = issue(agent_a, account_a, description="active one")
    revoked, _ = issue(agent_a, account_a, description="revoked one")
    services.token_revoke(token=revoked, actor=Actor(user=admin_a))
    expired, _ = issue(agent_a, account_a, description="expired one")
    # The service refuses a past expiry, so time passes by moving the expiry back.
    Token.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    return {"active": active, "revoked": revoked, "expired": expired}


@pytest.mark.parametrize("status", ["active", "revoked", "expired"])
def test_status_filter(staff_client, changelist_rows, token_statuses, status):
    response = staff_client.get(CHANGELIST, {"status": status})
    assert changelist_rows(response) == [token_statuses[status]]
    assert status.capitalize() in response.content.decode()


def test_unknown_filter_values_list_everything(staff_client, changelist_rows, token_statuses):
    assert len(changelist_rows(staff_client.get(CHANGELIST, {"status": "bogus"}))) == 3
    assert len(changelist_rows(staff_client.get(CHANGELIST, {"expires": "bogus"}))) == 3


def test_account_filter(staff_client, changelist_rows, issue, agent_a, admin_b, account_a):
    token, _ = issue(agent_a, account_a)
    issue(admin_b, admin_b.memberships.get().account)
    response = staff_client.get(CHANGELIST, {"account__id__exact": account_a.pk})
    assert changelist_rows(response) == [token]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("never", ["none"]),
        ("7d", ["3 days"]),
        ("30d", ["3 days", "20 days"]),
        ("later", ["default"]),
    ],
)
def test_expiry_filter(staff_client, changelist_rows, issue, admin_a, account_a, value, expected):
    account_a.token_max_lifetime_days = None  # so a token may live forever
    account_a.save(update_fields=["token_max_lifetime_days"])
    now = timezone.now()
    expiries = {
        "none": None,
        "3 days": now + timedelta(days=3),
        "20 days": now + timedelta(days=20),
        "default": now + timedelta(days=365),
    }
    for label, expires_at in expiries.items():
        issue(admin_a, account_a, description=label, expires_at=expires_at)
    rows = changelist_rows(staff_client.get(CHANGELIST, {"expires": value}))
    assert sorted(t.description for t in rows) == sorted(expected)


def test_change_page_edits_only_the_description_and_audits_it(
    staff_client, staff, issue, agent_a, account_a
):
    token, _ = issue(agent_a, account_a, description="old")
    response = staff_client.get(change_url(token))
    assert list(response.context["adminform"].form.fields) == ["description"]
    response = staff_client.post(
        change_url(token),
        {
            "description": "new",
            "scopes": '["audit:read"]',
            "revoked_at": "2020-01-01 00:00:00",
            "owner": staff.pk,
            "digest": "0" * 64,
        },
    )
    assert response.status_code == 302
    after = Token.objects.get(pk=token.pk)
    assert after.description == "new"
    assert (after.scopes, after.revoked_at, after.owner, after.digest) == (
        token.scopes,
        None,
        agent_a,
        token.digest,
    )
    event = AuditEvent.objects.get(action="token.updated")
    assert event.actor == staff and event.changes == {"description": ["old", "new"]}


def test_blank_description_is_refused_with_a_message(staff_client, issue, agent_a, account_a):
    token, _ = issue(agent_a, account_a, description="keep")
    response = staff_client.post(change_url(token), {"description": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Token.objects.get(pk=token.pk).description == "keep"


@pytest.mark.parametrize("who", ["staff_client", "superuser_client"])
def test_nobody_adds_or_deletes_tokens_in_the_admin(request, issue, agent_a, account_a, who):
    client = request.getfixturevalue(who)
    token, _ = issue(agent_a, account_a)
    assert client.get("/admin/tokens/token/add/").status_code == 403
    assert client.get(f"/admin/tokens/token/{token.pk}/delete/").status_code == 403
    assert (
        client.post(f"/admin/tokens/token/{token.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    choices = client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert [name for name, _ in choices] == ["", "revoke_selected"]
    assert Token.objects.filter(pk=token.pk).exists()


def test_staff_without_the_support_group_cannot_see_tokens(
    client, support, issue, agent_a, account_a
):
    issue(agent_a, account_a)
    client.force_login(support)  # is_staff, no group, no permission
    assert client.get(CHANGELIST).status_code == 403


def _revoke(client, tokens, **extra):
    data = {"action": "revoke_selected", "_selected_action": [t.pk for t in tokens], **extra}
    return client.post(CHANGELIST, data)


def test_revoke_asks_for_a_reason_first(staff_client, issue, agent_a, account_a):
    token, _ = issue(agent_a, account_a, description="CI deploys")
    response = _revoke(staff_client, [token])
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="reason"' in html and "CI deploys" in html
    assert "1 active token" in html
    assert Token.objects.get(pk=token.pk).revoked_at is None


def test_revoke_without_a_reason_revokes_nothing(staff_client, issue, agent_a, account_a):
    token, _ = issue(agent_a, account_a)
    response = _revoke(staff_client, [token], confirm="Revoke", reason=" ")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Token.objects.get(pk=token.pk).revoked_at is None


def test_revoke_with_a_reason_revokes_and_audits_as_the_staff_user(
    staff_client, staff, issue, agent_a, admin_a, account_a
):
    first, _ = issue(agent_a, account_a)
    second, _ = issue(admin_a, account_a)
    already, _ = issue(agent_a, account_a)
    services.token_revoke(token=already, actor=Actor(user=admin_a))
    response = _revoke(
        staff_client, [first, second, already], confirm="Revoke", reason="ticket 4711"
    )
    assert response.status_code == 302
    assert "Revoked 2 token(s)." in staff_client.get(response["Location"]).content.decode()
    assert Token.objects.with_status("revoked").count() == 3
    events = AuditEvent.objects.filter(action="token.revoked", actor=staff)
    assert sorted(int(e.target_id) for e in events) == sorted([first.pk, second.pk])
    assert {e.changes["reason"] for e in events} == {"ticket 4711"}
    assert {e.ip for e in events} == {"127.0.0.1"}


def test_revoked_token_is_refused_by_the_api(staff_client, api, issue, agent_a, account_a):
    token, secret = issue(agent_a, account_a)
    assert api(secret).get("/api/v1/me").status_code == 200
    _revoke(staff_client, [token], confirm="Revoke", reason="leaked in a log")
    assert api(secret).get("/api/v1/me").status_code == 401


def test_token_list_query_count_is_the_same_for_10_and_10000_tokens(
    staff_client, issue, admin_a, agent_a, account_a
):
    for user in (admin_a, agent_a):
        for n in range(5):
            issue(user, account_a, description=f"token {n}")
    pages = [{}, {"status": "active"}, {"q": "acme"}, {"account__id__exact": account_a.pk}]

    def count_queries() -> list[int]:
        counts = []
        for query in pages:
            with CaptureQueriesContext(connection) as queries:
                assert staff_client.get(CHANGELIST, query).status_code == 200
            counts.append(len(queries))
        return counts

    at_10 = count_queries()
    # Hand-made rows, the one exception to "tokens come from the service": 10,000 audited
    # issues would take minutes, and the list only reads these columns.
    owners = [admin_a, agent_a, MembershipFactory(account=account_a).user]
    other = AccountFactory(slug="acme-two")
    now = timezone.now()
    rows = []
    for n in range(9_990):
        secret = crypto.generate()
        rows.append(
            Token(
                account=account_a if n % 2 else other,
                owner=owners[n % 3],
                description=f"bulk {n}",
                prefix=crypto.display_prefix(secret),
                digest=crypto.digest(secret),
                created_at=now - timedelta(seconds=n),
                expires_at=now + timedelta(days=30),
            )
        )
    Token.objects.bulk_create(rows, batch_size=1000)
    assert Token.objects.count() == 10_000
    assert count_queries() == at_10


def test_an_active_tokens_page_has_a_revoke_button_through_the_audited_action(
    staff_client, staff, issue, agent_a, account_a
):
    token, _ = issue(agent_a, account_a, description="CI deploys")
    html = staff_client.get(change_url(token)).content.decode()
    form = html[html.index('<form method="post" action="/admin/tokens/token/"') :]
    form = form[: form.index("</form>")]
    assert ">Revoke this token</button>" in form
    assert 'name="action" value="revoke_selected"' in form
    assert f'name="_selected_action" value="{token.pk}"' in form
    # The button's post is the action's first step: it asks for a reason.
    assert 'name="reason"' in _revoke(staff_client, [token]).content.decode()
    _revoke(staff_client, [token], confirm="Revoke", reason="laptop stolen")
    assert Token.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEvent.objects.get(action="token.revoked").actor == staff


def test_a_revoked_tokens_page_shows_the_reason_and_no_revoke_button(
    staff_client, issue, agent_a, admin_a, account_a
):
    token, _ = issue(agent_a, account_a)
    services.token_revoke(token=token, actor=Actor(user=admin_a), reason="ticket 4711")
    html = staff_client.get(change_url(token)).content.decode()
    assert "Reason for revocation" in html and "ticket 4711" in html
    assert "Revoke this token" not in html
    quiet, _ = issue(agent_a, account_a)
    services.token_revoke(token=quiet, actor=Actor(user=admin_a))
    assert "No reason was recorded." in staff_client.get(change_url(quiet)).content.decode()
