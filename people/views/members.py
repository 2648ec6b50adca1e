"""The Members page: who is in the account, their roles, invitations, removal and leaving.
Plain forms, each POST answered by a redirect. Who may do what is accounts.access's answer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import actor_from_request
from accounts.models import Account, Membership, Role
from accounts.services import is_last_human_admin, member_change_role, member_remove
from core.errors import ServiceError
from core.pages import form_refusals
from people.forms import InviteForm, RoleForm
from people.models import Invitation
from people.services import invitation_cancel, invitation_create, invitation_resend
from security.services import users_with_two_factor
from security.sudo import prefill, sudo_required
from tokens.models import Token
from tokens.views.common import Caller, caller_for


def _active_tokens(account: Account, user_ids: list[int]) -> dict[int, int]:
    """How many active tokens each of these users owns in the account: what removal revokes."""
    tokens = Token.objects.active().filter(account=account, owner_id__in=user_ids)
    return dict(tokens.order_by().values_list("owner_id").annotate(n=Count("id")))


@login_required
@require_GET
def members_page(request: HttpRequest, slug: str) -> HttpResponse:
    caller = caller_for(request, slug)
    account, access = caller.account, caller.access
    if access.allows("members:read"):
        members = list(
            Membership.objects.filter(account=account)
            .select_related("user")
            .order_by("user__is_service_account", "user__name", "user__email")
        )
    else:  # light agents see only themselves
        members = [caller.membership]
    counts = _active_tokens(account, [m.user_id for m in members])
    human_admins = [m for m in members if m.role == Role.ADMIN and not m.user.is_service_account]
    two_factor = users_with_two_factor([m.user_id for m in members])
    for member in members:
        member.active_tokens = counts.get(member.user_id, 0)
        member.has_two_factor = member.user_id in two_factor
        member.is_last_admin = human_admins == [member]
    can_manage = access.allows("members:write")
    context = caller.context() | {
        "members": members,
        "can_manage": can_manage,
        "roles": Role.choices,
        "is_last_admin": is_last_human_admin(caller.membership),
    }
    if can_manage:
        context["invitations"] = Invitation.objects.filter(
            account=account, accepted_at__isnull=True, cancelled_at__isnull=True
        ).select_related("invited_by")
    return render(request, "people/members.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@sudo_required()
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    caller = caller_for(request, slug, need="members:write")
    form = InviteForm(
        request.POST if request.method == "POST" else None,
        initial=prefill(request, InviteForm, request.path),
    )
    if request.method == "POST" and form.is_valid():
        with form_refusals(form, {"email": "email", "role": "role"}):
            invitation, _ = invitation_create(
                account=caller.account, actor=actor_from_request(request), **form.cleaned_data
            )
            messages.success(
                request, f"Invitation sent to {invitation.email}. It is valid for 7 days."
            )
            return redirect("people:members", slug=slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "people/invite.html", caller.context() | {"form": form}, status=status)


def _invitation(caller: Caller, pk: int) -> Invitation:
    return get_object_or_404(Invitation.objects.filter(account=caller.account), pk=pk)


@login_required
@require_POST
def invitation_resend_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    caller = caller_for(request, slug, need="members:write")
    try:
        invitation, _ = invitation_resend(
            invitation=_invitation(caller, pk), actor=actor_from_request(request)
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"A new link was sent to {invitation.email}.")
    return redirect("people:members", slug=slug)


@login_required
@require_POST
def invitation_cancel_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    caller = caller_for(request, slug, need="members:write")
    try:
        invitation = invitation_cancel(
            invitation=_invitation(caller, pk), actor=actor_from_request(request)
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"The invitation of {invitation.email} is cancelled; its link stops working."
        )
    return redirect("people:members", slug=slug)


def _member(caller: Caller, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.filter(account=caller.account).select_related("user"), pk=pk
    )


@login_required
@require_POST
@sudo_required(back="people:members")
def role_change(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    caller = caller_for(request, slug, need="members:write")
    target = _member(caller, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
        return redirect("people:members", slug=slug)
    try:
        changed = member_change_role(
            membership=target, role=form.cleaned_data["role"], actor=actor_from_request(request)
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        name = changed.user.get_full_name()
        messages.success(request, f"{name} is now {changed.get_role_display().lower()}.")
    return redirect("people:members", slug=slug)


def _removal(request: HttpRequest, caller: Caller, target: Membership) -> HttpResponse:
    """GET: a confirmation saying how many tokens stop working. POST: remove."""
    leaving = target.pk == caller.membership.pk
    slug = caller.account.slug
    if request.method == "GET":
        context = caller.context() | {
            "target": target,
            "leaving": leaving,
            "active_tokens": _active_tokens(caller.account, [target.user_id]).get(
                target.user_id, 0
            ),
            "blocked": is_last_human_admin(target),
        }
        return render(request, "people/remove_confirm.html", context)
    try:
        member_remove(membership=target, actor=actor_from_request(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("people:members", slug=slug)
    if leaving:
        messages.success(request, f"You left {caller.account.name}.")
        return redirect("home")
    messages.success(
        request, f"{target.user.get_full_name()} was removed; their tokens no longer work."
    )
    return redirect("people:members", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
@sudo_required()
def member_remove_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    caller = caller_for(request, slug)
    target = _member(caller, pk)
    if target.pk == caller.membership.pk:
        return redirect("people:leave", slug=slug)
    with form_refusals():
        caller.access.require("members:write")
    return _removal(request, caller, target)


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    """Any member may leave, whatever their role; the last human admin is refused."""
    caller = caller_for(request, slug)
    return _removal(request, caller, caller.membership)
