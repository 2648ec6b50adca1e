"""The JSON of the hottest answers, `GET /api/v1/me` and the token list, built by plain functions.

Building a DRF serializer deep-copies its whole field tree on every instantiation: for `/me` that
was most of the request's serialization time, and for a list of 100 tokens about as much CPU as
the query. These functions give the same keys, in the same order, with the same values as
MeSerializer and TokenSerializer (tests/test_representations.py compares them); the serializers
stay the contract and the OpenAPI schema's source. A field added there must be added here."""

from typing import Any

from rest_framework.fields import DateTimeField

from accounts.access import Access

# One field kept per process: the same ISO 8601 rendering, in the current time zone, as the
# serializers' DateTimeField, without building one per value.
_DATETIME = DateTimeField()


def _datetime(value) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def _user(user) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "is_service_account": bool(user.is_service_account),
    }


def token(token) -> dict[str, Any]:
    """As TokenSerializer(token).data."""
    return {
        "id": token.id,
        "description": token.description,
        "prefix": token.prefix,
        "owner": _user(token.owner),
        "scopes": list(token.scopes),
        "created_at": _datetime(token.created_at),
        "created_by": _user(token.created_by),
        "expires_at": _datetime(token.expires_at),
        "last_used_at": _datetime(token.last_used_at),
        "last_used_ip": token.last_used_ip,
        "revoked_at": _datetime(token.revoked_at),
        "status": str(token.status),
        "replaced_by": token.replaced_by_id,
        "stops_at": _datetime(token.stops_at),
        "allowed_ips": list(token.allowed_ips),
        "rate_limit_per_minute": token.rate_limit_per_minute,
        "recent_ips": [{"ip": e["ip"], "last_seen": e["last_seen"]} for e in token.recent_ips],
    }


def tokens(page) -> list[dict[str, Any]]:
    """As TokenSerializer(page, many=True).data."""
    return [token(item) for item in page]


def me(access: Access) -> dict[str, Any]:
    """As MeSerializer({"user", "account", "role", "token"} of `access`).data."""
    summary = access.token
    return {
        "user": _user(access.user),
        "account": {"slug": access.account.slug, "name": access.account.name},
        "role": str(access.role),
        "token": None
        if summary is None
        else {
            "id": summary.id,
            "description": summary.description,
            "scopes": summary.scopes,
            "expires_at": _datetime(summary.expires_at),
        },
    }
