"""What every settings page starts from: the caller's membership of the account in the URL, and
their access there (accounts.access decides what they may do)."""

from dataclasses import dataclass

from django.http import Http404, HttpRequest

from accounts.access import Access
from accounts.models import Account, Membership
from core.pages import form_refusals
from security.policy import require_two_factor_setup


@dataclass(frozen=True)
class Caller:
    membership: Membership
    memberships: list[Membership]  # all of the caller's, for the account switcher
    access: Access

    @property
    def account(self) -> Account:
        return self.membership.account

    def context(self) -> dict:
        """What the page layout needs: the account, the caller's role, the account switcher."""
        return {
            "account": self.account,
            "membership": self.membership,
            "memberships": self.memberships,
        }


def caller_for(request: HttpRequest, slug: str, *, need: str | None = None) -> Caller:
    """The caller of a page of account `slug`, in one query. Non-members get a 404 (the page
    does not confirm the account exists); members whose role lacks `need` get a 403."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("account")
        .order_by("account__name", "account__slug")
    )
    for membership in memberships:
        if membership.account.slug == slug:
            require_two_factor_setup(request.user, membership.account)
            access = Access(user=request.user, account=membership.account, role=membership.role)
            if need is not None:
                with form_refusals():
                    access.require(need)
            return Caller(membership=membership, memberships=memberships, access=access)
    raise Http404
