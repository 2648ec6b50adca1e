"""The new-token page: the form, and the one answer that shows a secret."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from accounts.audit import actor_from_request
from accounts.models import Membership
from core.pages import form_refusals
from security.sudo import prefill, sudo_required
from tokens.forms import TokenForm, scopes_sentence
from tokens.services import token_issue
from tokens.views.common import caller_for

# Form ids of token forms already used in this session (not secrets), newest last.
USED_FORMS_KEY = "tokens_used_form_ids"
USED_FORMS_KEPT = 20


@login_required
@require_http_methods(["GET", "POST"])
@sudo_required()
def token_new(request: HttpRequest, slug: str) -> HttpResponse:
    caller = caller_for(request, slug)
    account, access = caller.account, caller.access
    with form_refusals():
        access.require_token_create(owner=request.user)
    owners = None
    if access.is_admin:
        owners = list(
            Membership.objects.filter(account=account, user__is_active=True)
            .select_related("user")
            .order_by("user__name", "user__email")
        )
    form = TokenForm(
        request.POST if request.method == "POST" else None,
        account=account,
        user=request.user,
        memberships=owners,
        role=caller.membership.role,
        initial=prefill(request, TokenForm, request.path),
    )
    context = caller.context()
    if request.method == "GET":
        return render(request, "tokens/new.html", context | {"form": form})

    used = request.session.get(USED_FORMS_KEY, [])
    if request.POST.get("form_id") in used:
        messages.info(
            request,
            "That token was already created. Its secret is shown only once: if you did not "
            "keep it, revoke the token and create a new one.",
        )
        return redirect("tokens:page", slug=slug)
    if form.is_valid():
        data = form.cleaned_data
        owner = request.user
        if owners is not None and data["owner"] is not None:
            owner = next(m.user for m in owners if m.user_id == data["owner"])
        fields = {
            "description": "description",
            "owner_id": "owner" if owners is not None else None,
            "scopes": None,  # shown in the error summary
            "expires_at": form.expiry_field(),
        }
        with form_refusals(form, fields):
            issued = token_issue(
                account=account,
                owner=owner,
                description=data["description"],
                actor=actor_from_request(request),
                access=access,
                scopes=data["scopes"],
                expires_at=form.expires_at(timezone.now()),
            )
            request.session[USED_FORMS_KEY] = [*used, data["form_id"]][-USED_FORMS_KEPT:]
            # The secret is rendered in this POST response and nowhere else: keeping it in the
            # session until a redirected GET would write it to the session store (the
            # database), which must never hold a secret. no-store keeps it out of caches and
            # the back/forward history; a re-sent POST is caught by its form id above.
            response = render(
                request,
                "tokens/created.html",
                context
                | {
                    "token": issued.token,
                    "secret": issued.secret,
                    "date_won": form.date_won,
                    "scopes_sentence": scopes_sentence(issued.token.scopes),
                },
                status=201,
            )
            add_never_cache_headers(response)
            return response
    return render(request, "tokens/new.html", context | {"form": form}, status=400)
