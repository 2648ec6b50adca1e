import functools
import ipaddress
from typing import ClassVar, cast

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

# An account's maximum token lifetime, in days: from one day to ten years.
MIN_TOKEN_LIFETIME_DAYS, MAX_TOKEN_LIFETIME_DAYS = 1, 3650


# Allowed client addresses of a token or of every token of an account: addresses or CIDR ranges.
MAX_ALLOWED_IPS = 20


def normalize_networks(values: list[str]) -> list[str]:
    """Addresses and CIDR ranges, IPv4 or IPv6, in their canonical form (`10.0.0.7/8` →
    `10.0.0.0/8`, a bare address as itself, IPv4-mapped IPv6 as IPv4), without repeats.
    Raises ValueError naming the first entry that is neither."""
    if not isinstance(values, list):
        raise ValueError("A list of IP addresses or CIDR ranges.")
    if len(values) > MAX_ALLOWED_IPS:
        raise ValueError(f"At most {MAX_ALLOWED_IPS} addresses or ranges.")
    normalized: list[str] = []
    for value in values:
        try:
            network = ipaddress.ip_network(str(value).strip(), strict=False)
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or CIDR range.") from None
        if isinstance(network, ipaddress.IPv6Network) and network.network_address.ipv4_mapped:
            mapped = network.network_address.ipv4_mapped
            network = ipaddress.ip_network(f"{mapped}/{max(0, network.prefixlen - 96)}")
        text = str(network.network_address) if network.num_addresses == 1 else str(network)
        if text not in normalized:
            normalized.append(text)
    return normalized


def validate_networks(values) -> None:
    """The model fields' validator, so that forms (the support console) refuse bad lists."""
    try:
        normalize_networks(values)
    except ValueError as error:
        raise ValidationError(str(error)) from None


@functools.lru_cache(maxsize=4096)
def _networks(values: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(value) for value in values)


def ip_allowed(ip: str | None, allowed: list[str]) -> bool:
    """Whether the client address `ip` (normalised, as core.http.client_ip gives it) is within
    `allowed`; an empty list allows anywhere, an unknown address nowhere else."""
    if not allowed:
        return True
    if ip is None:
        return False
    address = ipaddress.ip_address(ip)
    return any(address in network for network in _networks(tuple(allowed)))


def normalize_email(email: str | None) -> str:
    """Emails are compared and stored in lower case: one address, one user."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = cast("User", self.model(email=normalize_email(email), **extra))
        user.set_password(password)  # None gives an unusable password
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        if not (extra["is_staff"] and extra["is_superuser"]):
            raise ValueError("A superuser needs is_staff and is_superuser.")
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str | None):
        return self.get(email=normalize_email(email))


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email, or a service account that only owns tokens."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_service_account = models.BooleanField(
        default=False,
        help_text="A non-login user that belongs to one account and owns integration tokens.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Support staff: may use the admin.")
    date_joined = models.DateTimeField(default=timezone.now)
    email_expiry_reminders = models.BooleanField(
        default=True,
        help_text="Mail reminders before this user's tokens expire. Security notices are always "
        "sent.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_any_case"),
            models.CheckConstraint(
                condition=models.Q(is_service_account=False)
                | models.Q(is_staff=False, is_superuser=False),
                name="service_account_is_not_staff",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email


# The choices of the inactivity policy, in days.
UNUSED_TOKEN_DAYS = [(days, f"{days} days") for days in (30, 60, 90, 180, 365)]


class Account(models.Model):
    """A tenant: one customer company, with its token policy."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    token_access_enabled = models.BooleanField(
        default=False, help_text="While off, every API request made with a token is refused."
    )
    members_can_create_tokens = models.BooleanField(
        default=False, help_text="When off, only admins create tokens."
    )
    token_max_lifetime_days = models.PositiveIntegerField(
        default=365,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(MIN_TOKEN_LIFETIME_DAYS),
            MaxValueValidator(MAX_TOKEN_LIFETIME_DAYS),
        ],
        help_text="Empty: tokens may be created without expiry.",
    )
    revoke_unused_after_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        choices=UNUSED_TOKEN_DAYS,
        help_text="Revoke tokens unused for this long, after a warning 7 days before. "
        "Empty: never.",
    )
    require_two_factor = models.BooleanField(
        default=False,
        help_text="Members without two-factor authentication must set it up before they use the "
        "account's pages or its session API. Tokens are not affected.",
    )
    token_allowed_ips = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_networks],
        help_text="Addresses or CIDR ranges every token of the account must be used from. "
        "Empty: anywhere.",
    )
    token_rate_limit_per_minute = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Requests per minute for each token without its own limit. Empty: the "
        "installation's default.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(token_max_lifetime_days__isnull=True)
                | models.Q(
                    token_max_lifetime_days__gte=MIN_TOKEN_LIFETIME_DAYS,
                    token_max_lifetime_days__lte=MAX_TOKEN_LIFETIME_DAYS,
                ),
                name="account_token_lifetime_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.slug


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    AGENT = "agent", "Agent"
    LIGHT_AGENT = "light_agent", "Light agent"


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="one_membership_per_account"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="known_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.account} ({self.role})"


