"""What a caller may do: the role table of the spec, intersected with a token's scopes."""

from dataclasses import dataclass
from typing import Any

from accounts.models import Account, Role, User
from core.errors import AccessDenied

SCOPES = (
    "account:read",
    "account:write",
    "members:read",
    "members:write",
    "tokens:read",
    "tokens:write",
    "audit:read",
)
ALL_SCOPES = frozenset(SCOPES)

ROLE_SCOPES: dict[str, frozenset[str]] = {
    Role.ADMIN: ALL_SCOPES,
    Role.AGENT: frozenset({"account:read", "members:read", "tokens:read", "tokens:write"}),
    Role.LIGHT_AGENT: frozenset({"account:read", "tokens:read", "tokens:write"}),
}


@dataclass(frozen=True)
class Access:
    """Who is calling, in which account, with which role, through which token (None for a
    browser session). Authentication builds it; permissions and views read it."""

    user: User
    account: Account
    role: str
    scopes: frozenset[str] = ALL_SCOPES
    token: Any = None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def require(self, scope: str) -> None:
        """Raise AccessDenied unless both the role and the token's scopes allow `scope`."""
        if scope not in ROLE_SCOPES.get(self.role, frozenset()):
            raise AccessDenied(
                f"Your role ({self.role}) does not allow {scope}.", code="permission_denied"
            )
        if scope not in self.scopes:
            raise AccessDenied(f"This token lacks the {scope} scope.", code="insufficient_scope")
