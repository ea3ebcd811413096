"""The provider directory as an Open Referral HSDS 3.0 API (read-only, no login).

Mounted under /api/open/v1/hsds/. Follows the HSDS reference API
(../shared/standards/hsds-3.0/schema/openapi.json): the paginated envelope, `search`, `page`,
`per_page`, `organization_id`, `taxonomy_term_id`, `taxonomy_id`, `full` and `full_service`.
`locations/` is the portal's own addition (HSDS defines no location endpoints). Parameters the
portal cannot honour (`modified_after`, `minimal=true`) answer 400 rather than being ignored.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from openData import hsds
from openData.api import FormatIsAFilter

TAGS = ["open-data: HSDS"]

# --- Query parameters --------------------------------------------------------------------------


class PageQuery(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, default=1, help_text="Page number, from 1.")
    per_page = serializers.IntegerField(
        min_value=1,
        max_value=hsds.MAX_PER_PAGE,
        default=hsds.PER_PAGE,
        help_text=f"Results per page, 1 to {hsds.MAX_PER_PAGE}.",
    )
    search = serializers.CharField(
        required=False, allow_blank=True, max_length=100, default="", help_text="Text search."
    )
    format = serializers.ChoiceField(
        choices=["json"], required=False, help_text="Only json (ndjson is not offered)."
    )

    # HSDS parameters this API does not honour: refused, so that no client takes an unfiltered
    # answer for a filtered one.
    unsupported: tuple[str, ...] = ()

    def validate(self, attrs: dict) -> dict:
        refused = {
            name: [gettext_lazy("本接口不支持该参数。")]
            for name in self.unsupported
            if name in self.initial_data
        }
        if refused:
            raise serializers.ValidationError(refused)
        return attrs

    def filters(self) -> hsds.Filters:
        data = self.validated_data
        return hsds.Filters(
            search=data["search"].strip(),
            organization_id=data.get("organization_id"),
            taxonomy_term_id=data.get("taxonomy_term_id"),
            taxonomy_id=data.get("taxonomy_id"),
        )


class ServiceListQuery(PageQuery):
    organization_id = serializers.UUIDField(
        required=False, help_text="Only services of this organization."
    )
    taxonomy_term_id = serializers.UUIDField(
        required=False, help_text="Only services with this taxonomy term (category, domain...)."
    )
    taxonomy_id = serializers.UUIDField(
        required=False, help_text="Only services with a term of this taxonomy."
    )
    full = serializers.BooleanField(
        default=False, help_text="Fully nested services instead of their one-to-one fields."
    )
    minimal = serializers.BooleanField(default=False, help_text="Not supported: only false.")

    unsupported = ("modified_after",)

    def validate_minimal(self, value: bool) -> bool:
        if value:
            raise serializers.ValidationError(gettext_lazy("本接口不支持精简列表。"))
        return value


class OrganizationListQuery(PageQuery):
    full = serializers.BooleanField(default=False, help_text="Fully nested organizations.")
    full_service = serializers.BooleanField(
        default=False, help_text="Fully nested organizations with fully nested services."
    )


class OrganizationGetQuery(serializers.Serializer):
    full_service = serializers.BooleanField(
        default=False, help_text="Nest each service in full, not only its one-to-one fields."
    )


class LocationListQuery(PageQuery):
    organization_id = serializers.UUIDField(
        required=False, help_text="Only locations of this organization."
    )


def _query(serializer_class: type[serializers.Serializer], request) -> serializers.Serializer:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query


def _found(item: dict | None) -> Response:
    if item is None:
        raise NotFound(_("没有这个 HSDS 对象。"))
    return Response(item)


# --- Views -------------------------------------------------------------------------------------

# drf-spectacular shows the `pk` of a path as `id` (SCHEMA_COERCE_PATH_PK); this describes it.
_ID = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The object's HSDS id (a UUID)."
)
_PAGE = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="HSDS page: total_items, total_pages, page_number, size, first_page, "
    "last_page, empty, contents.",
)
_OBJECT = OpenApiResponse(OpenApiTypes.OBJECT, description="The HSDS object.")
_ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="A parameter is invalid."),
    429: OpenApiResponse(OpenApiTypes.OBJECT, description="Too many requests."),
}
_NOT_FOUND = {
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such object."),
    429: OpenApiResponse(OpenApiTypes.OBJECT, description="Too many requests."),
}


class HsdsApi(APIView):
    """Base of the HSDS endpoints: public, JSON only, rate-limited per client address."""

    permission_classes = [AllowAny]
    authentication_classes = []
    content_negotiation_class = FormatIsAFilter
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "open"
    renderer_classes = [JSONRenderer]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # HSDS also names `ndjson`; only json is offered here, on every endpoint.
        if request.query_params.get("format", "json") != "json":
            raise ValidationError({"format": [_("只提供 json 格式。")]})


class HsdsServiceListApi(HsdsApi):
    @extend_schema(
        operation_id="hsds_services_list",
        summary="HSDS services, paginated",
        description="Public services; one-to-one fields, or fully nested with `full=true` "
        "(compiled/service.json).",
        tags=TAGS,
        parameters=[ServiceListQuery],
        responses={200: _PAGE, **_ERRORS},
    )
    def get(self, request):
        query = _query(ServiceListQuery, request)
        data = query.validated_data
        return Response(
            hsds.service_page(
                page=data["page"],
                per_page=data["per_page"],
                filters=query.filters(),
                full=data["full"],
            )
        )


class HsdsServiceGetApi(HsdsApi):
    @extend_schema(
        operation_id="hsds_services_get",
        summary="An HSDS service, fully nested",
        description="A public service with its organization, locations, schedules, costs and "
        "taxonomy terms (compiled/service.json).",
        tags=TAGS,
        parameters=[_ID],
        responses={200: _OBJECT, **_NOT_FOUND},
    )
    def get(self, request, pk: str):
        return _found(hsds.service_get(pk))


class HsdsOrganizationListApi(HsdsApi):
    @extend_schema(
        operation_id="hsds_organizations_list",
        summary="HSDS organizations, paginated",
        description="Public organizations; one-to-one fields, or fully nested with `full=true` "
        "or `full_service=true` (compiled/organization.json).",
        tags=TAGS,
        parameters=[OrganizationListQuery],
        responses={200: _PAGE, **_ERRORS},
    )
    def get(self, request):
        query = _query(OrganizationListQuery, request)
        data = query.validated_data
        return Response(
            hsds.organization_page(
                page=data["page"],
                per_page=data["per_page"],
                filters=query.filters(),
                full=data["full"],
                full_service=data["full_service"],
            )
        )


class HsdsOrganizationGetApi(HsdsApi):
    @extend_schema(
        operation_id="hsds_organizations_get",
        summary="An HSDS organization, fully nested",
        description="A public organization with its identifier, public phone, locations and "
        "services (compiled/organization.json).",
        tags=TAGS,
        parameters=[_ID, OrganizationGetQuery],
        responses={200: _OBJECT, 400: _ERRORS[400], **_NOT_FOUND},
    )
    def get(self, request, pk: str):
        query = _query(OrganizationGetQuery, request)
        return _found(hsds.organization_get(pk, full_service=query.validated_data["full_service"]))


class HsdsLocationListApi(HsdsApi):
    @extend_schema(
        operation_id="hsds_locations_list",
        summary="HSDS locations, paginated",
        description="Service points of public organizations (schema/location.json). "
        "Coordinates are GCJ-02.",
        tags=TAGS,
        parameters=[LocationListQuery],
        responses={200: _PAGE, **_ERRORS},
    )
    def get(self, request):
        query = _query(LocationListQuery, request)
        data = query.validated_data
        return Response(
            hsds.location_page(
                page=data["page"], per_page=data["per_page"], filters=query.filters()
            )
        )


class HsdsLocationGetApi(HsdsApi):
    @extend_schema(
        operation_id="hsds_locations_get",
        summary="An HSDS location",
        description="A service point with its address, accessibility and opening hours "
        "(schema/location.json). Coordinates are GCJ-02.",
        tags=TAGS,
        parameters=[_ID],
        responses={200: _OBJECT, **_NOT_FOUND},
    )
    def get(self, request, pk: str):
        return _found(hsds.location_get(pk))


urlpatterns = [
    path("services/", HsdsServiceListApi.as_view(), name="hsds-services"),
    path("services/<str:pk>/", HsdsServiceGetApi.as_view(), name="hsds-service"),
    path("organizations/", HsdsOrganizationListApi.as_view(), name="hsds-organizations"),
    path("organizations/<str:pk>/", HsdsOrganizationGetApi.as_view(), name="hsds-organization"),
    path("locations/", HsdsLocationListApi.as_view(), name="hsds-locations"),
    path("locations/<str:pk>/", HsdsLocationGetApi.as_view(), name="hsds-location"),
]
