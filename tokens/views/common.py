"""What every settings page starts from: the caller's membership of the account in the URL."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from accounts.access import Access
from accounts.models import Membership, Role


def memberships_for(request: HttpRequest, slug: str) -> tuple[Membership, list[Membership]]:
    """The caller's membership of `slug` and all their memberships (for the account switcher),
    in one query. Non-members get a 404: the page does not confirm the account exists."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("account")
        .order_by("account__name", "account__slug")
    )
    for membership in memberships:
        if membership.account.slug == slug:
            return membership, memberships
    raise Http404


def access_for(request: HttpRequest, membership: Membership) -> Access:
    return Access(user=request.user, account=membership.account, role=membership.role)


def page_context(membership: Membership, memberships: list[Membership]) -> dict:
    """What the page layout needs: the account, the caller's role in it, the account switcher."""
    return {"account": membership.account, "membership": membership, "memberships": memberships}


def is_admin(membership: Membership) -> bool:
    return membership.role == Role.ADMIN


def require_admin(membership: Membership) -> None:
    if not is_admin(membership):
        raise PermissionDenied("Only account admins can do this.")


def can_create(membership: Membership) -> bool:
    return is_admin(membership) or membership.account.members_can_create_tokens
