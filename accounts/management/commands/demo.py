from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts import services
from accounts.audit import SYSTEM
from accounts.models import Account
from tokens.services import token_issue

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
        account, admin, password = services.account_create(
            slug=DEMO_SLUG, name="Demo Company", admin_email=DEMO_EMAIL
        )
        # Expiring within a day, so the worker started by `make run` mails a reminder at once.
        token_issue(
            account=account,
            owner=admin,
            description="Nightly export",
            actor=SYSTEM,
            expires_at=timezone.now() + timedelta(hours=20),
        )
        self.stdout.write(
            f"Demo account created. Sign in at http://127.0.0.1:8000/login/ as\n"
            f"  email:    {admin.email}"
        )
        if password:
            self.stdout.write(f"  password: {password}   (shown once)")
