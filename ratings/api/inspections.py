"""Inspections API: officials list the inspections in their jurisdiction, plan one, draw 双随机
spot checks, record results and confirm rectifications; anyone reads a provider's grades in
force. Reads go through ratings.selectors, writes through ratings.services.inspections."""

from __future__ import annotations

import json
import secrets

from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.permissions import IsOfficial, is_staff_of, official_covers
from providers.domains import Domain
from providers.models import Branch, Provider
from ratings import checklists, selectors
from ratings.errors import RatingsError
from ratings.filters_inspections import InspectionFilter
from ratings.models import Complaint, Grade, Inspection, InspectionItem
from ratings.services import inspections as service

# --- Serializers --------------------------------------------------------------------------------


class GradeSerializer(serializers.ModelSerializer):
    domain_label = serializers.CharField(source="get_domain_display", read_only=True)

    class Meta:
        model = Grade
        fields = ["domain", "domain_label", "value", "label", "valid_from", "valid_until"]


class InspectionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionItem
        fields = ["code", "area", "text", "score", "max_score"]


# Scores go out as decimal strings ("87.5"), like DRF's DecimalField, or null.
DECIMAL_STRING = {"type": "string", "format": "decimal", "nullable": True}


class InspectionSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    inspector_name = serializers.CharField(source="inspector.name", read_only=True)
    max_score = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()
    grade = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "provider",
            "provider_name",
            "branch",
            "domain",
            "kind",
            "status",
            "checklist",
            "inspector_name",
            "due_on",
            "inspected_on",
            "score",
            "max_score",
            "percent",
            "passed",
            "findings",
            "rectification_due",
            "rectified_on",
            "follow_up_of",
            "complaint",
            "grade",
        ]

    @extend_schema_field(DECIMAL_STRING)
    def get_max_score(self, inspection) -> str | None:
        checklist = checklists.checklist_get(inspection.checklist)
        return str(checklist.max_total) if checklist else None

    @extend_schema_field(DECIMAL_STRING)
    def get_percent(self, inspection) -> str | None:
        checklist = checklists.checklist_get(inspection.checklist)
        if checklist is None or inspection.score is None:
            return None
        return str(checklists.percentage(inspection.score, checklist.max_total))

    @extend_schema_field(GradeSerializer(allow_null=True))
    def get_grade(self, inspection):
        grade = next(iter(inspection.grades.all()), None)
        return GradeSerializer(grade).data if grade else None


class InspectionDetailSerializer(InspectionSerializer):
    items = InspectionItemSerializer(many=True, read_only=True)
    photos = serializers.SerializerMethodField()
    follow_ups = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "items", "photos", "follow_ups"]

    @extend_schema_field(serializers.ListField(child=serializers.URLField()))
    def get_photos(self, inspection) -> list[str]:
        return [
            reverse("ratings:inspection-photo", kwargs={"photo_id": p.pk})
            for p in inspection.photos.all()
        ]


class InspectionPlanSerializer(serializers.Serializer):
    provider = serializers.UUIDField()
    domain = serializers.ChoiceField(choices=Domain.choices)
    kind = serializers.ChoiceField(choices=Inspection.Kind.choices)
    due_on = serializers.DateField()
    branch = serializers.IntegerField(required=False, allow_null=True, default=None)
    follow_up_of = serializers.IntegerField(required=False, allow_null=True, default=None)
    complaint = serializers.IntegerField(required=False, allow_null=True, default=None)


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "number"},
        "example": {"E1": 27, "E2": 30},
    }
)
class ScoresField(serializers.Field):
    """`{code: score}` for every checklist item; in a multipart request, the same as a JSON
    string. The service checks the codes and the ranges."""

    default_error_messages = {
        "invalid": gettext_lazy("请提供以条目编号为键、得分为值的对象。"),
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, dict):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class InspectionRecordSerializer(serializers.Serializer):
    items = ScoresField()
    findings = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    rectification_due = serializers.DateField(required=False, allow_null=True, default=None)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class RectifiedSerializer(serializers.Serializer):
    rectified_on = serializers.DateField()


class SpotCheckDrawSerializer(serializers.Serializer):
    domain = serializers.ChoiceField(choices=Domain.choices)
    count = serializers.IntegerField(min_value=1, max_value=service.MAX_DRAW)
    seed = serializers.IntegerField(
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="Leave out for a random one; the seed is returned and audit-logged.",
    )
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class SpotCheckDrawResultSerializer(serializers.Serializer):
    seed = serializers.IntegerField()
    inspections = InspectionSerializer(many=True)


# --- Views --------------------------------------------------------------------------------------


def _inspection_for_official(request, pk) -> Inspection:
    inspection = selectors.inspection_get_for_official(official=request.user, pk=pk)
    if inspection is None:
        raise Http404
    return inspection


def _detail(request, pk) -> dict:
    return InspectionDetailSerializer(_inspection_for_official(request, pk)).data


