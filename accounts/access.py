"""Who may do what: the one place that answers "may this caller do X to Y", for the API's
permissions, the pages, the services and the admin. It says no in one way: AccessDenied.

A caller acts in one account with their current role there, through a token (whose scopes cap
the role) or a browser session (no cap). The role table is SPEC section 3."""

from dataclasses import dataclass
from typing import Any, Protocol

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


class TokenLike(Protocol):
    """What the rules read of a token (accounts does not import tokens)."""

    account_id: int
    owner_id: int | None
    scopes: list[str]


@dataclass(frozen=True)
class Access:
    """Who is calling, in which account, with which role, through which token (None for a
    browser session). Authentication and the pages build it; everything else asks it."""

    user: User
    account: Account
    role: str
    scopes: frozenset[str] = ALL_SCOPES
    token: Any = None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def allows(self, scope: str) -> bool:
        return scope in ROLE_SCOPES.get(self.role, frozenset()) and scope in self.scopes

    def require(self, scope: str) -> None:
        """Raise AccessDenied unless both the role and the token's scopes allow `scope`."""
        if scope not in ROLE_SCOPES.get(self.role, frozenset()):
            raise AccessDenied(
                f"Your role ({self.role}) does not allow {scope}.", code="permission_denied"
            )
        if scope not in self.scopes:
            raise AccessDenied(f"This token lacks the {scope} scope.", code="insufficient_scope")

    # Tokens. Admins see and manage every token of the account; everyone else their own.

    def token_filter(self) -> dict[str, Any]:
        """The tokens this caller sees, as queryset filters; any other token is a 404."""
        if self.is_admin:
            return {"account": self.account}
        return {"account": self.account, "owner": self.user}

    def sees_token(self, token: TokenLike) -> bool:
        return token.account_id == self.account.pk and (
            self.is_admin or token.owner_id == self.user.pk
        )

    @property
    def may_create_tokens(self) -> bool:
        """Whether this caller may create any token (their own, at least) in the account."""
        return self.allows("tokens:write") and (
            self.is_admin or self.account.members_can_create_tokens
        )

    def require_token_create(self, *, owner: User) -> None:
        self.require("tokens:write")
        if not self.is_admin and owner.pk != self.user.pk:
            raise AccessDenied("Only admins create tokens for other members.")
        if not self.is_admin and not self.account.members_can_create_tokens:
            raise AccessDenied("In this account only admins create tokens.")

    def require_token_change(self, token: TokenLike) -> None:
        """Revoke or relabel `token`."""
        self.require("tokens:write")
        if not self.sees_token(token):
            raise AccessDenied("This token is not yours to change.")

    def require_token_rotate(self, token: TokenLike) -> None:
        """Rotation mints no new power or lifetime, so any member may rotate a token they
        manage, whatever the creation policy; but a token cannot renew scopes it lacks."""
        self.require_token_change(token)
        if not set(token.scopes) <= self.scopes:
            raise AccessDenied("The token you are using lacks some of this token's scopes.")

    def require_token_extend(self, token: TokenLike) -> None:
        """Change when `token` expires or its rate limit: admins only, as a lifetime and a
        limit are the account's policy."""
        self.require_token_change(token)
        if not self.is_admin:
            raise AccessDenied("Only account admins change a token's expiry or rate limit.")


# The operator's staff in the Django admin: Django's permissions decide what they may open;
# these rules stop them from raising their own rights or locking out those above them.


def staff_may_edit_user(staff: User) -> bool:
    """Only superusers use the user form: email, password or permission edits would let other
    staff take over an account or raise their own rights."""
    return staff.is_superuser


def require_staff_deactivate(staff: User, user: User) -> None:
    if user.is_staff and not staff.is_superuser:
        raise AccessDenied("Only superusers deactivate staff users.")
