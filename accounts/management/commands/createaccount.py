from django.core.management.base import BaseCommand, CommandError

from accounts import services


class Command(BaseCommand):
    help = "Create an account and its first admin (an existing user with that email is reused)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", help="Generated and printed when omitted.")

    def handle(self, *args, slug, name, admin_email, admin_password, **options):
        try:
            account, admin, generated = services.account_create(
                slug=slug, name=name, admin_email=admin_email, admin_password=admin_password
            )
        except services.ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Created account {account.slug!r} with admin {admin.email}.")
        if generated:
            self.stdout.write(f"Password for {admin.email}: {generated}")
