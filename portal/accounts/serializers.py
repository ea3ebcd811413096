"""API serializers for accounts and divisions."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from portal.accounts.models import Division, User
from portal.identifiers import normalize_mobile


class PhoneSerializerField(serializers.CharField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return normalize_mobile(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages[0], code="invalid_phone") from None


class SignupSerializer(serializers.Serializer):
    phone = PhoneSerializerField(max_length=20)
    name = serializers.CharField(max_length=50)
    password = serializers.CharField(write_only=True, min_length=8, max_length=128)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    consent_version = serializers.CharField(
        max_length=20, help_text="The privacy notice version the person agreed to."
    )


class TokenObtainSerializer(serializers.Serializer):
    phone = PhoneSerializerField(max_length=20)
    password = serializers.CharField(write_only=True, max_length=128)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class UserSerializer(serializers.ModelSerializer):
    # Only officials have a department; everyone else's is "" (a read-only model field would not
    # say so in the schema).
    department = serializers.ChoiceField(
        choices=User.Department.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = User
        fields = [
            "id",
            "phone",
            "name",
            "email",
            "role",
            "jurisdiction",
            "department",
            "elder_mode",
            "date_joined",
        ]
        read_only_fields = ["id", "phone", "role", "jurisdiction", "department", "date_joined"]


class ErasureSerializer(serializers.Serializer):
    password = serializers.CharField(write_only=True, max_length=128)


class DivisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Division
        fields = ["code", "name", "level", "parent", "latitude", "longitude"]
