from rest_framework import serializers

from accounts.models import (
    MAX_TOKEN_LIFETIME_DAYS,
    MIN_TOKEN_LIFETIME_DAYS,
    Account,
    AuditEvent,
    Membership,
    Role,
    User,
)


class UserSummarySerializer(serializers.ModelSerializer):
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
            "created_at",
        )
        read_only_fields = fields


class AccountUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    token_access_enabled = serializers.BooleanField()
    members_can_create_tokens = serializers.BooleanField()
    token_max_lifetime_days = serializers.IntegerField(
        min_value=MIN_TOKEN_LIFETIME_DAYS,
        max_value=MAX_TOKEN_LIFETIME_DAYS,
        allow_null=True,
        help_text="null: tokens may be created without expiry.",
    )


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ("id", "user", "role", "joined_at")
        read_only_fields = fields


class MemberCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, help_text="An existing user to add.")
    service_account = serializers.BooleanField(
        default=False, help_text="Create a non-login user that owns integration tokens."
    )
    name = serializers.CharField(
        max_length=150, required=False, help_text="The service account's name."
    )
    role = serializers.ChoiceField(choices=Role.choices)

    def validate(self, data):
        if data["service_account"]:
            if not data.get("name", "").strip():
                raise serializers.ValidationError({"name": ["A service account needs a name."]})
            if "email" in data:
                raise serializers.ValidationError(
                    {"email": ["A service account gets its own address; leave email out."]}
                )
        elif "email" not in data:
            raise serializers.ValidationError({"email": ["This field is required."]})
        return data


class MemberUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()

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

    def get_actor(self, event) -> dict | None:
        if event.actor_id is None and not event.actor_email:
            return None
        return {"id": event.actor_id, "email": event.actor_email}

    def get_target(self, event) -> dict | None:
        if not event.target_type:
            return None
        return {"type": event.target_type, "id": event.target_id, "repr": event.target_repr}
