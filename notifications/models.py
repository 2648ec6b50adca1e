from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Kind(models.TextChoices):
    EXPIRES_IN_30_DAYS = "expires_30d", "Expires within 30 days"
    EXPIRES_IN_7_DAYS = "expires_7d", "Expires within 7 days"
    EXPIRES_IN_1_DAY = "expires_1d", "Expires within a day"
    EXPIRED = "expired", "Expired"
    UNUSED = "unused", "To be revoked as unused"
    CREATED_FOR_YOU = "created_for_you", "Created for you by someone else"
    LEAKED = "leaked", "Revoked as leaked"
    NEW_ADDRESS = "new_address", "Used from a new address"


# Reminders go out in one digest per recipient; each security notice is a mail of its own.
EXPIRY_KINDS = frozenset(
    {Kind.EXPIRES_IN_30_DAYS, Kind.EXPIRES_IN_7_DAYS, Kind.EXPIRES_IN_1_DAY, Kind.EXPIRED}
)
REMINDER_KINDS = EXPIRY_KINDS | {Kind.UNUSED}
# An unused token is revoked no sooner than this after its owner was warned.
UNUSED_WARNING = timedelta(days=7)


class Notice(models.Model):
    """One notice to one recipient about one token. The unique constraint makes each occurrence
    (a token's expiry stage, idle period, leak, or day of use from a new address) exist once per
    recipient however many sweeps record it at the same moment; `sent_at` stays empty until the
    mail has been handed to the mail backend."""

    token = models.ForeignKey("tokens.Token", on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Which occurrence: the expiry, the start of the idle period, the revocation, the day.
    period = models.DateTimeField()
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["token", "kind", "period", "recipient"], name="one_notice_per_occurrence"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient"], condition=Q(sent_at__isnull=True), name="notice_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.token_id} to {self.recipient_id}"
