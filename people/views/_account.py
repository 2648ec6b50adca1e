"""The signed-in member's view of one account, shared by the people pages."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from accounts.access import Access
from accounts.models import Membership
from core.errors import AccessDenied


def member_of(request: HttpRequest, slug: str) -> tuple[Membership, list[Membership], Access]:
    """The caller's membership of `slug`, all their memberships (for the account switcher) and
    their access, in one query. Non-members get a 404: the page does not confirm the account."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("account")
        .order_by("account__name", "account__slug")
    )
    for membership in memberships:
        if membership.account.slug == slug:
            access = Access(user=request.user, account=membership.account, role=membership.role)
            return membership, memberships, access
    raise Http404


def require(access: Access, scope: str) -> None:
    """Access.require for pages: a refusal is a 403 page."""
    try:
        access.require(scope)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None


def allows(access: Access, scope: str) -> bool:
    try:
        access.require(scope)
    except AccessDenied:
        return False
    return True


def page_context(membership: Membership, memberships: list[Membership]) -> dict:
    return {"account": membership.account, "membership": membership, "memberships": memberships}
