"""The "Support" group made by the data migration: exactly what support staff need."""

from accounts.models import User


def test_support_group_has_exactly_the_support_permissions(support_group):
    perms = {f"{p.content_type.app_label}.{p.codename}" for p in support_group.permissions.all()}
    assert perms == {
        "accounts.view_account",
        "accounts.change_account",
        "accounts.view_user",
        "accounts.change_user",
        "accounts.view_membership",
        "accounts.view_auditevent",
        "tokens.view_token",
        "tokens.change_token",
    }


def test_staff_in_the_group_is_no_superuser_and_cannot_delete_anything(staff):
    staff = User.objects.get(pk=staff.pk)  # fresh permission cache
    assert not staff.is_superuser
    assert not any(".delete_" in p or ".add_" in p for p in staff.get_all_permissions())


def test_admin_index_shows_the_support_models_only(staff_client):
    models = {
        m["object_name"]
        for app in staff_client.get("/admin/").context["app_list"]
        for m in app["models"]
    }
    assert models == {"Account", "User", "Membership", "AuditEvent", "Token"}
