"""The account policy `require_two_factor` on the account's pages. (The session API's is in
security.authentication; tokens are their own credentials and are not affected.)"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.models import Account, User
from security.services import has_two_factor


class TwoFactorSetupRequired(Exception):
    """Raised by a page of an account that requires two-factor, for a member without it."""

    def __init__(self, account: Account):
        super().__init__(account.slug)
        self.account = account


def require_two_factor_setup(user: User, account: Account) -> None:
    if account.require_two_factor and not has_two_factor(user):
        raise TwoFactorSetupRequired(account)


class TwoFactorPolicyMiddleware:
    """Sends a member refused by the policy to the set-up page, saying why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, TwoFactorSetupRequired):
            return None
        messages.info(
            request,
            f"{exception.account.name} requires two-factor authentication. Set it up to continue.",
        )
        return redirect("security:page")
