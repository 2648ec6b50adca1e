"""Mail bodies are templates (templates/people/email/); links start from SITE_URL, never from the
request's Host header, which a client chooses."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from core.errors import ServiceError

logger = logging.getLogger(__name__)


def site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def send(*, to: str, template: str, context: dict) -> None:
    """Render templates/people/email/<template>_subject.txt and <template>.txt and send them.
    A mail server that refuses is a ServiceError, so the change that wanted the mail rolls back."""
    subject = " ".join(render_to_string(f"people/email/{template}_subject.txt", context).split())
    body = render_to_string(f"people/email/{template}.txt", context)
    try:
        send_mail(subject, body, None, [to])
    except (smtplib.SMTPException, OSError):
        logger.exception("Sending the %s mail failed", template)
        raise ServiceError(
            "The email could not be sent, so nothing was changed. Try again in a moment.",
            code="email_failed",
        ) from None


def send_invitation(invitation, secret: str) -> None:
    send(
        to=invitation.email,
        template="invitation",
        context={
            "invitation": invitation,
            "account": invitation.account,
            "inviter": invitation.invited_by,
            "link": site_link(reverse("people:invitation", args=[secret])),
        },
    )
