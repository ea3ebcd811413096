"""API serializers of social work. Input serializers shape and type-check; the rules live in
socialorgs.services.socialwork, whose errors come back as field errors in the same shape.

Personal data: social workers' names are masked for the public (`masked_name`) and full only
in the organisation's own worker list; a resident's address and need are full for the
resident, and for the serving organisation once accepted (an audited read); otherwise the
address is masked and the need redacted."""

from __future__ import annotations

import re
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from socialorgs.models import (
    CatalogueItem,
    ProjectReview,
    ProjectReviewReport,
    ServiceRequest,
    SocialWorker,
    SocialWorkProject,
    TargetGroup,
)
from socialorgs.models.socialwork import CATALOGUE_STATES
from socialorgs.selectors.socialwork import public_review_text, request_redacted
from socialorgs.services.socialwork.reviews import MODERATION_ACTIONS, REASON_MAX_CHARS

DIVISION_RE = r"^[0-9]{6}([0-9]{3})?$"
NEAR_RE = re.compile(
    r"^\s*(-?[0-9]{1,3}(?:\.[0-9]{1,8})?)\s*,\s*(-?[0-9]{1,3}(?:\.[0-9]{1,8})?)\s*$"
)


NULLABLE_FLOAT = serializers.FloatField(allow_null=True)


def _coordinate(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=9, decimal_places=6, **kwargs)


# --- The catalogue ------------------------------------------------------------------------------


class CatalogueQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    division = serializers.RegexField(
        DIVISION_RE,
        required=False,
        help_text="A division code: the items that apply there and the items inside it.",
    )


class CatalogueItemSerializer(serializers.ModelSerializer):
    target_group = serializers.ChoiceField(choices=TargetGroup.choices, allow_blank=True)
    division = serializers.CharField(source="division_id")
    division_name = serializers.CharField(source="division.name")
    state = serializers.ChoiceField(choices=CATALOGUE_STATES)

    class Meta:
        model = CatalogueItem
        fields = [
            "id",
            "code",
            "name",
            "category",
            "description",
            "target_group",
            "division",
            "division_name",
            "year",
            "state",
            "published_at",
            "withdrawn_at",
        ]
        read_only_fields = fields


class CatalogueItemWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=100)
    category = serializers.CharField(max_length=50)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    target_group = serializers.ChoiceField(
        choices=TargetGroup.choices, required=False, allow_blank=True
    )
    division = serializers.RegexField(DIVISION_RE)
    year = serializers.IntegerField(min_value=2000, max_value=2100)


# --- Projects -------------------------------------------------------------------------------


class SocialWorkProjectQuerySerializer(serializers.Serializer):
    near = serializers.CharField(
        max_length=40,
        required=False,
        help_text="`lat,lng` (GCJ-02): nearest first, with `distance_km`.",
    )
    radius = serializers.FloatField(
        min_value=0.1,
        max_value=50,
        required=False,
        help_text="Kilometres around `near` (default 10).",
    )
    target_group = serializers.ChoiceField(choices=TargetGroup.choices, required=False)
    division = serializers.RegexField(DIVISION_RE, required=False)

    def validate_near(self, value: str) -> tuple[Decimal, Decimal]:
        match = NEAR_RE.match(value)
        if not match:
            raise serializers.ValidationError("格式应为“纬度,经度”，例如 30.642,104.043。")
        from socialorgs.geo import in_china

        lat, lng = Decimal(match[1]), Decimal(match[2])
        if not in_china(lat, lng):
            raise serializers.ValidationError("坐标不在中国境内，请检查是否填反了经纬度。")
        return lat, lng


class SocialWorkOrgBriefSerializer(serializers.Serializer):
    name = serializers.CharField()
    credit_code = serializers.CharField()


class CatalogueItemBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    year = serializers.IntegerField()
    division = serializers.CharField(source="division_id")


