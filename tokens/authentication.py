"""DRF authentication: thin over `services.token_authenticate`.

Each class returns None when the Authorization header is not its scheme, so the next class may
try, and raises when the header is its scheme but does not authenticate. A failure never falls
back to the browser session."""

import base64
import binascii
import logging
from typing import NoReturn

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication

from accounts.access import Access
from accounts.models import Membership
from core.http import address_bucket, client_ip
from core.ratelimit import hit
from tokens import crypto, services
from tokens.throttling import WINDOW_ATTRIBUTE, count_token_request

logger = logging.getLogger(__name__)

# The same answer for every reason a token is refused: nothing to learn from it.
INVALID = "Invalid, expired or revoked token."


def _refuse(request, raw: str = "") -> NoReturn:
    """Log and count a failed authentication for the client's address; past the limit, 429."""
    ip = client_ip(request)
    well_formed = crypto.is_well_formed(raw)
    logger.warning(
        "token authentication failed",
        extra={
            "event": "auth.failed",
            # "refused": a real-looking token that is unknown, revoked, expired or not usable.
            "reason": "refused" if well_formed else "malformed",
            "client_ip": ip or "unknown",
            "token_prefix": crypto.display_prefix(raw) if well_formed else None,
        },
    )
    wait = hit(address_bucket(ip), "auth_failure")
    if wait is not None:
        raise exceptions.Throttled(wait)
    raise exceptions.AuthenticationFailed(INVALID)


def _authenticate(request, raw: str, email: str | None = None):
    ip = client_ip(request)
    try:
        access = services.token_authenticate(raw, email=email, ip=ip)
    except services.InvalidToken:
        _refuse(request, raw)
    except services.TokenAccessDisabled:
        raise exceptions.PermissionDenied(
            "Token access is disabled for this account. An account admin can turn it on.",
            code="token_access_disabled",
        ) from None
    except services.AddressNotAllowed:
        raise exceptions.PermissionDenied(
            "This token may not be used from your address.", code="ip_not_allowed"
        ) from None
    setattr(request._request, WINDOW_ATTRIBUTE, count_token_request(access))
    services.token_record_use(access.token, ip=ip)
    return access.user, access


def _header(request) -> tuple[str, str]:
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return scheme.lower(), credentials.strip()


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`, or DRF's `Authorization: Token <token>`."""

    def authenticate(self, request):
        scheme, credentials = _header(request)
        if scheme not in ("bearer", "token"):
            return None
        return _authenticate(request, credentials)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class BasicTokenAuthentication(BaseAuthentication):
    """`Authorization: Basic base64(<email>/token:<token>)`, for clients written for the vendor
    format. Accepted only when <email> is the token owner's own, so a token can never be
    paired with someone else's identity."""

    def authenticate(self, request):
        scheme, credentials = _header(request)
        if scheme != "basic":
            return None
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            _refuse(request)
        login, sep, secret = decoded.rpartition(":")
        email, marker = login[: -len("/token")], login[-len("/token") :]
        if not sep or marker != "/token" or not email:
            _refuse(request)
        return _authenticate(request, secret, email=email)

    def authenticate_header(self, request) -> str:
        return 'Basic realm="api"'


class AccountSessionAuthentication(SessionAuthentication):
    """The browser session (CSRF enforced), acting in the account named by `X-Account`, which a
    member of a single account may leave out. The token-access switch does not apply."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        slug = request.META.get("HTTP_X_ACCOUNT", "").strip()
        memberships = Membership.objects.filter(user=user).select_related("account")
        if slug:
            memberships = memberships.filter(account__slug=slug)
        found = list(memberships[:2])
        if len(found) == 1:
            return user, Access(user=user, account=found[0].account, role=found[0].role)
        if slug or not found:
            raise exceptions.NotFound("No such account.")
        raise exceptions.ParseError(
            "You belong to several accounts: name one in the X-Account header.",
            code="account_required",
        )
