"""The "Support" group: what the operator's support staff need in the admin, and nothing more
(SPEC section 2: find an account, user or token; edit an account's policy; revoke; deactivate;
read the audit trail). Deleting, adding accounts or users, and editing members stay with
superusers. This migration grants accounts' permissions; tokens' own migration adds its
permissions to the same group.

Databases that already have the group (it used to be made by tokens' migration) keep it
unchanged: the permissions below are already granted."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Support"
PERMISSIONS = [
    "view_account",
    "change_account",
    "view_user",
    "change_user",
    "view_membership",
    "view_auditevent",
]


def grant(apps, schema_editor, label, codenames):
    """Add `label`'s `codenames` permissions to the Support group, creating both if needed."""
    db = schema_editor.connection.alias
    # Permissions are normally made after `migrate` finishes; this migration needs them now.
    app_config = apps.get_app_config(label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=db)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(db).get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.using(db).filter(content_type__app_label=label, codename__in=codenames)
    )


def create_support_group(apps, schema_editor):
    grant(apps, schema_editor, "accounts", PERMISSIONS)


def delete_support_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(
        name=GROUP
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_support_group, delete_support_group)]