class SocialWorkProjectSerializer(serializers.ModelSerializer):
    organisation = SocialWorkOrgBriefSerializer()
    division = serializers.CharField(source="division_id")
    division_name = serializers.CharField(source="division.name")
    catalogue_item = CatalogueItemBriefSerializer(allow_null=True)
    rating_avg = serializers.SerializerMethodField()
    rating_count = serializers.SerializerMethodField()
    distance_km = serializers.SerializerMethodField()

    class Meta:
        model = SocialWorkProject
        fields = [
            "id",
            "title",
            "description",
            "organisation",
            "target_group",
            "division",
            "division_name",
            "address",
            "latitude",
            "longitude",
            "service_radius_km",
            "starts_on",
            "ends_on",
            "funding",
            "catalogue_item",
            "capacity",
            "status",
            "rating_avg",
            "rating_count",
            "distance_km",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_FLOAT)
    def get_rating_avg(self, project) -> float | None:
        value = getattr(project, "rating_avg", None)
        return round(float(value), 2) if value is not None else None

    def get_rating_count(self, project) -> int:
        return int(getattr(project, "rating_count", 0) or 0)

    @extend_schema_field(NULLABLE_FLOAT)
    def get_distance_km(self, project) -> float | None:
        value = getattr(project, "distance_km", None)
        return round(value, 2) if value is not None else None


class SocialWorkOrgProjectSerializer(SocialWorkProjectSerializer):
    """A project as its organisation sees it: with the places held by requests."""

    held = serializers.SerializerMethodField()

    class Meta(SocialWorkProjectSerializer.Meta):
        fields = [*SocialWorkProjectSerializer.Meta.fields, "held"]
        read_only_fields = fields

    def get_held(self, project) -> int:
        return int(getattr(project, "held", 0) or 0)


class SocialWorkerLevelCountSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=SocialWorker.Level.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()


class MaskedSocialWorkerSerializer(serializers.Serializer):
    masked_name = serializers.CharField()
    level = serializers.ChoiceField(choices=SocialWorker.Level.choices)


class SocialWorkerSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_level = SocialWorkerLevelCountSerializer(many=True)
    workers = MaskedSocialWorkerSerializer(many=True)


class PublicProjectReviewSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()

    class Meta:
        model = ProjectReview
        fields = ["id", "overall", "dimensions", "text", "created_at"]
        read_only_fields = fields

    def get_text(self, review) -> str:
        return public_review_text(review)


class SocialWorkProjectDetailSerializer(serializers.Serializer):
    project = SocialWorkProjectSerializer()
    social_workers = SocialWorkerSummarySerializer()
    reviews = PublicProjectReviewSerializer(many=True)


class SocialWorkProjectWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=3000, required=False, allow_blank=True)
    target_group = serializers.ChoiceField(choices=TargetGroup.choices)
    division = serializers.RegexField(DIVISION_RE)
    address = serializers.CharField(max_length=200)
    latitude = _coordinate()
    longitude = _coordinate()
    service_radius_km = serializers.IntegerField(min_value=1, max_value=50)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    funding = serializers.ChoiceField(choices=SocialWorkProject.Funding.choices)
    catalogue_item = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    capacity = serializers.IntegerField(min_value=1, max_value=500)


class SocialWorkProjectCloseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class OrgSocialWorkSerializer(serializers.Serializer):
    organisation = SocialWorkOrgBriefSerializer()
    social_workers = SocialWorkerSummarySerializer()
    projects = SocialWorkProjectSerializer(many=True)


# --- Social workers -------------------------------------------------------------------------


class SocialWorkerSerializer(serializers.ModelSerializer):
    """The full record, for the organisation's own accounts."""

    class Meta:
        model = SocialWorker
        fields = ["id", "name", "level", "certificate_number", "certified_on", "active"]
        read_only_fields = fields


class SocialWorkerWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    level = serializers.ChoiceField(choices=SocialWorker.Level.choices)
    certificate_number = serializers.CharField(max_length=40)
    certified_on = serializers.DateField()


class SocialWorkerUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, required=False)
    level = serializers.ChoiceField(choices=SocialWorker.Level.choices, required=False)
    certificate_number = serializers.CharField(max_length=40, required=False)
    certified_on = serializers.DateField(required=False)
    active = serializers.BooleanField(required=False)


# --- Requests -------------------------------------------------------------------------------


class ServiceRequestWriteSerializer(serializers.Serializer):
    target_group = serializers.ChoiceField(choices=TargetGroup.choices)
    saved_address = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="One of your saved addresses (its division and coordinates are used).",
    )
    division = serializers.RegexField(DIVISION_RE, required=False)
    address = serializers.CharField(max_length=200, required=False)
    latitude = _coordinate(required=False)
    longitude = _coordinate(required=False)
    description = serializers.CharField(max_length=1000)


class SocialWorkProjectBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    organisation = serializers.CharField(source="organisation.name")


class ProjectReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectReview
        fields = ["id", "overall", "dimensions", "text", "status", "created_at"]
        read_only_fields = fields


