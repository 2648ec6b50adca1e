"""The plain-function representations of /me and the token list give the very bytes the
serializers (the API's contract and the schema's source) give, for every kind of token and
caller; and the endpoints answer those bytes."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from accounts.access import Access
from accounts.audit import Actor
from accounts.models import Role
from tests.factories import MembershipFactory, UserFactory
from tokens import representations, services
from tokens.models import Status, Token
from tokens.serializers import MeSerializer, TokenSerializer

pytestmark = pytest.mark.django_db


@pytest.fixture
def service_a(account_a):
    user = UserFactory(email="bot@acme.service.invalid", name="", is_service_account=True)
    MembershipFactory(account=account_a, user=user, role=Role.AGENT)
    return user


def _json(data) -> bytes:
    return JSONRenderer().render(data)


@pytest.fixture
def tokens(account_a, admin_a, agent_a, service_a, issue):
    """Active, never expiring, expired, revoked, used (IPv6), with an owner and creator gone,
    owned by a service account, with a narrow scope and a description beyond ASCII."""
    now = timezone.now()
    active, _ = issue(agent_a, account_a)
    forever, _ = issue(admin_a, account_a, description="Ünïcode ✓ «quoted»")
    Token.objects.filter(pk=forever.pk).update(expires_at=None)
    expired, _ = issue(agent_a, account_a)
    Token.objects.filter(pk=expired.pk).update(expires_at=now - timedelta(seconds=1))
    revoked, _ = issue(agent_a, account_a)
    services.token_revoke(token=revoked, actor=Actor(user=admin_a))
    used, _ = issue(agent_a, account_a, scopes=["tokens:read"])
    Token.objects.filter(pk=used.pk).update(
        last_used_at=now.replace(microsecond=0), last_used_ip="2001:db8::1"
    )
    orphan, _ = issue(agent_a, account_a)
    Token.objects.filter(pk=orphan.pk).update(owner=None, created_by=None)
    issue(service_a, account_a)
    return list(Token.objects.select_related("owner", "created_by").order_by("pk"))


def test_every_kind_of_token_is_represented_as_the_serializer_does(tokens):
    assert {token.status for token in tokens} == set(Status.values)
    assert any(token.owner is None for token in tokens)
    assert any(token.owner and token.owner.is_service_account for token in tokens)
    for token in tokens:
        assert _json(representations.token(token)) == _json(TokenSerializer(token).data)
    assert _json(representations.tokens(tokens)) == _json(TokenSerializer(tokens, many=True).data)


def test_times_follow_the_current_time_zone_like_the_serializer(tokens):
    with timezone.override(ZoneInfo("Pacific/Chatham")):
        for token in tokens:
            assert _json(representations.token(token)) == _json(TokenSerializer(token).data)


def _me_serializer(access: Access) -> bytes:
    return _json(
        MeSerializer(
            {
                "user": access.user,
                "account": access.account,
                "role": access.role,
                "token": access.token,
            }
        ).data
    )


def test_me_is_represented_as_the_serializer_does(tokens, account_a, agent_a, service_a):
    for token in tokens:
        if token.owner is None:
            continue
        access = Access(user=token.owner, account=account_a, role=Role.AGENT, token=token)
        assert _json(representations.me(access)) == _me_serializer(access)
    session = Access(user=agent_a, account=account_a, role=Role.LIGHT_AGENT)  # no token
    assert _json(representations.me(session)) == _me_serializer(session)


def test_the_endpoints_answer_the_serializers_bytes(account_a, admin_a, service_a, issue, api):
    _, secret = issue(admin_a, account_a)
    robot, _ = issue(service_a, account_a)
    Token.objects.filter(pk=robot.pk).update(expires_at=None, last_used_ip="192.0.2.1")
    client = api(secret)
    me = client.get("/api/v1/me")
    access = services.token_authenticate(secret)
    assert me.content == _me_serializer(access)

    listed = client.get("/api/v1/tokens")
    page = Token.objects.visible_to(access).order_by("-created_at", "-id")
    assert [item["id"] for item in listed.json()["results"]] == [t.pk for t in page]
    assert _json(listed.json()["results"]) == _json(TokenSerializer(page, many=True).data)