class InspectionListCreateApi(generics.ListAPIView):
    """GET: the inspections of providers in the official's jurisdiction (filter by `state`
    planned / completed / overdue, `domain`, `kind`). POST: plan one."""

    permission_classes = [IsOfficial]
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilter
    ordering_fields = ["due_on", "inspected_on"]
    queryset = Inspection.objects.none()

    def get_queryset(self):
        return selectors.inspection_list_for_official(official=self.request.user)

    @extend_schema(responses={200: InspectionSerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=InspectionPlanSerializer,
        responses={201: InspectionDetailSerializer},
        description="The official covers the provider and their department supervises the "
        "domain (403 `out_of_jurisdiction` / `wrong_department` otherwise).",
    )
    def post(self, request):
        data = InspectionPlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        provider = Provider.objects.filter(pk=values["provider"]).first()
        if provider is None:
            raise RatingsError(_("机构不存在。"), code="not_found", field="provider")
        links = {}
        if values["branch"] is not None:
            links["branch"] = Branch.objects.filter(pk=values["branch"]).first()
            if links["branch"] is None:
                raise RatingsError(_("网点不存在。"), code="not_found", field="branch")
        if values["follow_up_of"] is not None:
            links["follow_up_of"] = selectors.inspection_get_for_official(
                official=request.user, pk=values["follow_up_of"]
            )
            if links["follow_up_of"] is None:
                raise RatingsError(
                    _("被复查的检查不存在。"), code="not_found", field="follow_up_of"
                )
        if values["complaint"] is not None:
            links["complaint"] = Complaint.objects.filter(pk=values["complaint"]).first()
            if links["complaint"] is None:
                raise RatingsError(_("投诉不存在。"), code="not_found", field="complaint")
        inspection = service.inspection_plan(
            official=request.user,
            provider=provider,
            kind=values["kind"],
            due_on=values["due_on"],
            domain=values["domain"],
            request=request,
            **links,
        )
        return Response(_detail(request, inspection.pk), status=status.HTTP_201_CREATED)


class InspectionDetailApi(APIView):
    permission_classes = [IsOfficial]

    @extend_schema(responses={200: InspectionDetailSerializer})
    def get(self, request, pk):
        return Response(_detail(request, pk))


class InspectionRecordApi(APIView):
    """Record the result of a planned inspection (JSON, or multipart with `photos`)."""

    permission_classes = [IsOfficial]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={
            "application/json": InspectionRecordSerializer,
            "multipart/form-data": InspectionRecordSerializer,
        },
        responses={200: InspectionDetailSerializer},
        description="Every checklist item scored exactly once (`fields` names each missing or "
        "unknown code as `items.<code>`). Below 60 % of the maximum the inspection fails: "
        "`findings` and `rectification_due` are required and a follow-up is planned.",
    )
    def post(self, request, pk):
        inspection = _inspection_for_official(request, pk)
        data = InspectionRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service.inspection_record(
            inspection=inspection, official=request.user, request=request, **data.validated_data
        )
        return Response(_detail(request, pk))


class InspectionRectifiedApi(APIView):
    permission_classes = [IsOfficial]

    @extend_schema(request=RectifiedSerializer, responses={200: InspectionDetailSerializer})
    def post(self, request, pk):
        inspection = _inspection_for_official(request, pk)
        data = RectifiedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service.inspection_rectified(
            inspection=inspection, official=request.user, request=request, **data.validated_data
        )
        return Response(_detail(request, pk))


class SpotCheckDrawApi(APIView):
    """双随机: draw providers of a domain in the jurisdiction at random and plan spot checks."""

    permission_classes = [IsOfficial]

    @extend_schema(request=SpotCheckDrawSerializer, responses={201: SpotCheckDrawResultSerializer})
    def post(self, request):
        data = SpotCheckDrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        seed = values["seed"] if values["seed"] is not None else secrets.randbelow(10**9)
        drawn = service.inspections_draw_spot_checks(
            official=request.user,
            domain=values["domain"],
            count=values["count"],
            seed=seed,
            due_on=values["due_on"],
            request=request,
        )
        inspections = selectors.inspection_list_for_official(official=request.user).filter(
            pk__in=[i.pk for i in drawn]
        )
        order = {i.pk: n for n, i in enumerate(drawn)}
        body = {
            "seed": seed,
            "inspections": InspectionSerializer(
                sorted(inspections, key=lambda i: order[i.pk]), many=True
            ).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class ProviderGradesApi(APIView):
    """A provider's official grades in force, one per domain (expired ones are left out)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: GradeSerializer(many=True)})
    def get(self, request, pk):
        provider = Provider.objects.filter(pk=pk).first()
        if provider is None or not (
            provider.is_public
            or is_staff_of(request.user, provider.pk)
            or official_covers(request.user, provider.division_id)
        ):
            raise Http404
        return Response(
            GradeSerializer(selectors.grades_current(provider=provider), many=True).data
        )


urlpatterns = [
    path("inspections/", InspectionListCreateApi.as_view(), name="api-inspections"),
    path("inspections/draw/", SpotCheckDrawApi.as_view(), name="api-inspection-draw"),
    path("inspections/<int:pk>/", InspectionDetailApi.as_view(), name="api-inspection"),
    path(
        "inspections/<int:pk>/record/",
        InspectionRecordApi.as_view(),
        name="api-inspection-record",
    ),
    path(
        "inspections/<int:pk>/rectified/",
        InspectionRectifiedApi.as_view(),
        name="api-inspection-rectified",
    ),
    path("providers/<uuid:pk>/grades/", ProviderGradesApi.as_view(), name="api-provider-grades"),
]
