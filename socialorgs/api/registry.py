"""API of the registry under /api/v1/socialorgs/: 一网通查 (search and the public profile), the
officials' registry writes, annual reports and evaluations.

Thin views: reads through socialorgs.selectors.registry (an object the caller may not see is
a 404), writes through the services (rules, transactions, audit). The caller's permission is
checked before their input is read."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, mixins, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.permissions import IsOfficial
from socialorgs import converters  # noqa: F401  (registers <creditcode:>)
from socialorgs.api.common import found, valid
from socialorgs.models import OrgMembership
from socialorgs.selectors import registry as selectors
from socialorgs.serializers.registry import (
    AnnualReportSerializer,
    AnnualReportWriteSerializer,
    EvaluationRevokeSerializer,
    EvaluationSerializer,
    EvaluationWriteSerializer,
    OrgCharitySerializer,
    OrgProfileSerializer,
    OrgRecordSerializer,
    OrgSearchQuerySerializer,
    OrgStatusSerializer,
    OrgSummarySerializer,
    OrgUpdateSerializer,
    OrgWriteSerializer,
    PhoneSerializer,
    ReportReviewSerializer,
    SocialOrgMemberSerializer,
    SocialOrgMemberWriteSerializer,
)
from socialorgs.services import evaluation as evaluation_services
from socialorgs.services import registry as registry_services
from socialorgs.services import reports as report_services
from socialorgs.services.common import (
    ACTING_ROLES,
    is_civil_affairs_official,
    official_supervises,
)

# An organisation's sub-lists: one plain list, newest first.
SUBLIST_LIMIT = 200


def _require_login(request) -> None:
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated


def _supervised_org(view, request, credit_code):
    """The organisation (404 if none), for the 民政 official covering it (else 403)."""
    _require_login(request)
    org = found(selectors.org_get_public(credit_code=credit_code))
    if not official_supervises(request.user, org.division_id):
        view.permission_denied(
            request, message=_("只有管辖该组织的民政部门监管人员可以进行此操作。")
        )
    return org


def _reader_org(request, credit_code):
    """The organisation for its accounts and the officials covering it; None for others."""
    user = request.user
    org = selectors.org_get_for_member(user=user, credit_code=credit_code)
    if org is not None:
        return org
    org = selectors.org_get_for_official(official=user, credit_code=credit_code)
    if org is not None:
        org.my_role = None
    return org


# --- 一网通查 -------------------------------------------------------------------------------------


class OrgListApi(mixins.ListModelMixin, generics.GenericAPIView):
    """Public search of the registry (GET); a 民政 official registers an organisation (POST)."""

    permission_classes = [AllowAny]
    serializer_class = OrgSummarySerializer
    filter_backends: list = []

    def get_queryset(self):
        query = OrgSearchQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        return selectors.org_search(
            text=values.get("q", ""),
            code=values.get("code", ""),
            kind=values.get("kind", ""),
            domain=values.get("domain", ""),
            division=values.get("division", ""),
            grade=values.get("grade"),
            status=values.get("status", ""),
            standing=values.get("standing", ""),
        )

    @extend_schema(parameters=[OrgSearchQuerySerializer])
    def get(self, request):
        return self.list(request)

    @extend_schema(request=OrgWriteSerializer, responses={201: OrgRecordSerializer})
    def post(self, request):
        _require_login(request)
        if not is_civil_affairs_official(request.user):
            self.permission_denied(request, message=_("只有民政部门的监管人员可以登记社会组织。"))
        values = valid(OrgWriteSerializer, request)
        org = registry_services.org_register(official=request.user, data=values, request=request)
        return Response(OrgRecordSerializer(org).data, status=status.HTTP_201_CREATED)


class OrgDetailApi(APIView):
    """The public profile (GET: record, annual-report results, grade, credit, projects); the
    supervising official edits the record (PATCH)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: OrgProfileSerializer})
    def get(self, request, credit_code):
        org = found(selectors.org_get_public(credit_code=credit_code))
        return Response(OrgProfileSerializer(selectors.org_profile(organisation=org)).data)

    @extend_schema(request=OrgUpdateSerializer, responses={200: OrgRecordSerializer})
    def patch(self, request, credit_code):
        org = _supervised_org(self, request, credit_code)
        data = OrgUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        org = registry_services.org_update(
            organisation=org,
            official=request.user,
            data=dict(data.validated_data),
            request=request,
        )
        return Response(OrgRecordSerializer(org).data)


