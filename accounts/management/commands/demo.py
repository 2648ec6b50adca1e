from django.core.management.base import BaseCommand

from accounts import services
from accounts.models import Account

DEMO_SLUG = "demo"
DEMO_EMAIL = "admin@demo.example"


class Command(BaseCommand):
    help = "Make sure the demo account exists; print its admin's password the first time."

    def handle(self, *args, **options):
        if Account.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write(
                f"Demo account ready. Sign in as {DEMO_EMAIL}; to set a new password run:\n"
                f"  .venv/bin/python manage.py changepassword {DEMO_EMAIL}"
            )
            return
        _, admin, password = services.account_create(
            slug=DEMO_SLUG, name="Demo Company", admin_email=DEMO_EMAIL
        )
        self.stdout.write(
            f"Demo account created. Sign in at http://127.0.0.1:8000/login/ as\n"
            f"  email:    {admin.email}"
        )
        if password:
            self.stdout.write(f"  password: {password}   (shown once)")
