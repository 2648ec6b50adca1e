"""Users are looked up by their normalised email (`email=`, which uses the unique index) rather
than `email__iexact` (which cannot): every stored address is made normal once here. The unique
index on Lower(email) means no two addresses can collide."""

from django.db import migrations
from django.db.models.functions import Lower, Trim


def normalize_emails(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    normal = Lower(Trim("email"))
    User.objects.using(schema_editor.connection.alias).exclude(email=normal).update(email=normal)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_support_group")]

    operations = [migrations.RunPython(normalize_emails, migrations.RunPython.noop)]
