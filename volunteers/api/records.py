"""Volunteers API of disputes and certificates: a volunteer disputes one of their hour
records, the organiser resolves it; a volunteer issues, lists, downloads and revokes their
certificates; anyone verifies a certificate's code (rate-limited).

Thin views: reads through volunteers.selectors (an object the caller may not see is a 404),
writes through volunteers.services (rules, transactions, audit).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.permissions import IsResident
from portal.schema import ErrorSerializer
from providers.throttles import VerifyThrottle
from volunteers import selectors, services
from volunteers.api.common import found, valid
from volunteers.certificate_pdf import certificate_pdf_response
from volunteers.serializers.records import (
    HourDisputeResolutionSerializer,
    HourDisputeSerializer,
    HourDisputeWriteSerializer,
    ManagedHourDisputeSerializer,
    VolunteerCertificateIssueSerializer,
    VolunteerCertificateSerializer,
    VolunteerCertificateVerificationSerializer,
    VolunteerCertificateVerifyQuerySerializer,
)

LIST_LIMIT = 500


# --- Disputes -----------------------------------------------------------------------------------


class HourDisputeRaiseApi(APIView):
    """The volunteer disputes one of their own hour records (within the dispute period)."""

    permission_classes = [IsResident]

    @extend_schema(request=HourDisputeWriteSerializer, responses={201: HourDisputeSerializer})
    def post(self, request, pk):
        record = found(selectors.hour_record_get_for_volunteer(user=request.user, pk=pk))
        values = valid(HourDisputeWriteSerializer, request)
        dispute = services.hour_dispute_raise(record=record, user=request.user, **values)
        return Response(HourDisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)


class MyDisputesApi(APIView):
    """The signed-in volunteer's own disputes, newest first."""

    permission_classes = [IsResident]

    @extend_schema(responses={200: HourDisputeSerializer(many=True)})
    def get(self, request):
        disputes = selectors.dispute_list_for_volunteer(user=request.user)[:LIST_LIMIT]
        return Response(HourDisputeSerializer(disputes, many=True).data)


class OrganisationDisputesApi(APIView):
    """The organisation's open disputes, oldest first, for its managers."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ManagedHourDisputeSerializer(many=True)})
    def get(self, request, pk):
        organisation = found(selectors.organisation_get_for_manager(user=request.user, pk=pk))
        disputes = selectors.dispute_list_open_for_organisation(organisation=organisation)
        return Response(ManagedHourDisputeSerializer(disputes[:LIST_LIMIT], many=True).data)


class DisputeResolutionApi(APIView):
    """A manager of the activity's organisation upholds (correcting and confirming the
    record) or dismisses a dispute; overlapping confirmed time is refused (409)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=HourDisputeResolutionSerializer, responses={200: ManagedHourDisputeSerializer}
    )
    def post(self, request, pk):
        dispute = found(selectors.dispute_get_for_manager(user=request.user, pk=pk))
        values = valid(HourDisputeResolutionSerializer, request)
        dispute = services.hour_dispute_resolve(dispute=dispute, actor=request.user, **values)
        return Response(ManagedHourDisputeSerializer(dispute).data)


# --- Certificates -------------------------------------------------------------------------------


class MyCertificatesApi(APIView):
    """The volunteer's certificates (GET); issue one over a period of confirmed hours (POST)."""

    permission_classes = [IsResident]

    @extend_schema(responses={200: VolunteerCertificateSerializer(many=True)})
    def get(self, request):
        certificates = selectors.certificate_list_for_user(user=request.user)[:LIST_LIMIT]
        return Response(VolunteerCertificateSerializer(certificates, many=True).data)

    @extend_schema(
        request=VolunteerCertificateIssueSerializer, responses={201: VolunteerCertificateSerializer}
    )
    def post(self, request):
        # Before the input is read: a resident who is not a volunteer gets a 403, not a 400.
        services.require_volunteer(request.user)
        values = valid(VolunteerCertificateIssueSerializer, request)
        certificate = services.certificate_issue(user=request.user, **values)
        return Response(
            VolunteerCertificateSerializer(certificate).data, status=status.HTTP_201_CREATED
        )


class PdfDownload(BaseContentNegotiation):
    """The answer is a PDF (not rendered by DRF) or an error in JSON, whatever the client's
    Accept header says (`Accept: application/pdf` must not turn an answer into a 406)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class CertificatePdfApi(APIView):
    """The certificate as a PDF, for its holder only (anyone else: 404)."""

    permission_classes = [IsResident]
    content_negotiation_class = PdfDownload

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        certificate = found(selectors.certificate_get_for_owner(user=request.user, pk=pk))
        return certificate_pdf_response(certificate)


class CertificateRevokeApi(APIView):
    """The holder voids a certificate; its code then verifies as revoked."""

    permission_classes = [IsResident]

    @extend_schema(request=None, responses={200: VolunteerCertificateSerializer})
    def post(self, request, pk):
        certificate = found(selectors.certificate_get_for_owner(user=request.user, pk=pk))
        certificate = services.certificate_revoke(certificate=certificate, user=request.user)
        return Response(VolunteerCertificateSerializer(certificate).data)


class CertificateVerifyApi(APIView):
    """Public verification of a certificate's code: the masked holder, the period and hours,
    valid or revoked. No ID number or phone, ever. Rate-limited per client address."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [VerifyThrottle]

    @extend_schema(
        parameters=[VolunteerCertificateVerifyQuerySerializer],
        responses={
            200: VolunteerCertificateVerificationSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No certificate has this code."),
        },
    )
    def get(self, request):
        query = VolunteerCertificateVerifyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = selectors.certificate_verify(query.validated_data["code"])
        if result is None:
            return Response(
                {"detail": _("未找到该证明，请核对验证码。"), "code": "not_found", "fields": {}},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(VolunteerCertificateVerificationSerializer(result).data)
