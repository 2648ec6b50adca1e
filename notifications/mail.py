"""Turning pending notices into mails, and sending each exactly once.

Why a notice counts as sent only once its mail is handed over, and why that cannot send twice:
`deliver` takes one recipient's pending notices under row locks (`SELECT … FOR UPDATE SKIP
LOCKED` on PostgreSQL), marks them sent, hands the mails to Django's mail backend and commits,
all in one transaction. The mark becomes visible only with the commit, after the hand-over; if
the backend fails, the transaction rolls back, the notices stay pending and the next sweep tries
again, so a failure delays a notice and never loses one. A concurrent sweep skips the locked
rows, and once the transaction commits they are no longer pending, so no two workers mail the
same notice. SQLite has no row locks, but it lets one transaction write at a time: the mark,
written before the mail goes out, is what makes a second worker fail instead of sending again.
The one window left is a crash after the mail server accepted a mail and before the commit;
then that mail is sent again, which beats losing it."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.models import EXPIRY_KINDS, REMINDER_KINDS, UNUSED_WARNING, Kind, Notice
from tokens.models import Token

logger = logging.getLogger(__name__)

SUBJECTS: dict[str, str] = {
    Kind.CREATED_FOR_YOU: "A new API token was created for you",
    Kind.LEAKED: "Your API token was revoked because it leaked",
    Kind.NEW_ADDRESS: "Your API token was used from a new address",
}
# Digest sections, most urgent first.
SECTIONS = [
    (Kind.EXPIRED, "Expired"),
    (Kind.EXPIRES_IN_1_DAY, "Expiring within a day"),
    (Kind.EXPIRES_IN_7_DAYS, "Expiring within 7 days"),
    (Kind.EXPIRES_IN_30_DAYS, "Expiring within 30 days"),
    (Kind.UNUSED, "To be revoked because they are not used"),
]


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def token_url(token: Token) -> str:
    """Where a mail sends people to look at a token, rotate or revoke it."""
    return site_url(reverse("tokens:page", kwargs={"slug": token.account.slug}))


class DeliveryError(Exception):
    """Some mails could not be sent (their notices stay pending for the next sweep)."""


def deliver(*, token_id: int | None = None) -> int:
    """Send every pending notice (or those of one token), one recipient at a time. Returns the
    number of mails sent; raises DeliveryError, after trying everyone, if some failed."""
    pending = Notice.objects.filter(sent_at__isnull=True)
    if token_id is not None:
        pending = pending.filter(token_id=token_id)
    sent, failed = 0, 0
    for recipient_id in sorted(set(pending.values_list("recipient_id", flat=True))):
        try:
            sent += _deliver_to(recipient_id, pending)
        except Exception:
            # One refused address must not hold back everyone else's mail.
            logger.exception("Could not mail user %s; their notices stay pending.", recipient_id)
            failed += 1
    if failed:
        raise DeliveryError(f"{failed} recipient(s) could not be mailed; {sent} mail(s) sent.")
    return sent


def _deliver_to(recipient_id: int, pending) -> int:
    with transaction.atomic():
        notices = list(
            pending.filter(recipient_id=recipient_id)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "token__account", "token__owner", "token__created_by")
        )
        if not notices:
            return 0  # another worker holds them
        now = timezone.now()
        current = [n for n in notices if _still_relevant(n)]
        # A reminder about a token revoked since, or anything for a deactivated user: dropped.
        Notice.objects.filter(pk__in=[n.pk for n in notices if n not in current]).delete()
        Notice.objects.filter(pk__in=[n.pk for n in current]).update(sent_at=now)
        messages = _compose(notices[0].recipient, current, now) if current else []
        if messages:
            get_connection().send_messages(messages)  # raises: everything above rolls back
        return len(messages)


def _still_relevant(notice: Notice) -> bool:
    return notice.recipient.is_active and (
        notice.kind not in REMINDER_KINDS or notice.token.revoked_at is None
    )


def _compose(recipient: User, notices: list[Notice], now: datetime) -> list[EmailMultiAlternatives]:
    reminders = [n for n in notices if n.kind in REMINDER_KINDS]
    messages = [_security_mail(recipient, n, now) for n in notices if n.kind not in REMINDER_KINDS]
    if reminders:
        messages.insert(0, _digest(recipient, reminders, now))
    return messages


def _item(notice: Notice, now: datetime) -> dict:
    token = notice.token
    item = {"token": token, "url": token_url(token), "notice": notice}
    if notice.kind == Kind.UNUSED:
        # The sweep revokes once the token is idle for the policy's days and this warning is
        # a week old, whichever comes later.
        days = timedelta(days=token.account.revoke_unused_after_days or 0)
        item["revoke_after"] = max(notice.period + days, now + UNUSED_WARNING)
    return item


def _digest(recipient: User, notices: list[Notice], now: datetime) -> EmailMultiAlternatives:
    sections = [
        {"title": title, "items": [_item(n, now) for n in notices if n.kind == kind]}
        for kind, title in SECTIONS
    ]
    context = {
        "recipient": recipient,
        "sections": [s for s in sections if s["items"]],
        "has_expiry": any(n.kind in EXPIRY_KINDS for n in notices),
        "settings_url": site_url(reverse("notifications:settings")),
    }
    count = len(notices)
    subject = (
        "One of your API tokens needs attention"
        if count == 1
        else f"{count} of your API tokens need attention"
    )
    return _message(recipient, subject, "notifications/email/digest", context, html=True)


def _security_mail(recipient: User, notice: Notice, now: datetime) -> EmailMultiAlternatives:
    context = {"recipient": recipient, **_item(notice, now)}
    return _message(recipient, SUBJECTS[notice.kind], f"notifications/email/{notice.kind}", context)


def _message(recipient: User, subject: str, template: str, context: dict, html: bool = False):
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"{template}.txt", context), to=[recipient.email]
    )
    if html:
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
