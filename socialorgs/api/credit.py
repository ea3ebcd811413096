"""API of credit and complaints under /api/v1/socialorgs/: the public lists (活动异常名录,
严重违法失信名单) and 非法社会组织 exposures; the officials' writes (penalties, licences, list
entries and their removal, exposures and their status); a resident's complaint about an
organisation, filed into ratings' complaint workflow (followed at /api/v1/complaints/).

Thin views: reads through socialorgs.selectors.credit, writes through the services. The
caller's permission is checked before their input is read: an organisation or record outside
an official's jurisdiction is a 404, an official of another department a 403."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.permissions import IsOfficial, IsResident
from socialorgs import converters  # noqa: F401  (registers <creditcode:>)
from socialorgs.api.common import found, valid
from socialorgs.models import SocialOrganisation
from socialorgs.selectors import credit as selectors
from socialorgs.serializers.credit import (
    CreditListQuerySerializer,
    CreditListRowSerializer,
    IllegalOrgQuerySerializer,
    IllegalOrgSerializer,
    IllegalOrgStatusWriteSerializer,
    IllegalOrgWriteSerializer,
    LicenceRecordSerializer,
    LicenceWriteSerializer,
    ListEntryRecordSerializer,
    ListEntryWriteSerializer,
    ListRemoveWriteSerializer,
    OrgComplaintFiledSerializer,
    OrgComplaintWriteSerializer,
    PenaltyRecordSerializer,
    PenaltyWriteSerializer,
)
from socialorgs.services import complaints as complaint_services
from socialorgs.services import credit as services
from socialorgs.services.common import is_civil_affairs_official, official_supervises

LIST_LIMIT = 500
NOT_CIVIL_AFFAIRS = "只有管辖该组织的民政部门监管人员可以进行此操作。"


def _query(serializer_class, request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


def _supervised_org(view, request, credit_code: str) -> SocialOrganisation:
    """The organisation in the official's jurisdiction (404 otherwise), for 民政 (403 for
    officials of other departments)."""
    org = found(selectors.org_get_for_credit_desk(official=request.user, credit_code=credit_code))
    if not official_supervises(request.user, org.division_id):
        view.permission_denied(request, message=_(NOT_CIVIL_AFFAIRS))
    return org


# --- The public --------------------------------------------------------------------------------


class CreditListsApi(APIView):
    """The entries in force on 活动异常名录 and 严重违法失信名单 (`list` narrows to one)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[CreditListQuerySerializer],
        responses={200: CreditListRowSerializer(many=True)},
    )
    def get(self, request):
        values = _query(CreditListQuerySerializer, request)
        rows = selectors.list_entries_public(list_name=values.get("list"))[:LIST_LIMIT]
        return Response(CreditListRowSerializer(rows, many=True).data)


class IllegalOrgsApi(APIView):
    """非法社会组织曝光 (GET, public: exposed and banned bodies); an official of 民政 covering
    the division exposes one (POST)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[IllegalOrgQuerySerializer], responses={200: IllegalOrgSerializer(many=True)}
    )
    def get(self, request):
        values = _query(IllegalOrgQuerySerializer, request)
        rows = selectors.illegal_orgs_public(division=values.get("division", ""))[:LIST_LIMIT]
        return Response(IllegalOrgSerializer(rows, many=True).data)

    @extend_schema(request=IllegalOrgWriteSerializer, responses={201: IllegalOrgSerializer})
    def post(self, request):
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated
        if not is_civil_affairs_official(request.user):
            self.permission_denied(request, message=_(NOT_CIVIL_AFFAIRS))
        values = valid(IllegalOrgWriteSerializer, request)
        illegal = services.illegal_org_expose(actor=request.user, request=request, **values)
        return Response(IllegalOrgSerializer(illegal).data, status=status.HTTP_201_CREATED)


class IllegalOrgStatusApi(APIView):
    """取缔 (banned) or 撤回 (withdrawn) an exposure in the official's jurisdiction."""

    permission_classes = [IsOfficial]

    @extend_schema(request=IllegalOrgStatusWriteSerializer, responses={200: IllegalOrgSerializer})
    def post(self, request, pk):
        illegal = found(selectors.illegal_get_for_official(official=request.user, pk=pk))
        if not official_supervises(request.user, illegal.division_id):
            self.permission_denied(request, message=_(NOT_CIVIL_AFFAIRS))
        values = valid(IllegalOrgStatusWriteSerializer, request)
        illegal = services.illegal_org_status_set(
            actor=request.user, illegal=illegal, request=request, **values
        )
        return Response(IllegalOrgSerializer(illegal).data)


# --- Officials: one organisation ---------------------------------------------------------------


