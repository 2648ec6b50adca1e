"""Revoking a token from the list: a confirmation page, then the revocation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.audit import actor_from_request
from core.pages import form_refusals
from tokens.models import Token
from tokens.services import token_revoke
from tokens.views.common import caller_for


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The list's Revoke button posts here without `confirm`: the answer is a confirmation
    page (no change). Its button, or the list's confirm dialog, posts again with confirm=yes."""
    caller = caller_for(request, slug)
    token = get_object_or_404(Token.objects.visible_to(caller.access), pk=pk)
    if request.POST.get("confirm") != "yes":
        return render(request, "tokens/revoke_confirm.html", caller.context() | {"token": token})
    with form_refusals():
        revoked = token_revoke(token=token, actor=actor_from_request(request), access=caller.access)
    if revoked:
        messages.success(
            request, f"Token {token.prefix}… “{token.description}” is revoked. It no longer works."
        )
    else:
        messages.info(request, f"Token {token.prefix}… was already revoked.")
    return redirect("tokens:page", slug=slug)
