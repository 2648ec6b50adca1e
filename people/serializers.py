from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Role
from people.models import Invitation, InvitationStatus


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)


class InviterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.CharField()
    name = serializers.CharField()


class InvitationSerializer(serializers.ModelSerializer):
    """What an admin sees of an invitation. Never the link's secret or its digest."""

    status = serializers.ChoiceField(choices=InvitationStatus.choices, read_only=True)
    invited_by = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ("id", "email", "role", "status", "invited_by", "created_at", "expires_at")
        read_only_fields = fields

    @extend_schema_field(InviterSerializer(allow_null=True))
    def get_invited_by(self, invitation) -> dict | None:
        user = invitation.invited_by
        return None if user is None else {"id": user.pk, "email": user.email, "name": user.name}
