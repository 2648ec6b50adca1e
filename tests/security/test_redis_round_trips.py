"""Every rate-limit counter of an API request together costs at most one Redis round trip, and a
refused token costs no more than an accepted one: a flood of bad tokens is no dearer to serve
than good traffic. Counted on a real Redis, at the client's socket."""

import pytest
from redis.connection import AbstractConnection

from tests.security.conftest import needs_postgres_and_redis

pytestmark = [needs_postgres_and_redis, pytest.mark.django_db]


def _commands(packed) -> list[str]:
    """The command names in what redis-py writes to the socket (RESP arrays)."""
    data = b"".join(packed) if isinstance(packed, list | tuple) else packed
    parts = data.split(b"\r\n")
    return [parts[i + 2].decode().upper() for i, part in enumerate(parts) if part.startswith(b"*")]


@pytest.fixture
def round_trips(monkeypatch):
    """Each write to Redis's socket, as the list of commands it carried."""
    sent: list[list[str]] = []
    real = AbstractConnection.send_packed_command

    def spy(self, command, check_health=True):
        sent.append(_commands(command))
        return real(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", spy)
    return sent


@pytest.fixture
def agent(agent_a, account_a, issue, api):
    _, secret = issue(agent_a, account_a)
    client = api(secret)
    assert client.get("/api/v1/me").status_code == 200  # connects; records the first use
    return client


def test_an_authenticated_request_costs_one_round_trip(agent, round_trips):
    for path in ("/api/v1/me", "/api/v1/tokens"):
        round_trips.clear()
        assert agent.get(path).status_code == 200
        assert round_trips == [["INCRBY", "EXPIRE"]], path


def test_a_refused_token_costs_no_more_than_an_accepted_one(agent, api, round_trips):
    bad = api("tpk_" + "x" * 40)
    assert bad.get("/api/v1/me").status_code == 401
    round_trips.clear()
    assert bad.get("/api/v1/me").status_code == 401
    assert round_trips == [["INCRBY", "EXPIRE"]]


def test_past_the_failure_limit_the_refusal_still_costs_one_round_trip(
    settings, agent, api, round_trips
):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "auth_failure": "2/min"}
    bad = api("tpk_" + "x" * 40)
    assert [bad.get("/api/v1/me").status_code for _ in range(2)] == [401, 401]
    round_trips.clear()
    assert bad.get("/api/v1/me").status_code == 429
    assert round_trips == [["INCRBY", "EXPIRE"]]
