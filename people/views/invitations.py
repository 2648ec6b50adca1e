"""The page an invitation link opens. Who is looking decides what it offers: someone new signs
up, an existing user signs in and accepts, someone signed in with another email is told so."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.audit import actor_from_request
from accounts.models import User
from core.errors import ServiceError
from people.forms import SignUpForm
from people.models import Invitation
from people.services import (
    NOT_PENDING,
    invitation_accept,
    invitation_for_secret,
    invitation_sign_up,
)

BACKEND = "accounts.backends.EmailBackend"


def _unusable(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "people/invitation_unusable.html", {"message": message}, status=status)


def _joined(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    messages.success(request, f"Welcome to {invitation.account.name}.")
    return redirect("tokens:page", slug=invitation.account.slug)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_page(request: HttpRequest, secret: str) -> HttpResponse:
    invitation = invitation_for_secret(secret)
    if invitation is None:
        return _unusable(
            request,
            "This invitation link is not valid. Check that you copied all of it, or ask an "
            "admin of the account to send a new one.",
            404,
        )
    if not invitation.is_pending:
        return _unusable(request, NOT_PENDING[invitation.status], 410)
    context = {"invitation": invitation, "account": invitation.account}
    user = request.user
    if user.is_authenticated:
        if user.email.lower() != invitation.email:
            return render(request, "people/invitation_wrong_user.html", context, status=403)
        if request.method == "POST":
            try:
                invitation_accept(
                    invitation=invitation, user=user, actor=actor_from_request(request)
                )
            except ServiceError as exc:
                return _unusable(request, exc.message, 400)
            return _joined(request, invitation)
        return render(request, "people/invitation_accept.html", context)

    # The link was mailed to this address, so telling its holder that the address already has
    # a user here reveals nothing they could not learn by signing in.
    if User.objects.filter(email__iexact=invitation.email).exists():
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        return render(request, "people/invitation_sign_in.html", context)

    form = SignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user, _ = invitation_sign_up(
                invitation=invitation,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
                actor=actor_from_request(request),
            )
        except ServiceError as exc:
            field = {"name": "name", "password": "password1"}.get(exc.field or "")
            form.add_error(field, exc.message)
        else:
            login(request, user, backend=BACKEND)
            return _joined(request, invitation)
    status = 400 if request.method == "POST" else 200
    context |= {"form": form}
    return render(request, "people/invitation_sign_up.html", context, status=status)
