"""The API tokens settings page: plain forms, each POST answered by a redirect (POST-redirect-GET),
except the one that shows a new secret. Views parse input and call the services; the services
hold the rules and write the audit trail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import ALL_SCOPES, Access
from accounts.audit import actor_from_request
from accounts.models import AuditEvent, Membership, Role
from accounts.services import account_update, service_account_create
from core.errors import ServiceError
from tokens.forms import AccessForm, PolicyForm, ServiceAccountForm, TokenForm, add_service_error
from tokens.models import Status, Token
from tokens.services import token_issue, token_revoke

TOKENS_PER_PAGE = 50
AUDIT_ON_PAGE = 10
AUDIT_PER_PAGE = 50
# Form ids of token forms already used in this session (not secrets), newest last.
USED_FORMS_KEY = "tokens_used_form_ids"
USED_FORMS_KEPT = 20


def _memberships(request: HttpRequest, slug: str) -> tuple[Membership, list[Membership]]:
    """The caller's membership of `slug` and all their memberships (for the account switcher),
    in one query. Non-members get a 404: the page does not confirm the account exists."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("account")
        .order_by("account__name", "account__slug")
    )
    for membership in memberships:
        if membership.account.slug == slug:
            return membership, memberships
    raise Http404


def _access(request: HttpRequest, membership: Membership) -> Access:
    return Access(user=request.user, account=membership.account, role=membership.role)


def _is_admin(membership: Membership) -> bool:
    return membership.role == Role.ADMIN


def _require_admin(membership: Membership) -> None:
    if not _is_admin(membership):
        raise PermissionDenied("Only account admins can do this.")


def _can_create(membership: Membership) -> bool:
    return _is_admin(membership) or membership.account.members_can_create_tokens