class OrgStatusApi(APIView):
    """撤销 or 注销 an organisation, dated, with a reason."""

    permission_classes = [IsOfficial]

    @extend_schema(request=OrgStatusSerializer, responses={200: OrgRecordSerializer})
    def post(self, request, credit_code):
        org = _supervised_org(self, request, credit_code)
        values = valid(OrgStatusSerializer, request)
        org = registry_services.org_status_change(
            organisation=org, official=request.user, request=request, **values
        )
        return Response(OrgRecordSerializer(org).data)


class OrgCharityApi(APIView):
    """慈善组织 recognition and 公开募捐资格 (only a charity holds it)."""

    permission_classes = [IsOfficial]

    @extend_schema(request=OrgCharitySerializer, responses={200: OrgRecordSerializer})
    def post(self, request, credit_code):
        org = _supervised_org(self, request, credit_code)
        values = valid(OrgCharitySerializer, request)
        org = registry_services.org_charity_set(
            organisation=org, official=request.user, request=request, **values
        )
        return Response(OrgRecordSerializer(org).data)


class OrgOwnerApi(APIView):
    """The official binds the organisation's first owner account (by mobile number)."""

    permission_classes = [IsOfficial]

    @extend_schema(request=PhoneSerializer, responses={201: SocialOrgMemberSerializer})
    def post(self, request, credit_code):
        org = _supervised_org(self, request, credit_code)
        values = valid(PhoneSerializer, request)
        membership = registry_services.org_owner_bind(
            organisation=org, official=request.user, phone=values["phone"], request=request
        )
        return Response(SocialOrgMemberSerializer(membership).data, status=status.HTTP_201_CREATED)


class OrgMembersApi(APIView):
    """The organisation's accounts (names masked) for its accounts and covering officials;
    the owner adds a manager or member by mobile number."""

    @extend_schema(responses={200: SocialOrgMemberSerializer(many=True)})
    def get(self, request, credit_code):
        org = found(_reader_org(request, credit_code))
        members = selectors.members_of(org)[:SUBLIST_LIMIT]
        return Response(SocialOrgMemberSerializer(members, many=True).data)

    @extend_schema(
        request=SocialOrgMemberWriteSerializer, responses={201: SocialOrgMemberSerializer}
    )
    def post(self, request, credit_code):
        org = found(_reader_org(request, credit_code))
        if org.my_role != OrgMembership.Role.OWNER:
            self.permission_denied(request, message=_("只有该社会组织的负责人可以添加账号。"))
        values = valid(SocialOrgMemberWriteSerializer, request)
        membership = registry_services.org_member_add(
            organisation=org, actor=request.user, **values
        )
        return Response(SocialOrgMemberSerializer(membership).data, status=status.HTTP_201_CREATED)


# --- Annual reports ---------------------------------------------------------------------------


class OrgReportsApi(APIView):
    """The organisation's annual reports, drafts included, for its accounts and covering
    officials (GET); an owner or manager saves the year's report, or submits it (POST)."""

    @extend_schema(responses={200: AnnualReportSerializer(many=True)})
    def get(self, request, credit_code):
        org = found(_reader_org(request, credit_code))
        reports = selectors.reports_of(org).select_related("organisation")[:SUBLIST_LIMIT]
        return Response(AnnualReportSerializer(reports, many=True).data)

    @extend_schema(request=AnnualReportWriteSerializer, responses={200: AnnualReportSerializer})
    def post(self, request, credit_code):
        org = found(_reader_org(request, credit_code))
        if org.my_role not in ACTING_ROLES:
            self.permission_denied(
                request, message=_("只有该社会组织的负责人或管理员可以填报年报。")
            )
        values = valid(AnnualReportWriteSerializer, request)
        year, submit = values.pop("year"), values.pop("submit", False)
        report = report_services.annual_report_save(
            organisation=org,
            actor=request.user,
            year=year,
            data=values,
            submit=submit,
            request=request,
        )
        return Response(AnnualReportSerializer(report).data)