class ServiceRequestSerializer(serializers.ModelSerializer):
    """A resident's own request, in full."""

    division = serializers.CharField(source="division_id")
    project = SocialWorkProjectBriefSerializer(allow_null=True)
    review = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "reference",
            "target_group",
            "division",
            "address",
            "latitude",
            "longitude",
            "description",
            "status",
            "project",
            "match_score",
            "match_explanation",
            "unmatched_reason",
            "closed_reason",
            "created_at",
            "matched_at",
            "accepted_at",
            "completed_at",
            "review",
        ]
        read_only_fields = fields

    @extend_schema_field(ProjectReviewSerializer(allow_null=True))
    def get_review(self, service_request) -> dict | None:
        review = getattr(service_request, "review", None)
        return ProjectReviewSerializer(review).data if review is not None else None


class ServiceRequestReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ServiceRequestOrgDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ServiceRequestDeclinedSerializer(serializers.ModelSerializer):
    """A request the organisation declined: back to matching, no longer its to read."""

    class Meta:
        model = ServiceRequest
        fields = ["id", "reference", "status"]
        read_only_fields = fields


class ServiceRequestCompleteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class OrgServiceRequestSerializer(serializers.ModelSerializer):
    """A request as the organisation sees it: address and need in full only when `full`
    (accepted by the resident and read on purpose), masked and redacted otherwise."""

    division = serializers.CharField(source="division_id")
    project = SocialWorkProjectBriefSerializer()
    address = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    full = serializers.SerializerMethodField()
    distance_km = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "reference",
            "target_group",
            "division",
            "address",
            "description",
            "full",
            "status",
            "project",
            "match_score",
            "distance_km",
            "created_at",
            "accepted_at",
            "completed_at",
        ]
        read_only_fields = fields

    def _shown(self, service_request) -> dict:
        full = (self.context.get("full") or {}).get(service_request.pk)
        return full or request_redacted(service_request)

    def get_address(self, service_request) -> str:
        return self._shown(service_request)["address"]

    def get_description(self, service_request) -> str:
        return self._shown(service_request)["description"]

    def get_full(self, service_request) -> bool:
        return service_request.pk in (self.context.get("full") or {})

    @extend_schema_field(NULLABLE_FLOAT)
    def get_distance_km(self, service_request) -> float | None:
        return (service_request.match_explanation or {}).get("distance_km")


class ProjectReviewWriteSerializer(serializers.Serializer):
    overall = serializers.IntegerField(min_value=1, max_value=5)
    dimensions = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5),
        help_text="skill, attitude, responsiveness, outcome: each 1–5.",
    )
    text = serializers.CharField(max_length=1000, required=False, allow_blank=True)


# --- Review moderation ----------------------------------------------------------------------


class ModerationProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    organisation = serializers.CharField(source="organisation.name")
    division = serializers.CharField(source="division_id")


class OpenReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectReviewReport
        fields = ["reason", "created_at"]
        read_only_fields = fields


class ModerationReviewSerializer(serializers.ModelSerializer):
    """A review as the supervising official reads it: phone and ID numbers in the text
    masked, the listed words that held it, the residents' open reports; no reviewer."""

    project = ModerationProjectSerializer()
    text = serializers.SerializerMethodField()
    held_words = serializers.ListField(child=serializers.CharField())
    reports = serializers.SerializerMethodField()

    class Meta:
        model = ProjectReview
        fields = [
            "id",
            "project",
            "overall",
            "dimensions",
            "text",
            "held_words",
            "reports",
            "status",
            "moderation_reason",
            "moderated_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_text(self, review) -> str:
        return public_review_text(review)

    @extend_schema_field(OpenReportSerializer(many=True))
    def get_reports(self, review) -> list:
        return OpenReportSerializer(getattr(review, "open_reports", []), many=True).data


class ProjectReviewModerateSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[(a, a) for a in MODERATION_ACTIONS],
        help_text="publish: the review is shown and counts; hide: it is not (reason required).",
    )
    reason = serializers.CharField(
        max_length=REASON_MAX_CHARS,
        required=False,
        allow_blank=True,
        help_text="Required to hide: the resident reads it.",
    )


class ProjectReviewReportWriteSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_CHARS)


class ProjectReviewReportSerializer(serializers.ModelSerializer):
    """The resident's report; the review is held until an official decides."""

    class Meta:
        model = ProjectReviewReport
        fields = ["id", "review", "reason", "created_at"]
        read_only_fields = fields