class AuditAction(models.TextChoices):
    """Every audit action, named as SPEC sections 3 and 10 name them: webhooks and notifications
    subscribe to these names. `audit.record` refuses any other. (The webhook event
    account.token_access_changed stands for the two token-access actions; it is not one.)"""

    ACCOUNT_CREATED = "account.created"
    ACCOUNT_UPDATED = "account.updated"
    ACCOUNT_TOKEN_ACCESS_ENABLED = "account.token_access_enabled"
    ACCOUNT_TOKEN_ACCESS_DISABLED = "account.token_access_disabled"
    MEMBER_ADDED = "member.added"
    MEMBER_JOINED = "member.joined"
    MEMBER_ROLE_CHANGED = "member.role_changed"
    MEMBER_REMOVED = "member.removed"
    INVITATION_CREATED = "invitation.created"
    INVITATION_RESENT = "invitation.resent"
    INVITATION_CANCELLED = "invitation.cancelled"
    USER_CREATED = "user.created"
    USER_UPDATED = "user.updated"
    USER_DEACTIVATED = "user.deactivated"
    USER_REACTIVATED = "user.reactivated"
    TOKEN_CREATED = "token.created"
    TOKEN_UPDATED = "token.updated"
    TOKEN_ROTATED = "token.rotated"
    TOKEN_REVOKED = "token.revoked"
    TOKEN_LEAK_REPORTED = "token.leak_reported"
    TOKEN_EXPIRING = "token.expiring"
    TOKEN_EXPIRED = "token.expired"
    WEBHOOK_CREATED = "webhook.created"
    WEBHOOK_UPDATED = "webhook.updated"
    WEBHOOK_ENABLED = "webhook.enabled"
    WEBHOOK_DISABLED = "webhook.disabled"
    WEBHOOK_DELETED = "webhook.deleted"
    WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated"
    USER_TWO_FACTOR_ENABLED = "user.two_factor_enabled"
    USER_TWO_FACTOR_DISABLED = "user.two_factor_disabled"
    USER_RECOVERY_CODES_REGENERATED = "user.recovery_codes_regenerated"
    USER_RECOVERY_CODE_USED = "user.recovery_code_used"
    USER_SUDO_PASSED = "user.sudo_passed"


class AuditEvent(models.Model):
    """One change, as it happened. Never holds a secret: tokens appear as id and prefix."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept so the trail still names the actor after the user is deleted.
    actor_email = models.CharField(max_length=254, blank=True)
    actor_token_id = models.BigIntegerField(null=True, blank=True)
    actor_token_prefix = models.CharField(max_length=12, blank=True)
    account = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=40, blank=True)
    target_repr = models.CharField(max_length=254, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"], name="audit_account_newest")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.target_repr}"


class Event(models.Model):
    """The outbox: one domain event (SPEC §10), written in the transaction of its change and
    delivered to webhooks after commit. `data` is built from an allowlist: never a secret."""

    uid = models.CharField(max_length=40, unique=True)
    type = models.CharField(max_length=64, db_index=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="events")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    # Set for events that several workers may emit at once (the sweep's expiry events): the
    # unique key lets exactly one of them in.
    key = models.CharField(max_length=200, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.type} {self.uid}"
