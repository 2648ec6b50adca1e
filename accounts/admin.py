from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.urls import reverse
from django.utils.html import format_html

from accounts import services
from accounts.access import require_staff_deactivate, staff_may_edit_user
from accounts.audit import actor_from_request
from accounts.models import Account, AuditEvent, Membership, Role, User
from core.errors import AccessDenied


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "joined_at")
    readonly_fields = ("user", "role", "joined_at")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # members are added through the Membership admin, which audits the change

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def _account_filtered_link(model: str, account: Account, label: str) -> str:
    """A link to the changelist of `model` ("app_model"), filtered on `account`."""
    url = reverse(f"admin:{model}_changelist")
    return format_html(
        '<a href="{}?account__id__exact={}">{} of {}</a>', url, account.pk, label, account
    )


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    """Name and policy changes go through services.account_update: each is an audit event by the
    staff user. The slug is fixed once the account exists."""

    list_display = (
        "slug",
        "name",
        "token_access_enabled",
        "members_can_create_tokens",
        "token_max_lifetime_days",
        "created_at",
    )
    search_fields = ("slug", "name")
    list_filter = ("token_access_enabled", "members_can_create_tokens")
    fields = (
        "slug",
        "name",
        *services.POLICY_FIELDS,
        "created_at",
        "tokens_link",
        "audit_events_link",
    )
    readonly_fields = ("slug", "created_at", "tokens_link", "audit_events_link")
    inlines = [MembershipInline]

    @admin.display(description="Tokens")
    def tokens_link(self, account: Account) -> str:
        return _account_filtered_link("tokens_token", account, "Tokens")

    @admin.display(description="Audit trail")
    def audit_events_link(self, account: Account) -> str:
        return _account_filtered_link("accounts_auditevent", account, "Audit events")

    def has_add_permission(self, request) -> bool:
        # An account needs its first admin, whose generated password must be handed over once:
        # `manage.py createaccount` does that through services.account_create.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # no service closes an account; its tokens and members feed the audit trail

    def save_model(self, request, obj, form, change):
        services.account_update(
            account=obj,
            actor=actor_from_request(request),
            **{field: form.cleaned_data[field] for field in form.changed_data},
        )


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    ordering = ("email",)
    list_display = ("email", "name", "is_service_account", "is_active", "is_staff", "date_joined")
    list_filter = ("is_staff", "is_active", "is_service_account", "is_superuser")
    search_fields = ("email", "name")
    readonly_fields = ("last_login", "date_joined", "is_service_account")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name", "is_service_account")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "usable_password", "password1", "password2"),
            },
        ),
    )
    inlines = [MembershipInline]
    actions = ["deactivate_users"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Other staff change users only through the actions (see access.staff_may_edit_user).
        if obj is not None and not staff_may_edit_user(request.user):
            return False
        return super().has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or staff_may_edit_user(request.user):
            return fieldsets
        # Without the password summary, whose reset link is for superusers only.
        return [(None, {"fields": ("email",)}), *fieldsets[1:]]

    @admin.action(description="Deactivate selected users", permissions=["change"])
    def deactivate_users(self, request, queryset):
        actor = actor_from_request(request)
        count, refusals = 0, set()
        for user in queryset.filter(is_active=True):
            try:
                require_staff_deactivate(request.user, user)
            except AccessDenied as exc:
                refusals.add(exc.message)
                continue
            services.user_deactivate(user=user, actor=actor)
            count += 1
        for message in sorted(refusals):
            self.message_user(request, message, messages.WARNING)
        self.message_user(request, f"Deactivated {count} user(s).", messages.SUCCESS)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("user", "account", "role")

    def clean(self):
        data = super().clean()
        try:
            if self.instance.pk is None:
                if data.get("user") and data.get("account") and data.get("role"):
                    services.check_member_add(
                        account=data["account"], user=data["user"], role=data["role"]
                    )
            elif data.get("role") != Role.ADMIN and services.is_last_human_admin(self.instance):
                raise services.ServiceError(services.LAST_ADMIN_MESSAGE)
        except services.ServiceError as exc:
            raise forms.ValidationError(exc.message) from None
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Adds, role changes and removals go through the services, so each one is audited."""

    form = MembershipForm
    list_display = ("user", "account", "role", "joined_at")
    list_filter = ("role", "account")
    search_fields = ("user__email", "user__name", "account__slug", "account__name")
    list_select_related = ("user", "account")
    autocomplete_fields = ("user", "account")

    def get_readonly_fields(self, request, obj=None):
        return ("user", "account", "joined_at") if obj else ("joined_at",)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # removals go one by one, through the service
        return actions

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and services.is_last_human_admin(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        actor = actor_from_request(request)
        if change:
            services.member_change_role(membership=obj, role=obj.role, actor=actor)
        else:
            obj.pk = services.member_add(
                account=obj.account, user=obj.user, role=obj.role, actor=actor
            ).pk

    def delete_model(self, request, obj):
        services.member_remove(membership=obj, actor=actor_from_request(request))


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail is read-only for everyone, superusers included."""

    list_display = (
        "created_at",
        "action",
        "actor_email",
        "actor_token_prefix",
        "account",
        "target_repr",
        "ip",
    )
    list_filter = ("action", "account")
    search_fields = ("action", "actor_email", "actor_token_prefix", "target_repr", "account__slug")
    list_select_related = ("account",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
