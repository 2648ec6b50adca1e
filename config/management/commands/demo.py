"""The demo data `make run` shows a newcomer: it spans every app, so it lives above them all."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts import services
from accounts.audit import SYSTEM, Actor
from accounts.models import Account, Role, User
from people.services import invitation_accept, invitation_create
from tokens.services import token_issue

DEMO_SLUG = "demo"
DEMO_EMAIL = "admin@demo.example"
# A second member, who joined by accepting an invitation, and a pending invitation, so the
# Members page shows each of its parts.
MEMBER_EMAIL = "agent@demo.example"
INVITED_EMAIL = "newcomer@demo.example"


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
        as_admin = Actor(user=admin)
        member = User.objects.filter(email=MEMBER_EMAIL).first() or User.objects.create_user(
            MEMBER_EMAIL, services.generate_password(), name="Alex Agent"
        )
        invitation, _ = invitation_create(
            account=account, email=MEMBER_EMAIL, role=Role.AGENT, actor=as_admin
        )
        invitation_accept(invitation=invitation, user=member, actor=Actor(user=member))
        invitation_create(account=account, email=INVITED_EMAIL, role=Role.AGENT, actor=as_admin)
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
