from typing import cast

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator

from accounts.forms import LoginForm
from accounts.models import Membership, User
from accounts.signin import answers_429_when_limited


@method_decorator(answers_429_when_limited, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


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
