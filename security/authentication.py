"""The session API, with the account's two-factor policy and sudo mode. Bearer and Basic tokens
are their own credentials: neither applies to them."""

from rest_framework import exceptions

from security.services import has_two_factor
from security.sudo import is_recent
from tokens.authentication import AccountSessionAuthentication

# The API's counterparts of the pages that sudo mode guards: (URL name, method).
SUDO_GUARDED = {
    ("api-tokens", "POST"),
    ("api-token-rotate", "POST"),
    ("api-account", "PATCH"),
    ("api-members", "POST"),
    ("api-member", "PATCH"),
    ("api-member", "DELETE"),
    ("api-invitations", "POST"),
}


class StrongSessionAuthentication(AccountSessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, access = result
        if access.account.require_two_factor and not has_two_factor(user):
            raise exceptions.PermissionDenied(
                "This account requires two-factor authentication: set it up at /account/security/.",
                code="two_factor_required",
            )
        match = request.resolver_match
        if match and (match.url_name, request.method) in SUDO_GUARDED and not is_recent(request):
            raise exceptions.PermissionDenied(
                "Confirm your password again: sign in anew or pass the check at /sudo/.",
                code="reauthentication_required",
            )
        return result
