"""The API tokens page: the list of tokens, and for admins the access switch, the token policy,
service accounts and the latest audit events."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.access import ALL_SCOPES
from accounts.audit import actor_from_request
from accounts.models import AuditEvent
from accounts.services import account_update, service_account_create
from core.pages import form_refusals
from security.sudo import prefill, sudo_required
from tokens.forms import AccessForm, PolicyForm, ServiceAccountForm
from tokens.models import Status, Token
from tokens.views.common import Caller, audit_rows, caller_for

TOKENS_PER_PAGE = 50
AUDIT_ON_PAGE = 10


def _render_page(
    request: HttpRequest,
    caller: Caller,
    *,
    status: int = 200,
    policy_form: PolicyForm | None = None,
    service_account_form: ServiceAccountForm | None = None,
) -> HttpResponse:
    account, access = caller.account, caller.access
    tokens = Token.objects.visible_to(access).order_by("-created_at", "-id")
    page = Paginator(tokens, TOKENS_PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    for token in page:
        token.status_value = token.status_at(now)
        token.status_label = Status(token.status_value).label
        token.scopes_label = (
            "All scopes" if set(token.scopes) == ALL_SCOPES else ", ".join(token.scopes)
        )
    context = caller.context() | {
        "is_admin": access.is_admin,
        "can_create": access.may_create_tokens,
        "page": page,
    }
    if access.is_admin:
        context |= {
            "policy_form": policy_form
            or PolicyForm(
                initial={f: getattr(account, f) for f in PolicyForm.base_fields}
                | prefill(request, PolicyForm, reverse("tokens:policy", args=[account.slug]))
            ),
            "service_account_form": service_account_form or ServiceAccountForm(),
            "audit_events": audit_rows(
                AuditEvent.objects.filter(account=account).select_related("actor")[:AUDIT_ON_PAGE]
            ),
        }
    return render(request, "tokens/page.html", context, status=status)


@login_required
@require_GET
def tokens_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_page(request, caller_for(request, slug))


@login_required
@require_POST
@sudo_required(back="tokens:page")
def access_update(request: HttpRequest, slug: str) -> HttpResponse:
    caller = caller_for(request, slug, need="account:write")
    form = AccessForm(request.POST)
    form.is_valid()  # an unticked or missing box is simply False
    enabled = form.cleaned_data["token_access_enabled"]
    with form_refusals():
        account_update(
            account=caller.account, actor=actor_from_request(request), token_access_enabled=enabled
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
@sudo_required(back="tokens:page")
def policy_update(request: HttpRequest, slug: str) -> HttpResponse:
    caller = caller_for(request, slug, need="account:write")
    form = PolicyForm(request.POST)
    if form.is_valid():
        with form_refusals(form, {name: name for name in form.fields}):
            account_update(
                account=caller.account, actor=actor_from_request(request), **form.cleaned_data
            )
            messages.success(request, "The token policy is saved.")
            return redirect("tokens:page", slug=slug)
    return _render_page(request, caller, status=400, policy_form=form)


@login_required
@require_POST
def service_account_new(request: HttpRequest, slug: str) -> HttpResponse:
    caller = caller_for(request, slug, need="members:write")
    form = ServiceAccountForm(request.POST)
    if form.is_valid():
        with form_refusals(form, {"name": "name", "role": "role"}):
            created = service_account_create(
                account=caller.account, actor=actor_from_request(request), **form.cleaned_data
            )
            messages.success(
                request,
                f"Service account “{created.user.name}” created. Choose it as the owner when "
                "you add a token for an integration.",
            )
            return redirect("tokens:page", slug=slug)
    return _render_page(request, caller, status=400, service_account_form=form)
