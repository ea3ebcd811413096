"""API serializers of the registry: 一网通查 (search and the public profile), the officials'
writes, annual reports and evaluations. Input serializers shape and type-check; the rules
live in socialorgs.services, whose errors come back as field errors in the same shape.

The legal representative is masked in every response (legal_rep_masked); there is no API
field with the full name."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from socialorgs.models import (
    AnnualReport,
    Evaluation,
    OrgDomain,
    OrgMembership,
    SocialOrganisation,
)

Org = SocialOrganisation
GRADE_CHOICES = Evaluation.Grade.choices
# Choice sets named in settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].
STATUS_CHANGE_CHOICES = [
    (Org.Status.REVOKED.value, Org.Status.REVOKED.label),
    (Org.Status.DEREGISTERED.value, Org.Status.DEREGISTERED.label),
]
MEMBER_ROLE_CHOICES = [
    (OrgMembership.Role.MANAGER.value, OrgMembership.Role.MANAGER.label),
    (OrgMembership.Role.MEMBER.value, OrgMembership.Role.MEMBER.label),
]
REVIEW_DECISION_CHOICES = [*AnnualReport.Result.choices, ("return", "退回修改")]
PUBLIC_REPORT_STATUS_CHOICES = [*AnnualReport.Status.choices, ("overdue", "逾期未报")]


# --- Search --------------------------------------------------------------------------------------


class OrgSearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Name in Chinese or pinyin (full or initials), or a whole credit code.",
    )
    code = serializers.CharField(
        max_length=18, required=False, allow_blank=True, help_text="An exact credit code."
    )
    kind = serializers.ChoiceField(choices=Org.Kind.choices, required=False)
    domain = serializers.ChoiceField(choices=OrgDomain.choices, required=False)
    division = serializers.RegexField(
        r"^[0-9]{6}([0-9]{3})?$",
        required=False,
        help_text="A division code: the organisations inside it (510100: all of 成都市).",
    )
    grade = serializers.ChoiceField(
        choices=GRADE_CHOICES, required=False, help_text="The current, valid evaluation grade."
    )
    status = serializers.ChoiceField(choices=Org.Status.choices, required=False)
    standing = serializers.ChoiceField(choices=Org.Standing.choices, required=False)


class OrgSummarySerializer(serializers.ModelSerializer):
    """A search result: public fields and the current grade (null without a valid one)."""

    division = serializers.CharField(source="division_id")
    division_name = serializers.CharField(source="division.name")
    current_grade = serializers.IntegerField(allow_null=True, read_only=True)
    grade_valid_until = serializers.DateField(allow_null=True, read_only=True)

    class Meta:
        model = Org
        fields = [
            "credit_code",
            "name",
            "kind",
            "domain",
            "division",
            "division_name",
            "founded_on",
            "status",
            "standing",
            "is_charity",
            "public_fundraising",
            "credit_grade",
            "current_grade",
            "grade_valid_until",
        ]
        read_only_fields = fields


# --- The record ----------------------------------------------------------------------------------


class OrgRecordSerializer(serializers.ModelSerializer):
    """An organisation's registry record (the legal representative masked)."""

    division = serializers.CharField(source="division_id")
    division_name = serializers.CharField(source="division.name")
    legal_rep_masked = serializers.CharField()

    class Meta:
        model = Org
        fields = [
            "credit_code",
            "name",
            "kind",
            "domain",
            "business_scope",
            "authority",
            "division",
            "division_name",
            "address",
            "latitude",
            "longitude",
            "legal_rep_masked",
            "founded_on",
            "registered_capital_fen",
            "status",
            "status_changed_on",
            "status_reason",
            "is_charity",
            "charity_recognised_on",
            "public_fundraising",
            "fundraising_qualified_on",
            "credit_score",
            "credit_grade",
            "standing",
        ]
        read_only_fields = fields


