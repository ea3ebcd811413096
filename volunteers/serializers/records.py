"""API serializers of hour disputes and certificates. Input serializers shape and type-check;
the rules live in volunteers.services.disputes and volunteers.services.certificates."""

from __future__ import annotations

from rest_framework import serializers

from portal.privacy import redact_identifiers
from volunteers.models import Certificate, HourDispute
from volunteers.serializers.core import HourRecordSerializer

# --- Disputes -----------------------------------------------------------------------------------


class HourDisputeWriteSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
    claimed_start = serializers.DateTimeField()
    claimed_end = serializers.DateTimeField()


class HourDisputeResolutionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["uphold", "dismiss"])
    resolution = serializers.CharField(max_length=1000)
    # Upholding: the corrected period; the volunteer's claim when left out.
    start = serializers.DateTimeField(required=False, allow_null=True)
    end = serializers.DateTimeField(required=False, allow_null=True)


class HourDisputeSerializer(serializers.ModelSerializer):
    """A dispute as its volunteer sees it."""

    record = HourRecordSerializer()

    class Meta:
        model = HourDispute
        fields = [
            "id",
            "record",
            "reason",
            "claimed_start",
            "claimed_end",
            "status",
            "resolution",
            "resolved_at",
            "created_at",
        ]
        read_only_fields = fields


class ManagedHourDisputeSerializer(HourDisputeSerializer):
    """A dispute as the organiser sees it: the volunteer's number and masked name, and the
    reason with any phone or ID number in it masked."""

    volunteer_number = serializers.CharField(source="volunteer.number")
    volunteer_name = serializers.CharField(source="volunteer.masked_name")
    reason = serializers.SerializerMethodField()

    class Meta(HourDisputeSerializer.Meta):
        fields = [*HourDisputeSerializer.Meta.fields, "volunteer_number", "volunteer_name"]
        read_only_fields = fields

    def get_reason(self, obj) -> str:
        return redact_identifiers(obj.reason)


# --- Certificates -------------------------------------------------------------------------------


class VolunteerCertificateIssueSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()


class VolunteerCertificateLineSerializer(serializers.Serializer):
    date = serializers.DateField()
    activity = serializers.CharField()
    organisation = serializers.CharField()
    domain = serializers.CharField()
    minutes = serializers.IntegerField()


class VolunteerCertificateSerializer(serializers.ModelSerializer):
    """A certificate as its holder sees it, with the lines it certifies."""

    hours = serializers.CharField(help_text="Total hours, one decimal (e.g. `12.5`).")
    valid = serializers.BooleanField(source="is_valid")
    lines = VolunteerCertificateLineSerializer(many=True)

    class Meta:
        model = Certificate
        fields = [
            "id",
            "code",
            "period_start",
            "period_end",
            "minutes",
            "hours",
            "activity_count",
            "lines",
            "issued_at",
            "revoked_at",
            "valid",
        ]
        read_only_fields = fields


class VolunteerCertificateVerifyQuerySerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=40, help_text="The certificate's code, e.g. `7KQM-X2ZD-HP4N` (any case)."
    )


class VolunteerCertificateVerificationSerializer(serializers.Serializer):
    """What anyone learns from a code: no ID number, no phone; name and number masked."""

    code = serializers.CharField()
    holder = serializers.CharField(help_text="The holder's name, masked (王*芳).")
    volunteer_number = serializers.CharField(help_text="Masked but for the first/last four.")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    minutes = serializers.IntegerField()
    hours = serializers.CharField()
    activity_count = serializers.IntegerField()
    issued_on = serializers.DateField()
    valid = serializers.BooleanField()
    revoked_on = serializers.DateField(allow_null=True)
