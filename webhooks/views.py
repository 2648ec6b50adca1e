"""The Webhooks page of an account, for its admins: plain forms answered by a redirect, except
the two that show a signing secret (it is shown once and never stored in the session)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from accounts.audit import actor_from_request
from accounts.models import Membership, Role
from core.errors import ServiceError
from security.sudo import sudo_required
from webhooks import services
from webhooks.forms import EndpointForm
from webhooks.models import Delivery, Endpoint

DELIVERIES_SHOWN = 50


def _admin_membership(request: HttpRequest, slug: str) -> tuple[Membership, list[Membership]]:
    """The caller's membership of `slug` (404 for non-members, 403 for non-admins) and all of
    their memberships, for the account switcher."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("account")
        .order_by("account__name", "account__slug")
    )
    membership = next((m for m in memberships if m.account.slug == slug), None)
    if membership is None:
        raise Http404
    if membership.role != Role.ADMIN:
        raise PermissionDenied("Only account admins manage webhooks.")
    return membership, memberships


def _context(membership: Membership, memberships: list[Membership]) -> dict:
    return {"membership": membership, "memberships": memberships, "account": membership.account}


def _secret_page(request, context: dict, endpoint: Endpoint, secret: str, *, rotated: bool):
    response = render(
        request,
        "webhooks/secret.html",
        context | {"endpoint": endpoint, "secret": secret, "rotated": rotated},
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
@sudo_required()
def webhooks_page(request: HttpRequest, slug: str) -> HttpResponse:
    membership, memberships = _admin_membership(request, slug)
    context = _context(membership, memberships)
    account = membership.account
    form = EndpointForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            endpoint, secret = services.endpoint_create(
                account=account, actor=actor_from_request(request), **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return _secret_page(request, context, endpoint, secret, rotated=False)
    endpoints = list(Endpoint.objects.filter(account=account).order_by("created_at", "id"))
    deliveries = (
        Delivery.objects.filter(endpoint__account=account)
        .select_related("event", "endpoint")
        .order_by("-scheduled_at", "-id")[:DELIVERIES_SHOWN]
    )
    context |= {"form": form, "endpoints": endpoints, "deliveries": deliveries}
    return render(request, "webhooks/page.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
@sudo_required(back="webhooks:page")
def endpoint_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    membership, memberships = _admin_membership(request, slug)
    endpoint = get_object_or_404(Endpoint, account=membership.account, pk=pk)
    actor = actor_from_request(request)
    if action == "test":
        services.send_test(endpoint=endpoint)
        messages.success(request, f"A test event is on its way to {endpoint.url}.")
    elif action in ("enable", "disable"):
        services.endpoint_update(endpoint=endpoint, actor=actor, enabled=action == "enable")
        messages.success(
            request, f"{endpoint.url} is turned {'on' if action == 'enable' else 'off'}."
        )
    elif action == "rotate":
        secret = services.endpoint_rotate_secret(endpoint=endpoint, actor=actor)
        context = _context(membership, memberships)
        return _secret_page(request, context, endpoint, secret, rotated=True)
    elif action == "delete":
        services.endpoint_delete(endpoint=endpoint, actor=actor)
        messages.success(request, f"{endpoint.url} is deleted.")
    else:
        raise Http404
    return redirect("webhooks:page", slug=slug)
