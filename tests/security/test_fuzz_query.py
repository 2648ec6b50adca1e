"""Hostile query strings: every parameter of every list, with NUL and other control characters,
any unicode, invalid UTF-8, huge numbers and huge strings, never makes the server fail. On
PostgreSQL (CI's second pass) this includes the NUL bytes its text columns refuse."""

from urllib.parse import quote_from_bytes

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.security.test_fuzz import CLIENT_ERRORS, FUZZ, quiet_4xx_log  # noqa: F401
from tokens import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled", "quiet_4xx_log")]

# Every list of the API and the parameters it reads; `page` and `page_size` are everyone's.
LISTS = {
    "/api/v1/members": ["role"],
    "/api/v1/audit-events": ["action"],
    "/api/v1/tokens": ["status", "owner"],
}
PAGING = ["page", "page_size"]

PLAUSIBLE = st.sampled_from(
    [
        "admin",
        "agent",
        "light_agent",
        "active",
        "expired",
        "revoked",
        "token.created",
        "member.added",
        "1",
        "2",
        "0",
        "-1",
        "last",
        "",
        " ",
        "\x00",
        "1\x00",
        "admin\x00",
        "\u202e",
        "\ud800",
        "1e3",
        "0x10",
        "١",  # an Arabic-Indic digit one
        str(2**63),
        str(10**400),
        "9" * 5000,
        "a" * 70_000,
    ]
)
VALUES = PLAUSIBLE | st.text(max_size=60) | st.binary(max_size=60) | st.integers().map(str)


def encode(value: str | bytes) -> str:
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    return quote_from_bytes(raw, safe="")


def query_strings(params: list[str]):
    names = st.sampled_from(params) | st.text(max_size=10)
    pairs = st.lists(st.tuples(names, VALUES), max_size=5)
    return pairs.map(lambda ps: "&".join(f"{encode(k)}={encode(v)}" for k, v in ps))


@pytest.mark.parametrize("path", LISTS)
def test_random_query_strings_never_break_a_list(api, issue, admin_a, agent_a, account_a, path):
    _, secret = issue(admin_a, account_a)
    issue(agent_a, account_a)
    client = api()
    access = services.token_authenticate(secret)
    client.force_authenticate(user=access.user, token=access)

    @FUZZ
    @given(query=query_strings([*LISTS[path], *PAGING]))
    def check(query):
        response = client.get(f"{path}?{query}")
        assert response.status_code in {200} | CLIENT_ERRORS, (
            response.status_code,
            query[:200],
            response.content[:300],
        )
        assert response["Content-Type"].startswith("application/json")

    check()


@pytest.mark.parametrize("path", LISTS)
def test_the_query_fuzzer_reaches_success_as_well(api, issue, admin_a, account_a, path):
    _, secret = issue(admin_a, account_a)
    response = api(secret).get(f"{path}?page=1&page_size=1")
    assert response.status_code == 200 and response.json()["count"] >= 1
