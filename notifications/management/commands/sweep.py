from django.core.management.base import BaseCommand

from notifications.tasks import run_sweep


class Command(BaseCommand):
    help = (
        "Run the notifications sweep now, in this process: expiry reminders, the inactivity "
        "policy, and every pending notice. Safe beside running workers."
    )

    def handle(self, *args, **options):
        summary = run_sweep.call()
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in summary.items()))
