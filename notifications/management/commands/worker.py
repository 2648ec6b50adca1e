import logging
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

from notifications.tasks import schedule_sweep

logger = logging.getLogger(__name__)


def _schedule_forever() -> None:
    while True:
        try:
            schedule_sweep()
        except Exception:
            logger.exception("Could not enqueue the sweep; trying again in the next period.")
        finally:
            connections.close_all()  # this thread's connection, idle until the next period
        time.sleep(settings.SWEEP_SECONDS)


class Command(BaseCommand):
    help = (
        "Run a job worker (django-tasks-db's db_worker) that also enqueues the sweep every "
        "SWEEP_SECONDS. Run as many as you like: with a shared cache one sweep is enqueued per "
        "period, and a sweep is safe to run twice anyway."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule-only",
            action="store_true",
            help="Only enqueue the sweep, for a backend whose workers are started otherwise.",
        )

    def handle(self, *args, schedule_only: bool, verbosity: int, **options):
        if schedule_only:
            _schedule_forever()
        threading.Thread(target=_schedule_forever, name="sweep-scheduler", daemon=True).start()
        call_command("db_worker", reload=False, verbosity=verbosity)
