"""Input and output serializers. The signing secret appears only in NewEndpointSerializer."""

from rest_framework import serializers

from accounts.events import EVENT_TYPES
from webhooks.models import Delivery, Endpoint, Status


class EndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES))

    class Meta:
        model = Endpoint
        fields: tuple[str, ...] = (
            "id",
            "url",
            "description",
            "events",
            "enabled",
            "disabled_reason",
            "failing_since",
            "created_at",
        )
        read_only_fields: tuple[str, ...] = fields


class NewEndpointSerializer(EndpointSerializer):
    secret = serializers.SerializerMethodField(
        help_text="The signing secret (whsec_…). Shown only in this response; store it now."
    )

    class Meta(EndpointSerializer.Meta):
        fields = (*EndpointSerializer.Meta.fields, "secret")
        read_only_fields = fields

    def get_secret(self, obj) -> str:
        return self.context["secret"]


class EndpointCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES),
        allow_empty=False,
        max_length=len(EVENT_TYPES) * 2,
    )


class EndpointUpdateSerializer(EndpointCreateSerializer):
    enabled = serializers.BooleanField(required=False)


class DeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.CharField(source="event.uid", help_text="The webhook-id header.")
    event_type = serializers.CharField(source="event.type")
    status = serializers.ChoiceField(choices=Status.choices)

    class Meta:
        model = Delivery
        fields = (
            "id",
            "event_id",
            "event_type",
            "attempt",
            "status",
            "scheduled_at",
            "attempted_at",
            "response_code",
            "duration_ms",
            "next_retry_at",
            "error",
        )
        read_only_fields = fields
