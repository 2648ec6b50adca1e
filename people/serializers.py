from rest_framework import serializers

from accounts.models import Role
from people.models import Invitation, InvitationStatus


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationSerializer(serializers.ModelSerializer):
    """What an admin sees of an invitation. Never the link's secret or its digest."""

    status = serializers.ChoiceField(choices=InvitationStatus.choices, read_only=True)
    invited_by = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ("id", "email", "role", "status", "invited_by", "created_at", "expires_at")
        read_only_fields = fields

    def get_invited_by(self, invitation) -> dict | None:
        user = invitation.invited_by
        return None if user is None else {"id": user.pk, "email": user.email, "name": user.name}
