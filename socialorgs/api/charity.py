"""Charity transparency API under /api/v1/socialorgs/charity/: projects, the chain's
verification and the traced flow (public, public fields only), online donations (residents:
pledges, on the chain once the charity confirms the money arrived) and the organisation's
ledger entries and confirmations (its owner and managers).

Thin views: reads through socialorgs.selectors.charity, writes through
socialorgs.services.charity; the permission is checked before the input is read.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.permissions import IsResident
from socialorgs.api.common import found, valid
from socialorgs.models import ChainEntry, DonationPledge, FundraisingProject
from socialorgs.selectors import charity as selectors
from socialorgs.serializers.charity import (
    ChainReportSerializer,
    EntryRecordedSerializer,
    EntryWriteSerializer,
    FlowSerializer,
    OnlineDonationSerializer,
    PledgeCancelSerializer,
    PledgeSerializer,
    ProjectSerializer,
)
from socialorgs.services import charity as services
from socialorgs.services.common import require_org_manager


def _project(filing_number: str) -> FundraisingProject:
    return found(selectors.project_get_public(filing_number=filing_number))


def _pledged(pledge: DonationPledge, created_status=status.HTTP_200_OK) -> Response:
    code = status.HTTP_200_OK if pledge.replayed else created_status
    return Response(PledgeSerializer(pledge).data, status=code)


def _recorded(entry: ChainEntry) -> Response:
    code = status.HTTP_200_OK if entry.replayed else status.HTTP_201_CREATED
    return Response(EntryRecordedSerializer(entry).data, status=code)


class ProjectListApi(generics.ListAPIView):
    """Every fundraising project with its totals (open ones first)."""

    permission_classes = [AllowAny]
    serializer_class = ProjectSerializer
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Words of the title, organisation or group."),
            OpenApiParameter("status", str, enum=FundraisingProject.Status.values),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        return selectors.project_list_public(
            q=(params.get("q") or "").strip()[:100], status=params.get("status") or ""
        )


class ProjectDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ProjectSerializer})
    def get(self, request, filing_number):
        return Response(ProjectSerializer(_project(filing_number)).data)


class ProjectVerifyApi(APIView):
    """Recompute the project's chain: every entry's hash in seq order from its stored fields,
    the links and the anchor; `failure` names the first broken entry and what was done."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: ChainReportSerializer})
    def get(self, request, filing_number):
        report = selectors.chain_verify(_project(filing_number))
        return Response(ChainReportSerializer(report).data)


class ProjectFlowApi(APIView):
    """The traced flow: totals, the entries in order (public names only), and which donations
    funded which disbursement (first in, first out)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: FlowSerializer})
    def get(self, request, filing_number):
        project = _project(filing_number)
        flow = selectors.project_flow(project)
        return Response(FlowSerializer({"filing_number": project.filing_number, **flow}).data)


class ProjectDonateApi(APIView):
    """A signed-in resident donates online: a pledge (201; 200 with the same pledge when the
    request key was sent before). Nothing reaches the chain yet: the resident pays through
    the charity's published fundraising account or platform, noting the pledge's
    `reference`; once the charity confirms the money arrived the donation is on the traced
    flow and the donor is sent their receipt code."""

    permission_classes = [IsResident]

    @extend_schema(
        request=OnlineDonationSerializer,
        responses={201: PledgeSerializer, 200: PledgeSerializer},
    )
    def post(self, request, filing_number):
        project = _project(filing_number)
        values = valid(OnlineDonationSerializer, request)
        pledge = services.pledge_create(project=project, user=request.user, **values)
        return _pledged(pledge, status.HTTP_201_CREATED)


class MyPledgesApi(APIView):
    """The signed-in resident's own online donations (pledges), newest first: their status,
    and the receipt code of each confirmed one."""

    permission_classes = [IsResident]

    @extend_schema(responses={200: PledgeSerializer(many=True)})
    def get(self, request):
        pledges = selectors.pledge_list_for_donor(user=request.user)
        return Response(PledgeSerializer(pledges, many=True).data)


def _pledge(filing_number: str, pledge_id: int) -> DonationPledge:
    return found(selectors.pledge_get(project=_project(filing_number), pk=pledge_id))


class PledgeConfirmApi(APIView):
    """The organisation's owner or a manager confirms the pledged money arrived: the donation
    is appended to the chain (once: confirming again answers the same pledge, `replayed`) and
    the donor is sent their receipt code."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: PledgeSerializer})
    def post(self, request, filing_number, pledge_id):
        pledge = _pledge(filing_number, pledge_id)
        return _pledged(services.pledge_confirm(pledge=pledge, actor=request.user))


class PledgeCancelApi(APIView):
    """Cancel a pending pledge: the organisation's owner or a manager when the money did not
    arrive (with a reason; the donor is told), or the donor their own. Nothing reaches the
    chain; cancelling again answers the same pledge (`replayed`)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PledgeCancelSerializer, responses={200: PledgeSerializer})
    def post(self, request, filing_number, pledge_id):
        pledge = _pledge(filing_number, pledge_id)
        services.pledge_require_decider(request.user, pledge, donor_may=True)
        values = valid(PledgeCancelSerializer, request)
        pledge = services.pledge_cancel(
            pledge=pledge, actor=request.user, reason=values.get("reason", "")
        )
        return _pledged(pledge)


class ProjectEntriesApi(APIView):
    """The organisation's owner or a manager records a donation received or a disbursement
    made (201; 200 with the same entry when the request key was sent before)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=EntryWriteSerializer,
        responses={201: EntryRecordedSerializer, 200: EntryRecordedSerializer},
    )
    def post(self, request, filing_number):
        project = _project(filing_number)
        require_org_manager(request.user, project.organisation)
        values = valid(EntryWriteSerializer, request)
        common = {
            "project": project,
            "actor": request.user,
            "amount_yuan": values["amount_yuan"],
            "occurred_on": values["occurred_on"],
            "party_kind": values["party_kind"],
            "request_key": values["request_key"],
        }
        if values["kind"] == ChainEntry.Kind.DONATION:
            entry = services.donation_record(
                **common, donor_name=values["donor_name"], anonymous=values["anonymous"]
            )
        else:
            entry = services.disbursement_record(
                **common, beneficiary_name=values["beneficiary_name"], purpose=values["purpose"]
            )
        return _recorded(entry)


routes: list = [
    path("charity/", ProjectListApi.as_view(), name="api-charity-projects"),
    path("charity/me/pledges/", MyPledgesApi.as_view(), name="api-charity-my-pledges"),
    path("charity/<str:filing_number>/", ProjectDetailApi.as_view(), name="api-charity-project"),
    path(
        "charity/<str:filing_number>/verify/",
        ProjectVerifyApi.as_view(),
        name="api-charity-verify",
    ),
    path("charity/<str:filing_number>/flow/", ProjectFlowApi.as_view(), name="api-charity-flow"),
    path(
        "charity/<str:filing_number>/donations/",
        ProjectDonateApi.as_view(),
        name="api-charity-donate",
    ),
    path(
        "charity/<str:filing_number>/entries/",
        ProjectEntriesApi.as_view(),
        name="api-charity-entries",
    ),
    path(
        "charity/<str:filing_number>/pledges/<int:pledge_id>/confirm/",
        PledgeConfirmApi.as_view(),
        name="api-charity-pledge-confirm",
    ),
    path(
        "charity/<str:filing_number>/pledges/<int:pledge_id>/cancel/",
        PledgeCancelApi.as_view(),
        name="api-charity-pledge-cancel",
    ),
]
