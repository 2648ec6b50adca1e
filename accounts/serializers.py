from rest_framework import serializers

from accounts.models import Account, User


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