class OrgWriteSerializer(serializers.Serializer):
    """Registration by a 民政 official (every field but the optional ones)."""

    name = serializers.CharField(max_length=100)
    credit_code = serializers.CharField(max_length=30)
    kind = serializers.ChoiceField(choices=Org.Kind.choices)
    domain = serializers.ChoiceField(choices=OrgDomain.choices)
    business_scope = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    authority = serializers.CharField(max_length=100)
    division = serializers.CharField(max_length=12)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    legal_rep_name = serializers.CharField(max_length=50)
    founded_on = serializers.DateField()
    registered_capital = serializers.DecimalField(
        max_digits=15,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="In yuan (stored in fen).",
    )


class OrgUpdateSerializer(serializers.Serializer):
    """Edits (PATCH: any subset). The credit code and the kind are not editable."""

    name = serializers.CharField(max_length=100)
    domain = serializers.ChoiceField(choices=OrgDomain.choices)
    business_scope = serializers.CharField(max_length=1000, allow_blank=True)
    authority = serializers.CharField(max_length=100)
    division = serializers.CharField(max_length=12)
    address = serializers.CharField(max_length=200, allow_blank=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    legal_rep_name = serializers.CharField(max_length=50)
    founded_on = serializers.DateField()
    registered_capital = serializers.DecimalField(
        max_digits=15, decimal_places=2, allow_null=True, help_text="In yuan."
    )


class OrgStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=STATUS_CHANGE_CHOICES)
    changed_on = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class OrgCharitySerializer(serializers.Serializer):
    is_charity = serializers.BooleanField()
    charity_recognised_on = serializers.DateField(required=False, allow_null=True)
    public_fundraising = serializers.BooleanField(required=False, default=False)
    fundraising_qualified_on = serializers.DateField(required=False, allow_null=True)


class PhoneSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20)


class SocialOrgMemberWriteSerializer(PhoneSerializer):
    role = serializers.ChoiceField(
        choices=MEMBER_ROLE_CHOICES,
        required=False,
        default=OrgMembership.Role.MEMBER,
    )


class SocialOrgMemberSerializer(serializers.ModelSerializer):
    """An organisation account: the person's name and phone masked."""

    masked_name = serializers.CharField(source="user.masked_name")

    class Meta:
        model = OrgMembership
        fields = ["id", "role", "masked_name", "created_at"]
        read_only_fields = fields


# --- Annual reports ------------------------------------------------------------------------------


class AnnualReportSerializer(serializers.ModelSerializer):
    """The whole report, for the organisation's accounts and the supervising officials."""

    organisation = serializers.CharField(source="organisation.credit_code")
    result = serializers.ChoiceField(
        choices=AnnualReport.Result.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty until reviewed.",
    )

    class Meta:
        model = AnnualReport
        fields = [
            "id",
            "organisation",
            "year",
            "status",
            "activities",
            "income_fen",
            "expenditure_fen",
            "net_assets_fen",
            "staff_count",
            "volunteer_count",
            "submitted_at",
            "result",
            "review_comment",
            "reviewed_at",
            "overdue_at",
        ]
        read_only_fields = fields


class AnnualReportWriteSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1949, max_value=2200)
    activities = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    income = serializers.DecimalField(
        max_digits=15, decimal_places=2, required=False, help_text="In yuan."
    )
    expenditure = serializers.DecimalField(
        max_digits=15, decimal_places=2, required=False, help_text="In yuan."
    )
    net_assets = serializers.DecimalField(
        max_digits=15, decimal_places=2, required=False, help_text="In yuan."
    )
    staff_count = serializers.IntegerField(min_value=0, max_value=10**9, required=False)
    volunteer_count = serializers.IntegerField(min_value=0, max_value=10**9, required=False)
    submit = serializers.BooleanField(
        required=False, default=False, help_text="Submit for review (else a draft is saved)."
    )


class ReportReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=REVIEW_DECISION_CHOICES,
        help_text="A result (合格, 基本合格, 不合格), or `return` for changes.",
    )
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True)


