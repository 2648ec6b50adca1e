from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.access import Access
from accounts.models import Account

RECENT_IPS = 5


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class TokenQuerySet(models.QuerySet):
    def for_account(self, account: Account) -> "TokenQuerySet":
        return self.filter(account=account)

    def visible_to(self, access: Access) -> "TokenQuerySet":
        """The tokens `access` may see (accounts.access decides); the rest is a 404."""
        return self.filter(**access.token_filter()).select_related("owner", "created_by")

    def with_status(self, status: str, now: datetime | None = None) -> "TokenQuerySet":
        now = now or timezone.now()
        # A replaced token past its overlap counts as revoked before anyone has noticed.
        stopped = Q(revoked_at__isnull=False) | Q(stops_at__lte=now)
        if status == Status.REVOKED:
            return self.filter(stopped)
        if status == Status.EXPIRED:
            return self.filter(~stopped, expires_at__lte=now)
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), ~stopped)

    def active(self, now: datetime | None = None) -> "TokenQuerySet":
        return self.with_status(Status.ACTIVE, now)


class Token(models.Model):
    """An API token. Only the SHA-256 digest of the secret is stored, never the secret."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tokens")
    # SET_NULL: a deleted owner's tokens are revoked first and kept for the audit trail.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="tokens"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    description = models.CharField(max_length=200)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Rotation with overlap: the old token names its successor and works until `stops_at`, the
    # latest instant the overlap allows, brought forward to `rotation_grace` after the new
    # token's first use.
    replaced_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces"
    )
    rotation_grace = models.DurationField(null=True, blank=True)
    stops_at = models.DateTimeField(null=True, blank=True)
    # Addresses or CIDR ranges (accounts.models.normalize_networks) it may be used from; empty:
    # anywhere. The account's token_allowed_ips apply as well.
    allowed_ips = models.JSONField(default=list, blank=True)
    # Null: the account's token_rate_limit_per_minute, then THROTTLE_RATES["token"].
    rate_limit_per_minute = models.PositiveIntegerField(null=True, blank=True)
    # The last RECENT_IPS distinct client addresses, newest first: [{"ip", "last_seen"}].
    recent_ips = models.JSONField(default=list, blank=True)

    objects = TokenQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["account", "owner"], name="token_account_owner")]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.description}"

    def status_at(self, now: datetime) -> str:
        if self.revoked_at is not None or self.has_stopped(now):
            return Status.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return Status.EXPIRED
        return Status.ACTIVE

    def has_stopped(self, now: datetime) -> bool:
        """Whether this replaced token's overlap is over."""
        return self.stops_at is not None and self.stops_at <= now

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())
