from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.access import SCOPES
from accounts.audit import SYSTEM
from accounts.models import Account, User, normalize_email
from core.errors import ServiceError
from tokens import services


class Command(BaseCommand):
    help = "Create an API token for a member of an account and print its secret (once)."

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, help="Account slug")
        parser.add_argument("--owner", required=True, help="Email of the member the token acts as")
        parser.add_argument("--description", required=True)
        parser.add_argument("--scopes", nargs="+", choices=SCOPES, help="Default: all scopes")
        parser.add_argument(
            "--expires-in-days", type=int, help="Default: the account's maximum lifetime"
        )

    def handle(self, *args, account, owner, description, scopes, expires_in_days, **options):
        account_obj = Account.objects.filter(slug=account).first()
        if account_obj is None:
            raise CommandError(f"No account with the slug {account!r}.")
        owner_obj = User.objects.filter(email=normalize_email(owner)).first()
        if owner_obj is None:
            raise CommandError(f"No user with the email {owner!r}.")
        kwargs = {}
        if expires_in_days is not None:
            if expires_in_days < 1:
                raise CommandError("--expires-in-days must be at least 1.")
            kwargs["expires_at"] = timezone.now() + timedelta(days=expires_in_days)
        try:
            issued = services.token_issue(
                account=account_obj,
                owner=owner_obj,
                description=description,
                scopes=scopes,
                actor=SYSTEM,
                **kwargs,
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        token = issued.token
        expiry = token.expires_at.isoformat() if token.expires_at else "never"
        self.stderr.write(
            f"Token {token.prefix}… for {owner_obj.email} in {account_obj.slug}, "
            f"expires {expiry}. The secret below is shown once:"
        )
        self.stdout.write(issued.secret)
        if not account_obj.token_access_enabled:
            self.stderr.write(
                self.style.WARNING(
                    f"Token access is off for {account_obj.slug}: the token is refused (403) "
                    "until an account admin turns it on."
                )
            )
