"""Revoking a token from the list: a confirmation page, then the revocation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.audit import actor_from_request
from tokens.models import Token
from tokens.services import token_revoke
from tokens.views.common import access_for, memberships_for, page_context


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The list's Revoke button posts here without `confirm`: the answer is a confirmation
    page (no change). Its button, or the list's confirm dialog, posts again with confirm=yes."""
    membership, memberships = memberships_for(request, slug)
    token = get_object_or_404(Token.objects.visible_to(access_for(request, membership)), pk=pk)
    if request.POST.get("confirm") != "yes":
        context = page_context(membership, memberships) | {"token": token}
        return render(request, "tokens/revoke_confirm.html", context)
    if token_revoke(token=token, actor=actor_from_request(request)):
        messages.success(
            request, f"Token {token.prefix}… “{token.description}” is revoked. It no longer works."
        )
    else:
        messages.info(request, f"Token {token.prefix}… was already revoked.")
    return redirect("tokens:page", slug=slug)
