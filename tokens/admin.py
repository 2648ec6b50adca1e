"""The support console for tokens. Staff find, relabel and revoke tokens; they never add or delete
one, and never see a digest: it is in no form, list, read-only field, search or filter. A whole
token pasted into the search is looked up by its digest, which is neither shown nor kept."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from accounts.admin import RefusalsAdmin, UserAdmin
from accounts.audit import actor_from_request
from accounts.models import AuditEvent, User
from core.text import REASON_MAX_LENGTH, TextFormField
from tokens import crypto, services
from tokens.models import Status, Token


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value() in Status.values:
            return queryset.with_status(self.value())
        return queryset


class ExpiryFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expires"

    def lookups(self, request, model_admin):
        return [
            ("never", "Never"),
            ("7d", "Within 7 days"),
            ("30d", "Within 30 days"),
            ("later", "In more than 30 days"),
            ("past", "Already passed"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        week, month = now + timedelta(days=7), now + timedelta(days=30)
        conditions = {
            "never": Q(expires_at__isnull=True),
            "7d": Q(expires_at__gt=now, expires_at__lte=week),
            "30d": Q(expires_at__gt=now, expires_at__lte=month),
            "later": Q(expires_at__gt=month),
            "past": Q(expires_at__lte=now),
        }
        condition = conditions.get(self.value())
        return queryset if condition is None else queryset.filter(condition)


class RevokeReasonForm(forms.Form):
    reason = TextFormField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text="Recorded with each revocation in the audit trail.",
    )


def revoke_with_reason(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    tokens: QuerySet,
    title: str,
) -> TemplateResponse | None:
    """An admin action's confirmation step, like Django's delete confirmation: ask for a reason,
    then revoke every active token in `tokens`, each as an audit event naming the staff user.

    `queryset` holds the selected objects (tokens or users), carried through the confirmation."""
    form = RevokeReasonForm(request.POST if "confirm" in request.POST else None)
    if form.is_valid():
        count = services.tokens_revoke_all(
            tokens=tokens, actor=actor_from_request(request), reason=form.cleaned_data["reason"]
        )
        modeladmin.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "objects": queryset,
        "active_count": tokens.filter(revoked_at__isnull=True).count(),
        "form": form,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/tokens/revoke_confirmation.html", context)


def _short(moment, *, empty: str = "-") -> str:
    return format_date(timezone.localtime(moment), "Y-m-d H:i T") if moment else empty


TOKEN_DETAIL_FIELDS = (
    "prefix",
    "account",
    "owner",
    "created_by",
    "scope_list",
    "status",
    "created_at",
    "expires_at",
    "last_used_at",
    "last_used_ip",
    "revoked_at",
    "revoked_by",
    "revocation_reason",
    "replaced_by",
    "stops_at",
    "allowed_ips",
    "rate_limit_per_minute",
    "recent_ips",
)


@admin.register(Token)
class TokenAdmin(RefusalsAdmin):
    list_display = (
        "prefix",
        "description",
        "account",
        "owner",
        "status",
        "created",
        "expires",
        "last_used",
    )
    list_select_related = ("account", "owner")
    search_fields = ("prefix", "owner__email", "account__slug", "account__name", "description")
    list_filter = (StatusFilter, "account", ExpiryFilter)
    ordering = ("-created_at", "-id")
    # The unfiltered COUNT(*) is one more query over the whole table on every filtered page.
    show_full_result_count = False
    fields = ("description", *TOKEN_DETAIL_FIELDS)
    readonly_fields = TOKEN_DETAIL_FIELDS
    exclude = ("digest",)
    formfield_overrides = {models.CharField: {"form_class": TextFormField}}
    actions = ["revoke_selected"]

    # Short dates with their zone, so every column fits beside the filters at 1280 px.
    @admin.display(description="created at", ordering="created_at")
    def created(self, token: Token) -> str:
        return _short(token.created_at)

    @admin.display(description="expires at", ordering="expires_at")
    def expires(self, token: Token) -> str:
        return _short(token.expires_at, empty="Never")

    @admin.display(description="last used at", ordering="last_used_at")
    def last_used(self, token: Token) -> str:
        return _short(token.last_used_at, empty="Never")

    @admin.display(description="Scopes")
    def scope_list(self, token: Token) -> str:
        return ", ".join(token.scopes)

    @admin.display(description="Reason for revocation")
    def revocation_reason(self, token: Token) -> str:
        """The reason recorded with the revocation in the audit trail."""
        if token.revoked_at is None:
            return "-"
        event = (
            AuditEvent.objects.filter(target_type="token", target_id=str(token.pk))
            .filter(Q(action="token.revoked") | Q(action="token.leak_reported"))
            .first()
        )
        reason = event.changes.get("reason") if event is not None else None
        return reason or "No reason was recorded."

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if crypto.is_well_formed(term):
            # A whole token finds its row through the digest, like authentication does.
            return queryset.filter(digest=crypto.digest(term)), False
        return super().get_search_results(request, queryset, search_term)

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # Django accepts URL filters on any local field; `?digest__startswith=` would reveal the
        # digest one character at a time.
        if lookup.split(LOOKUP_SEP, 1)[0] == "digest":
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request) -> bool:
        return False  # tokens are made by their owners and account admins, never by staff

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # tokens are revoked; the rows stay for the audit trail

    def save_model(self, request, obj, form, change):
        # The form already set the new description on `obj`; the service compares against the
        # stored row, so it gets a fresh copy and records the change.
        services.token_update(
            token=Token.objects.select_related("account").get(pk=obj.pk),
            description=form.cleaned_data["description"],
            actor=actor_from_request(request),
        )

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke_selected(self, request, queryset):
        return revoke_with_reason(self, request, queryset, tokens=queryset, title="Revoke tokens")


class OwnedTokenInline(admin.TabularInline):
    """A user's tokens, read-only, on the user's admin page."""

    model = Token
    fk_name = "owner"
    fields = ("prefix", "description", "account", "status", "created_at", "expires_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    ordering = ("-created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# The user admin gains its tokens here, so that accounts never imports tokens.
class UserWithTokensAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, OwnedTokenInline]
    actions = [*UserAdmin.actions, "revoke_tokens"]

    def has_revoke_tokens_permission(self, request) -> bool:
        return request.user.has_perm("tokens.change_token")

    @admin.action(description="Revoke all tokens of selected users", permissions=["revoke_tokens"])
    def revoke_tokens(self, request, queryset):
        tokens = Token.objects.filter(owner__in=queryset)
        return revoke_with_reason(self, request, queryset, tokens=tokens, title="Revoke all tokens")


admin.site.unregister(User)
admin.site.register(User, UserWithTokensAdmin)
