"""API serializers of the providers app. Input serializers shape and type-check; the rules
are in providers.services, whose errors come back as field errors in the same shape."""

from __future__ import annotations

from rest_framework import serializers

from portal.privacy import mask_name
from providers.domains import Domain, LicenceKind
from providers.models import (
    Accessibility,
    Branch,
    Certificate,
    Licence,
    Provider,
    ReviewEvent,
    StaffMember,
)


class ProviderSerializer(serializers.ModelSerializer):
    """What anyone may see of an organisation."""

    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "credit_code",
            "division",
            "domains",
            "approved_domains",
            "status",
            "description",
            "contact_phone",
            "created_at",
        ]
        read_only_fields = fields


class ProviderDetailSerializer(ProviderSerializer):
    """For the organisation's members and the officials covering it."""

    legal_representative = serializers.CharField(read_only=True)

    class Meta(ProviderSerializer.Meta):
        fields = [
            *ProviderSerializer.Meta.fields,
            "legal_representative",
            "status_reason",
            "submitted_at",
            "decided_at",
            "standing",
        ]
        read_only_fields = fields


class ProviderWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    credit_code = serializers.CharField(min_length=18, max_length=18)
    division = serializers.CharField(max_length=9)
    domains = serializers.ListField(
        child=serializers.ChoiceField(choices=Domain.choices), allow_empty=True, max_length=7
    )
    legal_representative = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ReviewEvent.Action.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReviewEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewEvent
        fields = ["action", "from_status", "to_status", "reason", "at"]


class BranchSerializer(serializers.ModelSerializer):
    division = serializers.CharField(max_length=9)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6)
    accessibility = serializers.ListField(
        child=serializers.ChoiceField(choices=Accessibility.choices), required=False, max_length=8
    )

    class Meta:
        model = Branch
        fields = [
            "id",
            "name",
            "address",
            "division",
            "latitude",
            "longitude",
            "opening_hours",
            "beds",
            "places",
            "staff_capacity",
            "accessibility",
        ]
        read_only_fields = ["id"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["division"] = instance.division_id
        return data


class LicenceSerializer(serializers.ModelSerializer):
    is_valid = serializers.BooleanField(read_only=True)

    class Meta:
        model = Licence
        fields = [
            "id",
            "kind",
            "number",
            "issuer",
            "valid_from",
            "valid_until",
            "is_valid",
            "created_at",
        ]
        read_only_fields = fields


class LicenceUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LicenceKind.choices)
    number = serializers.CharField(max_length=60)
    issuer = serializers.CharField(max_length=100)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    scan = serializers.FileField(
        help_text="PDF, JPEG or PNG (read from the content), at most 5 MB."
    )


class CertificateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Certificate
        fields = ["id", "kind", "number", "issuer", "level", "issued_on", "expires_on"]
        read_only_fields = ["id"]


class StaffSerializer(serializers.ModelSerializer):
    """Members' and officials' view: full name, masked ID number."""

    certificates = CertificateSerializer(many=True, read_only=True)

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "name",
            "gender",
            "role",
            "id_number_masked",
            "years_of_experience",
            "languages",
            "health_certificate_expires",
            "background_check",
            "background_checked_on",
            "is_active",
            "certificates",
        ]
        read_only_fields = ["id", "id_number_masked", "certificates"]


class StaffWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(choices=StaffMember.Gender.choices)
    role = serializers.ChoiceField(choices=StaffMember.Role.choices)
    id_number = serializers.CharField(min_length=18, max_length=18, write_only=True)
    years_of_experience = serializers.IntegerField(min_value=0, max_value=60, default=0)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, max_length=10
    )
    health_certificate_expires = serializers.DateField(required=False, allow_null=True)
    background_check = serializers.ChoiceField(
        choices=StaffMember.BackgroundCheck.choices, default="not_checked"
    )
    background_checked_on = serializers.DateField(required=False, allow_null=True)


class PublicStaffSerializer(serializers.ModelSerializer):
    """What the public sees of a staff member: masked name, role, badges, experience."""

    name = serializers.SerializerMethodField()
    certificates = serializers.SerializerMethodField()
    background_verified = serializers.SerializerMethodField()

    class Meta:
        model = StaffMember
        fields = ["name", "role", "years_of_experience", "certificates", "background_verified"]

    def get_name(self, obj) -> str:
        return mask_name(obj.name)

    def get_certificates(self, obj) -> list[str]:
        return [c.kind for c in obj.certificates.all()]

    def get_background_verified(self, obj) -> bool:
        return obj.background_check == StaffMember.BackgroundCheck.VERIFIED


class VerificationLicenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    valid_until = serializers.DateField(allow_null=True)
    state = serializers.ChoiceField(choices=["valid", "expired"])


class VerificationResultSerializer(serializers.Serializer):
    """One verification answer: an organisation or a certificate, never personal contacts."""

    type = serializers.ChoiceField(choices=["organisation", "certificate"])
    state = serializers.CharField()
    state_label = serializers.CharField()
    name = serializers.CharField(required=False)
    credit_code = serializers.CharField(required=False)
    domains = serializers.ListField(child=serializers.CharField(), required=False)
    licences = VerificationLicenceSerializer(many=True, required=False)
    kind = serializers.CharField(required=False)
    number = serializers.CharField(required=False)
    holder = serializers.CharField(required=False)
    level = serializers.CharField(required=False, allow_blank=True)
    issuer = serializers.CharField(required=False)
    expires_on = serializers.DateField(required=False, allow_null=True)
    provider = serializers.CharField(required=False, allow_null=True)


class VerifyQuerySerializer(serializers.Serializer):
    code = serializers.CharField(max_length=60, min_length=4)


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
