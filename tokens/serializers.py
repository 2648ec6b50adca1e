"""Input and output serializers, kept apart so that nothing hidden (the digest) can leak
through a shared ModelSerializer. The secret appears only in NewTokenSerializer."""

from rest_framework import serializers

from accounts.access import SCOPES
from accounts.models import MAX_ALLOWED_IPS, Role
from accounts.serializers import AccountSummarySerializer, UserSummarySerializer
from core.text import DESCRIPTION_MAX_LENGTH, TextSerializerField
from tokens.models import Status, Token
from tokens.services import (
    DEFAULT_GRACE_SECONDS,
    MAX_GRACE_SECONDS,
    MAX_RATE_LIMIT_PER_MINUTE,
)

MAX_ID = 2**63 - 1


class RecentAddressSerializer(serializers.Serializer):
    ip = serializers.CharField()
    last_seen = serializers.CharField(help_text="ISO 8601")


class TokenSerializer(serializers.ModelSerializer):
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    created_by = UserSummarySerializer(read_only=True, allow_null=True)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPES), read_only=True)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    replaced_by = serializers.IntegerField(
        source="replaced_by_id",
        read_only=True,
        allow_null=True,
        help_text="The id of the token that replaced this one by rotation.",
    )
    stops_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="A replaced token works until then: the overlap's latest end, brought forward "
        "to the grace period after the new token's first use.",
    )

    allowed_ips = serializers.ListField(child=serializers.CharField(), read_only=True)
    recent_ips = RecentAddressSerializer(many=True, read_only=True)

    class Meta:
        model = Token
        fields = (
            "id",
            "description",
            "prefix",
            "owner",
            "scopes",
            "created_at",
            "created_by",
            "expires_at",
            "last_used_at",
            "last_used_ip",
            "revoked_at",
            "status",
            "replaced_by",
            "stops_at",
            "allowed_ips",
            "rate_limit_per_minute",
            "recent_ips",
        )
        read_only_fields = fields


class NewTokenSerializer(TokenSerializer):
    token = serializers.SerializerMethodField(
        help_text="The secret. Shown only in this response; store it now."
    )

    class Meta(TokenSerializer.Meta):
        fields = (*TokenSerializer.Meta.fields, "token")
        read_only_fields = fields

    def get_token(self, obj) -> str:
        return self.context["secret"]


class TokenCreateSerializer(serializers.Serializer):
    description = TextSerializerField(max_length=DESCRIPTION_MAX_LENGTH)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=SCOPES),
        required=False,
        allow_empty=False,
        max_length=len(SCOPES) * 4,
        help_text="Default: every scope (the token's power is still capped by its owner's role).",
    )
    expires_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Default: the account's maximum lifetime. null: never, if the policy allows.",
    )
    owner_id = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="The user the token acts as. Default: the caller. Admins only for others.",
    )


class TokenUpdateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=200, required=False)
    expires_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Admins only: within the account's maximum lifetime counted from now; "
        "null: never, if the policy allows.",
    )

    allowed_ips = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=MAX_ALLOWED_IPS,
        help_text="IPv4/IPv6 addresses or CIDR ranges the token may be used from; empty: "
        "anywhere (the account's token_allowed_ips apply as well).",
    )
    rate_limit_per_minute = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_RATE_LIMIT_PER_MINUTE,
        help_text="Admins only. null: the account's limit, then the installation's default.",
    )

    def validate(self, data):
        if not data:
            raise serializers.ValidationError(
                "Send at least one of description, expires_at, allowed_ips, rate_limit_per_minute."
            )
        return data


class TokenRotateSerializer(serializers.Serializer):
    grace_seconds = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_GRACE_SECONDS,
        default=DEFAULT_GRACE_SECONDS,
        help_text="How long the old token keeps working after the new one's first use "
        "(never more than 7 days after the rotation nor past its expiry); 0 stops it at once.",
    )


class TokenFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    owner = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Owner's user id"
    )


class TokenSummarySerializer(serializers.ModelSerializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPES), read_only=True)

    class Meta:
        model = Token
        fields = ("id", "description", "scopes", "expires_at")
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    user = UserSummarySerializer()
    account = AccountSummarySerializer()
    role = serializers.ChoiceField(choices=Role.choices)
    token = TokenSummarySerializer(allow_null=True)


class RevokeLeakedSerializer(serializers.Serializer):
    tokens = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=10_000),
        max_length=1000,
        help_text="Up to 1000 strings that may be tokens.",
    )


class LeakReceiptSerializer(serializers.Serializer):
    received = serializers.IntegerField()
