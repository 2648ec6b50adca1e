import base64
import secrets

from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import Account, Event


def new_secret_salt() -> str:
    return secrets.token_hex(32)


class Endpoint(models.Model):
    """A URL of an account that receives signed events of the types in `events`."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    # Not the secret: see signing_secret().
    secret_salt = models.CharField(max_length=64, default=new_secret_salt)
    # When the current run of failed attempts began; None after a success.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url

    @property
    def signing_secret(self) -> str:
        """The Standard Webhooks secret (`whsec_…`) this endpoint's deliveries are signed with.

        Signing needs the secret itself, so unlike a token's it cannot be stored as a one-way
        digest. It is not stored at all: it is an HMAC-SHA256 of a random per-endpoint salt
        under a key derived from SECRET_KEY. The database alone (a backup, a read-only leak,
        the admin) therefore reveals nothing that signs; rotating the secret draws a new salt.
        Changing SECRET_KEY changes every endpoint's secret: rotate them and hand them out again.
        """
        key = salted_hmac("webhooks.Endpoint.signing_secret", self.secret_salt).digest()
        return "whsec_" + base64.b64encode(key).decode()


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One attempt to deliver one event to one endpoint. A failed attempt that will be retried
    names the time in `next_retry_at`, and the next attempt is a row of its own."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    attempt = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    scheduled_at = models.DateTimeField(default=timezone.now)
    attempted_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    next_retry_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "endpoint", "attempt"], name="one_delivery_per_attempt"
            ),
        ]
        indexes = [models.Index(fields=["endpoint", "-scheduled_at"], name="delivery_log")]

    def __str__(self) -> str:
        return f"{self.event.uid} to {self.endpoint_id}, attempt {self.attempt}: {self.status}"
