from rest_framework import serializers

from providers.models import Provider


class ProviderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = ["id", "name", "credit_code", "division", "status", "created_at"]
        read_only_fields = fields
