"""API serializers of the volunteers app. Input serializers shape and type-check; the rules
live in volunteers.services, whose errors come back as field errors in the same shape."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.privacy import mask_name, mask_phone, redact_identifiers
from volunteers.models import (
    Activity,
    ActivityDomain,
    HourRecord,
    Member,
    Organisation,
    Position,
    Signup,
    Skill,
    TimeOfWeek,
    Volunteer,
)

# --- Volunteers ---------------------------------------------------------------------------------


class VolunteerRegisterSerializer(serializers.Serializer):
    real_name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=18, write_only=True)
    phone = serializers.CharField(max_length=20)
    division = serializers.CharField(max_length=12)
    skills = serializers.ListField(
        child=serializers.ChoiceField(choices=Skill.choices), required=False, max_length=15
    )
    languages = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, max_length=10
    )
    available_times = serializers.ListField(
        child=serializers.ChoiceField(choices=TimeOfWeek.choices), required=False, max_length=6
    )
    consent_version = serializers.CharField(max_length=20)
    guardian_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    guardian_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    guardian_consent = serializers.BooleanField(required=False, default=False)


class VolunteerSelfSerializer(serializers.ModelSerializer):
    """What a volunteer sees of their own record (the ID number only masked, as stored)."""

    division = serializers.CharField(source="division_id")

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "number",
            "real_name",
            "id_number_masked",
            "birth_date",
            "phone",
            "skills",
            "languages",
            "available_times",
            "division",
            "consent_version",
            "consented_at",
            "guardian_name",
            "guardian_phone",
            "guardian_consent",
            "created_at",
        ]
        read_only_fields = fields


class VolunteerPublicSerializer(serializers.ModelSerializer):
    """The public profile: the name masked, no ID number, phone or birth date."""

    masked_name = serializers.CharField()
    division = serializers.CharField(source="division_id")

    class Meta:
        model = Volunteer
        fields = ["id", "number", "masked_name", "skills", "languages", "division", "created_at"]
        read_only_fields = fields


# --- Organisations ------------------------------------------------------------------------------


class OrganisationWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Organisation.Kind.choices)
    division = serializers.CharField(max_length=12)
    contact_phone = serializers.CharField(max_length=20)
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class OrganisationSerializer(serializers.ModelSerializer):
    division = serializers.CharField(source="division_id")

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "credit_code",
            "division",
            "contact_phone",
            "description",
            "status",
            "status_reason",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class OrganisationDecisionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["approve", "reject", "return"])
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class MemberWriteSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20)
    role = serializers.ChoiceField(
        choices=[Member.Role.MANAGER, Member.Role.MEMBER], required=False, default="member"
    )


class MemberSerializer(serializers.ModelSerializer):
    """A member as managers and officials see them: the name and phone masked."""

    masked_name = serializers.SerializerMethodField()
    masked_phone = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = ["id", "role", "masked_name", "masked_phone", "created_at"]
        read_only_fields = fields

    def get_masked_name(self, obj) -> str:
        return mask_name(obj.user.name)

    def get_masked_phone(self, obj) -> str:
        return mask_phone(obj.user.phone)


# --- Activities ---------------------------------------------------------------------------------


class PositionInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    needed = serializers.IntegerField(min_value=1, max_value=1000)
    skills = serializers.ListField(
        child=serializers.ChoiceField(choices=Skill.choices), required=False, max_length=15
    )


class ActivityWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    domain = serializers.ChoiceField(choices=ActivityDomain.choices)
    division = serializers.CharField(max_length=12)
    online = serializers.BooleanField(required=False, default=False)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    min_age = serializers.IntegerField(min_value=0, max_value=80, required=False, default=0)
    positions = PositionInputSerializer(many=True, allow_empty=False, max_length=20)


class PositionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Position
        fields = ["id", "name", "skills", "needed", "accepted"]
        read_only_fields = fields


class ActivitySerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")
    division = serializers.CharField(source="division_id")
    positions = PositionSerializer(many=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "title",
            "description",
            "domain",
            "division",
            "online",
            "address",
            "latitude",
            "longitude",
            "starts_at",
            "ends_at",
            "min_age",
            "status",
            "positions",
        ]
        read_only_fields = fields


class ActivitySearchSerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Chinese words or pinyin (full or initials)",
    )
    domain = serializers.ChoiceField(choices=ActivityDomain.choices, required=False)
    division = serializers.RegexField(r"^[0-9]{6,9}$", required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    skill = serializers.ChoiceField(choices=Skill.choices, required=False)


class CheckinCodeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The six-digit code to show now.")
    changes_at = serializers.DateTimeField(help_text="When the next code replaces it.")
    expires_at = serializers.DateTimeField(
        help_text="Until when it is still accepted (the next period's end, within valid_until)."
    )
    valid_from = serializers.DateTimeField(help_text="The first moment any code works.")
    valid_until = serializers.DateTimeField(help_text="The last moment any code works.")


# --- Sign-ups and hours -------------------------------------------------------------------------


class SignupWriteSerializer(serializers.Serializer):
    position = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SignupDecisionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["accept", "reject"])


class AttendanceSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["check_in", "check_out"])
    at = serializers.DateTimeField(required=False)


class CodeSerializer(serializers.Serializer):
    code = serializers.RegexField(
        r"^[0-9]{6}$", error_messages={"invalid": _("签到码为 6 位数字。")}
    )


class HourRecordSerializer(serializers.ModelSerializer):
    activity_title = serializers.CharField(source="activity.title")
    period_start = serializers.DateTimeField(source="period.lower", allow_null=True)
    period_end = serializers.DateTimeField(source="period.upper", allow_null=True)

    class Meta:
        model = HourRecord
        fields = [
            "id",
            "activity",
            "activity_title",
            "status",
            "checked_in_at",
            "checked_out_at",
            "period_start",
            "period_end",
            "minutes",
            "confirmed_at",
        ]
        read_only_fields = fields


class SignupSerializer(serializers.ModelSerializer):
    """A sign-up as its volunteer sees it."""

    activity_title = serializers.CharField(source="activity.title")
    position_name = serializers.CharField(source="position.name")

    class Meta:
        model = Signup
        fields = [
            "id",
            "activity",
            "activity_title",
            "position",
            "position_name",
            "status",
            "note",
            "created_at",
            "waitlisted_at",
            "decided_at",
        ]
        read_only_fields = fields


class ManagedSignupSerializer(SignupSerializer):
    """A sign-up as the organiser sees it: the volunteer's number and masked identity, and
    the attendance record once there is one."""

    volunteer_number = serializers.CharField(source="volunteer.number")
    volunteer_name = serializers.CharField(source="volunteer.masked_name")
    volunteer_phone = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()
    hours = serializers.SerializerMethodField()

    class Meta(SignupSerializer.Meta):
        fields = [
            *SignupSerializer.Meta.fields,
            "volunteer_number",
            "volunteer_name",
            "volunteer_phone",
            "hours",
        ]
        read_only_fields = fields

    def get_volunteer_phone(self, obj) -> str:
        return mask_phone(obj.volunteer.phone)

    def get_note(self, obj) -> str:
        # What the volunteer typed, with any phone or ID number in it masked.
        return redact_identifiers(obj.note)

    @extend_schema_field(HourRecordSerializer(allow_null=True))
    def get_hours(self, obj):
        # The reverse one-to-one raises (an AttributeError) when there is no record yet.
        record = obj.hours if hasattr(obj, "hours") else None
        return HourRecordSerializer(record).data if record is not None else None


class YearTotalSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    minutes = serializers.IntegerField()
    hours = serializers.FloatField()


class MyHoursSerializer(serializers.Serializer):
    totals = YearTotalSerializer(many=True)
    records = HourRecordSerializer(many=True)
