"""Tokens' share of the "Support" group (accounts' migration 0002 describes the group): support
staff find and revoke tokens. No dependency on that migration: databases made before it existed
have this one applied already, and either migration creates the group if it is missing."""

from importlib import import_module

from django.db import migrations

support = import_module("accounts.migrations.0002_support_group")

PERMISSIONS = ["view_token", "change_token"]


def grant_token_permissions(apps, schema_editor):
    support.grant(apps, schema_editor, "tokens", PERMISSIONS)


def revoke_token_permissions(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.using(db).filter(name=support.GROUP):
        group.permissions.remove(
            *Permission.objects.using(db).filter(
                content_type__app_label="tokens", codename__in=PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("tokens", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_token_permissions, revoke_token_permissions)]
