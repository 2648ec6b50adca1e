"""Failed sign-ins (the login page and the admin's) get a log line, like failed tokens."""

import logging

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from core.http import client_ip

logger = logging.getLogger(__name__)


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    # Neither the email nor the password: people type passwords into the email field.
    logger.warning(
        "sign-in failed",
        extra={
            "event": "auth.failed",
            "reason": "bad_credentials",
            "client_ip": client_ip(request) if request is not None else None,
        },
    )