class ReportReviewApi(APIView):
    """The supervising official's conclusion on a submitted report (合格, 基本合格, 不合格), or
    its return for changes."""

    permission_classes = [IsOfficial]

    @extend_schema(request=ReportReviewSerializer, responses={200: AnnualReportSerializer})
    def post(self, request, pk):
        report = found(selectors.report_get_for_official(official=request.user, pk=pk))
        if not official_supervises(request.user, report.organisation.division_id):
            self.permission_denied(request, message=_("只有民政部门的监管人员可以审核年报。"))
        values = valid(ReportReviewSerializer, request)
        decision, comment = values["decision"], values.get("comment", "")
        if decision == "return":
            report = report_services.annual_report_return(
                report=report, official=request.user, comment=comment, request=request
            )
        else:
            report = report_services.annual_report_review(
                report=report,
                official=request.user,
                result=decision,
                comment=comment,
                request=request,
            )
        return Response(AnnualReportSerializer(report).data)


# --- Evaluations ----------------------------------------------------------------------------------


class OrgEvaluationsApi(APIView):
    """The organisation's evaluations, revoked ones included (public, GET); the supervising
    official records a new one (POST)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: EvaluationSerializer(many=True)})
    def get(self, request, credit_code):
        org = found(selectors.org_get_public(credit_code=credit_code))
        evaluations = selectors.evaluations_of(org).select_related("organisation")
        return Response(EvaluationSerializer(evaluations[:SUBLIST_LIMIT], many=True).data)

    @extend_schema(request=EvaluationWriteSerializer, responses={201: EvaluationSerializer})
    def post(self, request, credit_code):
        org = _supervised_org(self, request, credit_code)
        values = valid(EvaluationWriteSerializer, request)
        evaluation = evaluation_services.evaluation_record(
            organisation=org, official=request.user, data=values, request=request
        )
        return Response(EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)


class EvaluationRevokeApi(APIView):
    permission_classes = [IsOfficial]

    @extend_schema(request=EvaluationRevokeSerializer, responses={200: EvaluationSerializer})
    def post(self, request, pk):
        evaluation = found(selectors.evaluation_get_for_official(official=request.user, pk=pk))
        if not official_supervises(request.user, evaluation.organisation.division_id):
            self.permission_denied(request, message=_("只有民政部门的监管人员可以撤销评估等级。"))
        values = valid(EvaluationRevokeSerializer, request)
        evaluation = evaluation_services.evaluation_revoke(
            evaluation=evaluation, official=request.user, reason=values["reason"], request=request
        )
        return Response(EvaluationSerializer(evaluation).data)


ORG = "orgs/<creditcode:credit_code>/"

routes: list = [
    path("orgs/", OrgListApi.as_view(), name="api-socialorg-list"),
    path(ORG, OrgDetailApi.as_view(), name="api-socialorg-detail"),
    path(f"{ORG}status/", OrgStatusApi.as_view(), name="api-socialorg-status"),
    path(f"{ORG}charity/", OrgCharityApi.as_view(), name="api-socialorg-charity"),
    path(f"{ORG}owner/", OrgOwnerApi.as_view(), name="api-socialorg-owner"),
    path(f"{ORG}members/", OrgMembersApi.as_view(), name="api-socialorg-members"),
    path(f"{ORG}reports/", OrgReportsApi.as_view(), name="api-socialorg-reports"),
    path(f"{ORG}evaluations/", OrgEvaluationsApi.as_view(), name="api-socialorg-evaluations"),
    path("reports/<int:pk>/review/", ReportReviewApi.as_view(), name="api-socialorg-report-review"),
    path(
        "evaluations/<int:pk>/revoke/",
        EvaluationRevokeApi.as_view(),
        name="api-socialorg-evaluation-revoke",
    ),
]