class PenaltiesApi(APIView):
    """Record an administrative penalty (行政处罚) against the organisation; the same decision
    number again returns the first record (200), a 撤销登记 revokes the registration."""

    permission_classes = [IsOfficial]

    @extend_schema(
        request=PenaltyWriteSerializer,
        responses={201: PenaltyRecordSerializer, 200: PenaltyRecordSerializer},
    )
    def post(self, request, credit_code):
        org = _supervised_org(self, request, credit_code)
        values = valid(PenaltyWriteSerializer, request)
        before = org.penalties.count()
        penalty = services.penalty_record(
            actor=request.user, organisation=org, request=request, **values
        )
        created = org.penalties.count() > before
        return Response(
            PenaltyRecordSerializer(penalty).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class LicencesApi(APIView):
    """Record an administrative licence (行政许可) granted to the organisation."""

    permission_classes = [IsOfficial]

    @extend_schema(
        request=LicenceWriteSerializer,
        responses={201: LicenceRecordSerializer, 200: LicenceRecordSerializer},
    )
    def post(self, request, credit_code):
        org = _supervised_org(self, request, credit_code)
        values = valid(LicenceWriteSerializer, request)
        before = org.licences.count()
        licence = services.licence_record(
            actor=request.user, organisation=org, request=request, **values
        )
        created = org.licences.count() > before
        return Response(
            LicenceRecordSerializer(licence).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ListEntriesApi(APIView):
    """Put the organisation on 活动异常名录 or 严重违法失信名单 (409 when already on it)."""

    permission_classes = [IsOfficial]

    @extend_schema(request=ListEntryWriteSerializer, responses={201: ListEntryRecordSerializer})
    def post(self, request, credit_code):
        org = _supervised_org(self, request, credit_code)
        values = valid(ListEntryWriteSerializer, request)
        entry = services.list_add(actor=request.user, organisation=org, request=request, **values)
        return Response(ListEntryRecordSerializer(entry).data, status=status.HTTP_201_CREATED)


class ListEntryRemoveApi(APIView):
    """移出: end a list entry before its end date, with a reason (409 when already ended)."""

    permission_classes = [IsOfficial]

    @extend_schema(request=ListRemoveWriteSerializer, responses={200: ListEntryRecordSerializer})
    def post(self, request, pk):
        entry = found(selectors.entry_get_for_official(official=request.user, pk=pk))
        if not official_supervises(request.user, entry.organisation.division_id):
            self.permission_denied(request, message=_(NOT_CIVIL_AFFAIRS))
        values = valid(ListRemoveWriteSerializer, request)
        entry = services.list_remove(
            actor=request.user, entry=entry, reason=values["reason"], request=request
        )
        entry.organisation.refresh_from_db()
        return Response(ListEntryRecordSerializer(entry).data)


# --- Residents: complaints ---------------------------------------------------------------------


class OrgComplaintApi(APIView):
    """A resident complains about an organisation (投诉), with up to five PDF/PNG/JPEG files
    (`files`, ≤ 10 MB each). The case follows ratings' complaint workflow: the officials
    covering the organisation's division handle it within ratings' deadlines; follow it at
    /api/v1/complaints/{id}/."""

    permission_classes = [IsResident]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={
            "multipart/form-data": OrgComplaintWriteSerializer,
            "application/json": OrgComplaintWriteSerializer,
        },
        responses={201: OrgComplaintFiledSerializer},
    )
    def post(self, request, credit_code):
        org = SocialOrganisation.objects.filter(credit_code=(credit_code or "").upper()).first()
        if org is None:
            raise exceptions.NotFound
        values = valid(OrgComplaintWriteSerializer, request)
        complaint = complaint_services.org_complaint_file(
            resident=request.user, organisation=org, **values
        )
        return Response(OrgComplaintFiledSerializer(complaint).data, status=status.HTTP_201_CREATED)


ORG = "orgs/<creditcode:credit_code>/"

routes: list = [
    path("credit/lists/", CreditListsApi.as_view(), name="api-socialorg-credit-lists"),
    path("credit/illegal/", IllegalOrgsApi.as_view(), name="api-socialorg-illegal"),
    path(
        "credit/illegal/<int:pk>/status/",
        IllegalOrgStatusApi.as_view(),
        name="api-socialorg-illegal-status",
    ),
    path(f"{ORG}penalties/", PenaltiesApi.as_view(), name="api-socialorg-penalties"),
    path(f"{ORG}licences/", LicencesApi.as_view(), name="api-socialorg-licences"),
    path(f"{ORG}list-entries/", ListEntriesApi.as_view(), name="api-socialorg-list-entries"),
    path(
        "credit/list-entries/<int:pk>/remove/",
        ListEntryRemoveApi.as_view(),
        name="api-socialorg-list-entry-remove",
    ),
    path(f"{ORG}complaints/", OrgComplaintApi.as_view(), name="api-socialorg-complaint"),
]