def _render_page(
    request: HttpRequest,
    membership: Membership,
    memberships: list[Membership],
    *,
    status: int = 200,
    policy_form: PolicyForm | None = None,
    service_account_form: ServiceAccountForm | None = None,
) -> HttpResponse:
    account = membership.account
    is_admin = _is_admin(membership)
    tokens = Token.objects.visible_to(_access(request, membership)).order_by("-created_at", "-id")
    page = Paginator(tokens, TOKENS_PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    for token in page:
        token.status_value = token.status_at(now)
        token.status_label = Status(token.status_value).label
        token.scopes_label = (
            "All scopes" if set(token.scopes) == ALL_SCOPES else ", ".join(token.scopes)
        )
    context = {
        "account": account,
        "membership": membership,
        "memberships": memberships,
        "is_admin": is_admin,
        "can_create": _can_create(membership),
        "page": page,
    }
    if is_admin:
        context |= {
            "policy_form": policy_form
            or PolicyForm(initial={f: getattr(account, f) for f in PolicyForm.base_fields}),
            "service_account_form": service_account_form or ServiceAccountForm(),
            "audit_events": AuditEvent.objects.filter(account=account)[:AUDIT_ON_PAGE],
        }
    return render(request, "tokens/page.html", context, status=status)


@login_required
@require_GET
def tokens_page(request: HttpRequest, slug: str) -> HttpResponse:
    membership, memberships = _memberships(request, slug)
    return _render_page(request, membership, memberships)


@login_required
@require_POST
def access_update(request: HttpRequest, slug: str) -> HttpResponse:
    membership, _ = _memberships(request, slug)
    _require_admin(membership)
    form = AccessForm(request.POST)
    form.is_valid()  # an unticked or missing box is simply False
    enabled = form.cleaned_data["token_access_enabled"]
    account_update(
        account=membership.account, actor=actor_from_request(request), token_access_enabled=enabled
    )
    if enabled:
        messages.success(request, "Token access is enabled: the account's tokens work now.")
    else:
        messages.success(
            request,
            "Token access is disabled: every token of this account is refused until you "
            "turn it back on. No token was deleted.",
        )
    return redirect("tokens:page", slug=slug)


@login_required
@require_POST
def policy_update(request: HttpRequest, slug: str) -> HttpResponse:
    membership, memberships = _memberships(request, slug)
    _require_admin(membership)
    form = PolicyForm(request.POST)
    if form.is_valid():
        try:
            account_update(
                account=membership.account, actor=actor_from_request(request), **form.cleaned_data
            )
        except ServiceError as exc:
            add_service_error(form, exc, {name: name for name in form.fields})
        else:
            messages.success(request, "The token policy is saved.")
            return redirect("tokens:page", slug=slug)
    return _render_page(request, membership, memberships, status=400, policy_form=form)


@login_required
@require_POST
def service_account_new(request: HttpRequest, slug: str) -> HttpResponse:
    membership, memberships = _memberships(request, slug)
    _require_admin(membership)
    form = ServiceAccountForm(request.POST)
    if form.is_valid():
        try:
            created = service_account_create(
                account=membership.account, actor=actor_from_request(request), **form.cleaned_data
            )
        except ServiceError as exc:
            add_service_error(form, exc, {"name": "name", "role": "role"})
        else:
            messages.success(
                request,
                f"Service account “{created.user.name}” created. Choose it as the owner when "
                "you add a token for an integration.",
            )
            return redirect("tokens:page", slug=slug)
    return _render_page(request, membership, memberships, status=400, service_account_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def token_new(request: HttpRequest, slug: str) -> HttpResponse:
    membership, memberships = _memberships(request, slug)
    account = membership.account
    if not _can_create(membership):
        raise PermissionDenied("In this account only admins create tokens.")
    owners = None
    if _is_admin(membership):
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
    )
    context = {"account": account, "membership": membership, "memberships": memberships}
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
        try:
            issued = token_issue(
                account=account,
                owner=owner,
                description=data["description"],
                actor=actor_from_request(request),
                access=_access(request, membership),
                scopes=data["scopes"],
                expires_at=form.expires_at(timezone.now()),
            )
        except ServiceError as exc:
            if exc.code == "permission_denied":
                raise PermissionDenied(exc.message) from None
            fields = {
                "description": "description",
                "owner_id": "owner" if owners is not None else None,
                "scopes": "scopes",
                "expires_at": form.expiry_field(),
            }
            add_service_error(form, exc, fields)
        else:
            request.session[USED_FORMS_KEY] = [*used, data["form_id"]][-USED_FORMS_KEPT:]
            # The secret is rendered in this POST response and nowhere else: keeping it in the
            # session until a redirected GET would write it to the session store (the
            # database), which must never hold a secret. no-store keeps it out of caches and
            # the back/forward history; a re-sent POST is caught by its form id above.
            response = render(
                request,
                "tokens/created.html",
                context | {"token": issued.token, "secret": issued.secret},
                status=201,
            )
            add_never_cache_headers(response)
            return response
    return render(request, "tokens/new.html", context | {"form": form}, status=400)


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The list's Revoke button posts here without `confirm`: the answer is a confirmation
    page (no change). Its button, or the list's confirm dialog, posts again with confirm=yes."""
    membership, memberships = _memberships(request, slug)
    token = get_object_or_404(Token.objects.visible_to(_access(request, membership)), pk=pk)
    if request.POST.get("confirm") != "yes":
        context = {
            "account": membership.account,
            "membership": membership,
            "memberships": memberships,
            "token": token,
        }
        return render(request, "tokens/revoke_confirm.html", context)
    if token_revoke(token=token, actor=actor_from_request(request)):
        messages.success(
            request, f"Token {token.prefix}… “{token.description}” is revoked. It no longer works."
        )
    else:
        messages.info(request, f"Token {token.prefix}… was already revoked.")
    return redirect("tokens:page", slug=slug)


@login_required
@require_GET
def audit_page(request: HttpRequest, slug: str) -> HttpResponse:
    membership, memberships = _memberships(request, slug)
    _require_admin(membership)
    events = AuditEvent.objects.filter(account=membership.account)
    page = Paginator(events, AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "account": membership.account,
        "membership": membership,
        "memberships": memberships,
        "page": page,
    }
    return render(request, "tokens/audit.html", context)
