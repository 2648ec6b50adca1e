import time
from typing import cast

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django_otp import user_has_device

from accounts.forms import LoginForm
from accounts.models import Membership, User
from accounts.signin import answers_429_when_limited

# A password checked, its code not yet: who, and since when (the code must follow soon).
PENDING_SIGNIN = "accounts.pending_signin"
PENDING_SIGNIN_SECONDS = 5 * 60


@method_decorator(answers_429_when_limited, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        """With two-factor on, the password opens only the second step: the session is signed
        in once a code is checked (security's login-code page)."""
        user = form.get_user()
        if not user_has_device(user):
            return super().form_valid(form)
        self.request.session[PENDING_SIGNIN] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "at": int(time.time()),
        }
        return redirect("security:login-code")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Take a member to their account's tokens page, or let them pick one of several."""
    memberships = list(
        Membership.objects.filter(user=cast(User, request.user))  # signed in: login_required
        .select_related("account")
        .order_by("account__name")
    )
    if len(memberships) == 1:
        return redirect("tokens:page", slug=memberships[0].account.slug)
    return render(request, "accounts/home.html", {"memberships": memberships})
