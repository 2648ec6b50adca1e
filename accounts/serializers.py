from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import (
    MAX_ALLOWED_IPS,
    MAX_TOKEN_LIFETIME_DAYS,
    MIN_TOKEN_LIFETIME_DAYS,
    UNUSED_TOKEN_DAYS,
    Account,
    AuditEvent,
    Membership,
    Role,
    User,
)
from core.text import (
    ACCOUNT_NAME_MAX_LENGTH,
    NAME_MAX_LENGTH,
    TextSerializerField,
    validate_visible,
)


class UserSummarySerializer(serializers.ModelSerializer):
    # A plain string: service accounts' addresses end in `.invalid`, which email validators
    # of generated clients refuse.
    email = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ("id", "email", "name", "is_service_account")
        read_only_fields = fields


class AccountSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ("slug", "name")
        read_only_fields = fields


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = (
            "slug",
            "name",
            "token_access_enabled",
            "members_can_create_tokens",
            "token_max_lifetime_days",
            "revoke_unused_after_days",
            "require_two_factor",
            "token_allowed_ips",
            "token_rate_limit_per_minute",
            "created_at",
        )
        read_only_fields = fields


class AccountUpdateSerializer(serializers.Serializer):
    """Validated with partial=True: every field is optional."""

    name = TextSerializerField(max_length=ACCOUNT_NAME_MAX_LENGTH, required=False)
    token_access_enabled = serializers.BooleanField(required=False)
    members_can_create_tokens = serializers.BooleanField(required=False)
    token_max_lifetime_days = serializers.IntegerField(
        required=False,
        min_value=MIN_TOKEN_LIFETIME_DAYS,
        max_value=MAX_TOKEN_LIFETIME_DAYS,
        allow_null=True,
        help_text="null: tokens may be created without expiry.",
    )
    revoke_unused_after_days = serializers.ChoiceField(
        choices=UNUSED_TOKEN_DAYS,
        required=False,
        allow_null=True,
        help_text="Revoke tokens unused for this many days, after a warning 7 days before; "
        "null: never.",
    )
    require_two_factor = serializers.BooleanField(
        help_text="Members without two-factor authentication are sent to set it up before they "
        "use the account's pages or session API; tokens are not affected."
    )
    token_allowed_ips = serializers.ListField(
        child=serializers.CharField(max_length=64),
        max_length=MAX_ALLOWED_IPS,
        help_text="IPv4/IPv6 addresses or CIDR ranges every token of the account must be used "
        "from; empty: anywhere.",
    )
    token_rate_limit_per_minute = serializers.IntegerField(
        min_value=1,
        max_value=1_000_000,
        allow_null=True,
        help_text="Requests per minute for each token without its own limit; null: the "
        "installation's default.",
    )


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ("id", "user", "role", "joined_at")
        read_only_fields = fields


INVITATIONS_ONLY = "People join by invitation: POST /api/v1/invitations."


class MemberCreateSerializer(serializers.Serializer):
    """Creates service accounts only. Adding a person by email would tell anyone with
    members:write whether that email has an account here (any tenant's, or staff), and would add
    them without asking; people are invited instead. Every body with `email` gets one answer."""

    service_account = serializers.BooleanField(
        help_text="Must be true: creates a non-login user that owns integration tokens."
    )
    name = TextSerializerField(max_length=NAME_MAX_LENGTH, help_text="The service account's name.")
    role = serializers.ChoiceField(choices=Role.choices)

    def to_internal_value(self, data):
        # Checked before the other fields, so the answer never depends on the rest of the body.
        if isinstance(data, dict) and "email" in data:
            raise serializers.ValidationError({"email": [INVITATIONS_ONLY]})
        return super().to_internal_value(data)

    def validate_service_account(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                "Only service accounts are created here. " + INVITATIONS_ONLY
            )
        return value


class MemberUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class MemberFilterSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)


class AuditEventFilterSerializer(serializers.Serializer):
    action = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=AuditEvent._meta.get_field("action").max_length,
        validators=[validate_visible],
    )


class AuditActorSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="null once the user is deleted.")
    email = serializers.CharField()


class AuditTargetSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()
    repr = serializers.CharField()


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()
    changes = serializers.JSONField(
        read_only=True, help_text="What changed: values, or `[old, new]` pairs, by name."
    )

    class Meta:
        model = AuditEvent
        fields = (
            "id",
            "created_at",
            "action",
            "actor",
            "actor_token_id",
            "actor_token_prefix",
            "target",
            "ip",
            "changes",
        )
        read_only_fields = fields

    @extend_schema_field(AuditActorSerializer(allow_null=True))
    def get_actor(self, event) -> dict | None:
        if event.actor_id is None and not event.actor_email:
            return None
        return {"id": event.actor_id, "email": event.actor_email}

    @extend_schema_field(AuditTargetSerializer(allow_null=True))
    def get_target(self, event) -> dict | None:
        if not event.target_type:
            return None
        return {"type": event.target_type, "id": event.target_id, "repr": event.target_repr}
