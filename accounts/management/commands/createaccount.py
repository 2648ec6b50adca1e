from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services
from accounts.audit import SYSTEM


class Command(BaseCommand):
    help = "Create an account and its first admin (an existing user with that email is reused)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", help="Generated and printed when omitted.")
        parser.add_argument(
            "--enable-token-access",
            action="store_true",
            help="Turn the account's token access on (it starts off).",
        )

    def handle(
        self, *args, slug, name, admin_email, admin_password, enable_token_access, **options
    ):
        try:
            with transaction.atomic():
                account, admin, generated = services.account_create(
                    slug=slug, name=name, admin_email=admin_email, admin_password=admin_password
                )
                if enable_token_access:
                    account = services.account_update(
                        account=account, actor=SYSTEM, token_access_enabled=True
                    )
        except services.ServiceError as exc:
            raise CommandError(exc.message) from None
        access = "on" if account.token_access_enabled else "off"
        self.stdout.write(
            f"Created account {account.slug!r} with admin {admin.email}; token access is {access}."
        )
        if generated:
            self.stdout.write(f"Password for {admin.email}: {generated}")