class PublicReportSerializer(serializers.Serializer):
    """年报公示: a year's status and result, and the finance totals once handed in."""

    year = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PUBLIC_REPORT_STATUS_CHOICES)
    result = serializers.CharField(allow_blank=True)
    overdue = serializers.BooleanField()
    income_fen = serializers.IntegerField(allow_null=True)
    expenditure_fen = serializers.IntegerField(allow_null=True)
    net_assets_fen = serializers.IntegerField(allow_null=True)
    staff_count = serializers.IntegerField(allow_null=True)
    volunteer_count = serializers.IntegerField(allow_null=True)


# --- Evaluations ---------------------------------------------------------------------------------


class EvaluationSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.credit_code")
    grade_label = serializers.CharField(source="get_grade_display")

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "organisation",
            "basic_conditions",
            "governance",
            "performance",
            "social_evaluation",
            "total",
            "grade",
            "grade_label",
            "awarded_on",
            "valid_until",
            "revoked_at",
            "revoke_reason",
        ]
        read_only_fields = fields


class EvaluationWriteSerializer(serializers.Serializer):
    basic_conditions = serializers.DecimalField(max_digits=4, decimal_places=1)
    governance = serializers.DecimalField(max_digits=4, decimal_places=1)
    performance = serializers.DecimalField(max_digits=4, decimal_places=1)
    social_evaluation = serializers.DecimalField(max_digits=4, decimal_places=1)
    awarded_on = serializers.DateField()


class EvaluationRevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class PublicGradeSerializer(serializers.Serializer):
    """The newest unrevoked grade: current, or expired (已过期)."""

    grade = serializers.IntegerField()
    grade_label = serializers.CharField()
    total = serializers.DecimalField(max_digits=6, decimal_places=1)
    awarded_on = serializers.DateField()
    valid_until = serializers.DateField()
    current = serializers.BooleanField()


# --- Credit (socialorgs.selectors.credit.public_credit_profile) ----------------------------------


class CreditEventPublicSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    points = serializers.IntegerField()
    occurred_on = serializers.DateField()


class ListEntryPublicSerializer(serializers.Serializer):
    list = serializers.CharField()
    list_label = serializers.CharField(source="get_list_display")
    reason = serializers.CharField()
    starts_on = serializers.DateField()


class LicencePublicSerializer(serializers.Serializer):
    name = serializers.CharField()
    number = serializers.CharField()
    issued_by = serializers.CharField()
    issued_on = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)


class PenaltyPublicSerializer(serializers.Serializer):
    decision_number = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    basis = serializers.CharField()
    amount_fen = serializers.IntegerField()
    decided_on = serializers.DateField()
    decided_by = serializers.CharField()


class CreditPublicSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    grade = serializers.CharField()
    standing = serializers.CharField(help_text="The standing's label (正常, 活动异常名录...).")
    events = CreditEventPublicSerializer(many=True)
    lists = ListEntryPublicSerializer(many=True)
    licences = LicencePublicSerializer(many=True)
    penalties = PenaltyPublicSerializer(many=True)


class LinkSerializer(serializers.Serializer):
    title = serializers.CharField()
    status = serializers.CharField()
    url = serializers.CharField(allow_blank=True)


class OrgProfileSerializer(serializers.Serializer):
    """一网通查's profile: the record, annual-report results, the grade, credit, projects."""

    organisation = OrgRecordSerializer()
    reports = PublicReportSerializer(many=True)
    grade = serializers.SerializerMethodField()
    credit = CreditPublicSerializer()
    projects = LinkSerializer(many=True)
    charity_projects = LinkSerializer(many=True)

    @extend_schema_field(PublicGradeSerializer(allow_null=True))
    def get_grade(self, profile) -> dict | None:
        evaluation = profile["evaluation"]
        if evaluation is None:
            return None
        return PublicGradeSerializer(
            {
                "grade": evaluation.grade,
                "grade_label": evaluation.get_grade_display(),
                "total": evaluation.total,
                "awarded_on": evaluation.awarded_on,
                "valid_until": evaluation.valid_until,
                "current": not profile["evaluation_expired"],
            }
        ).data
