"""Providers API: organisations, their review, branches, licences, staff; the review queue;
public verification. Reads are scoped by selectors; writes go through providers.services."""

from __future__ import annotations

import uuid

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.permissions import IsOfficial, IsProviderStaff, is_staff_of, official_covers
from portal.audit.services import audit_record
from portal.schema import AnyOf
from providers import selectors
from providers.filters import ProviderFilter
from providers.models import Certificate, Provider, StaffMember
from providers.serializers import (
    BranchSerializer,
    CertificateSerializer,
    LicenceSerializer,
    LicenceUploadSerializer,
    ProviderDetailSerializer,
    ProviderSerializer,
    ProviderWriteSerializer,
    PublicStaffSerializer,
    ReviewEventSerializer,
    RevokeSerializer,
    StaffSerializer,
    StaffWriteSerializer,
    TransitionSerializer,
    VerificationResultSerializer,
    VerifyQuerySerializer,
)
from providers.services import licences, registration, review, staff
from providers.throttles import VerifyThrottle


def provider_for_member(request, pk) -> Provider:
    provider = selectors.provider_get_for_staff(user=request.user, pk=pk)
    if provider is None:
        raise Http404
    return provider


def provider_for_reader(request, pk) -> Provider:
    """Members and the officials covering it read everything about an organisation."""
    provider = Provider.objects.select_related("division").filter(pk=pk).first()
    if provider is None or not (
        is_staff_of(request.user, provider.pk)
        or official_covers(request.user, provider.division_id)
    ):
        raise Http404
    return provider


# An organisation's branches, licences, staff and review events come as one plain list: no
# pages, and the organisation list's filters do not apply.
_SUBLIST = {"pagination_class": None, "filter_backends": []}


class ProviderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Officials see their jurisdiction, staff their own organisations, everyone else the
    approved ones. Staff register organisations and edit them; decisions go to `transitions`."""

    permission_classes = [AllowAny]
    filterset_class = ProviderFilter
    queryset = Provider.objects.none()
    ordering_fields = ["name", "created_at", "submitted_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.provider_list_visible(viewer=self.request.user)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Ids are UUIDs (the other apps' provider URLs say `<uuid:pk>`): anything else names no
        # provider, a 404, rather than a lookup that fails validation (400).
        pk = kwargs.get("pk")
        if pk is not None:
            try:
                uuid.UUID(pk)
            except ValueError:
                raise Http404 from None

    serializer_class = ProviderSerializer

    @extend_schema(
        responses={
            200: AnyOf(ProviderDetailSerializer, ProviderSerializer, component_name="ProviderView")
        }
    )
    def retrieve(self, request, pk=None):
        """Members and covering officials also get the legal representative and review state
        (an audited read); anyone else what the public sees."""
        provider = self.get_object()
        if is_staff_of(request.user, provider.pk) or official_covers(
            request.user, provider.division_id
        ):
            audit_record(
                actor=request.user,
                action="personal_data.read",
                target=provider,
                detail={
                    "fields": ["legal_representative"],
                    "purpose": "staff_management"
                    if is_staff_of(request.user, provider.pk)
                    else "registration_review",
                },
                request=request,
            )
            return Response(ProviderDetailSerializer(provider).data)
        return Response(ProviderSerializer(provider).data)

    @extend_schema(request=ProviderWriteSerializer, responses={201: ProviderDetailSerializer})
    def create(self, request):
        if not IsProviderStaff().has_permission(request, self):
            self.permission_denied(request, message=IsProviderStaff.message)
        data = ProviderWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        provider = registration.provider_create(
            owner=request.user, division_code=values.pop("division"), **values
        )
        return Response(ProviderDetailSerializer(provider).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProviderWriteSerializer, responses={200: ProviderDetailSerializer})
    def partial_update(self, request, pk=None):
        provider = provider_for_member(request, pk)
        data = ProviderWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        provider = registration.provider_update(
            provider=provider, actor=request.user, **data.validated_data
        )
        return Response(ProviderDetailSerializer(provider).data)

    @extend_schema(request=TransitionSerializer, responses={200: ProviderDetailSerializer})
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk=None):
        """Submit (owner) or decide (official in jurisdiction): approve, reject, return,
        suspend, reinstate, revoke. Reasons are required except to submit or approve."""
        provider = Provider.objects.filter(pk=pk).first()
        if provider is None or not (
            is_staff_of(request.user, provider.pk)
            or official_covers(request.user, provider.division_id)
        ):
            raise Http404
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        provider = review.provider_transition(
            provider=provider, actor=request.user, request=request, **data.validated_data
        )
        return Response(ProviderDetailSerializer(provider).data)

    @extend_schema(responses={200: ReviewEventSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="review-events", **_SUBLIST)
    def review_events(self, request, pk=None):
        provider = provider_for_reader(request, pk)
        return Response(ReviewEventSerializer(provider.review_events.all(), many=True).data)

    @extend_schema(methods=["get"], responses={200: BranchSerializer(many=True)})
    @extend_schema(methods=["post"], request=BranchSerializer, responses={201: BranchSerializer})
    @action(detail=True, methods=["get", "post"], **_SUBLIST)
    def branches(self, request, pk=None):
        if request.method == "GET":
            provider = Provider.objects.filter(pk=pk).first()
            visible = provider is not None and (
                provider.is_public
                or is_staff_of(request.user, provider.pk)
                or official_covers(request.user, provider.division_id)
            )
            if not visible:
                raise Http404
            branches = provider.branches.select_related("division")
            return Response(BranchSerializer(branches, many=True).data)
        provider = provider_for_member(request, pk)
        data = BranchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        branch = registration.branch_create(
            provider=provider, actor=request.user, data=dict(data.validated_data)
        )
        return Response(BranchSerializer(branch).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], responses={200: LicenceSerializer(many=True)})
    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": LicenceUploadSerializer},
        responses={201: LicenceSerializer},
    )
    @action(detail=True, methods=["get", "post"], **_SUBLIST)
    def licences(self, request, pk=None):
        if request.method == "GET":
            provider = provider_for_reader(request, pk)
            return Response(LicenceSerializer(provider.licences.all(), many=True).data)
        provider = provider_for_member(request, pk)
        data = LicenceUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        licence = licences.licence_add(provider=provider, actor=request.user, **data.validated_data)
        return Response(LicenceSerializer(licence).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"],
        responses={
            200: AnyOf(
                StaffSerializer, PublicStaffSerializer, component_name="StaffView", many=True
            )
        },
        description="Members and covering officials get full records (the read is audited); "
        "anyone else gets PublicStaff records of an approved organisation.",
    )
    @extend_schema(methods=["post"], request=StaffWriteSerializer, responses={201: StaffSerializer})
    @action(detail=True, methods=["get", "post"], **_SUBLIST)
    def staff(self, request, pk=None):
        if request.method == "GET":
            provider = Provider.objects.filter(pk=pk).first()
            if provider is None:
                raise Http404
            if not (
                is_staff_of(request.user, provider.pk)
                or official_covers(request.user, provider.division_id)
            ):
                if not provider.is_public:
                    raise Http404
                # The public: masked names, roles, experience, badges of valid certificates.
                members = provider.staff.filter(is_active=True).prefetch_related(
                    selectors.valid_certificates_prefetch()
                )
                return Response(PublicStaffSerializer(members, many=True).data)
            members = provider.staff.prefetch_related("certificates")
            audit_record(
                actor=request.user,
                action="personal_data.read",
                target=provider,
                detail={
                    "staff": [m.pk for m in members],
                    "fields": ["name"],
                    "purpose": "staff_management",
                },
                request=request,
            )
            return Response(StaffSerializer(members, many=True).data)
        provider = provider_for_member(request, pk)
        data = StaffWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        member = staff.staff_create(
            provider=provider, actor=request.user, id_number=values.pop("id_number"), data=values
        )
        return Response(StaffSerializer(member).data, status=status.HTTP_201_CREATED)


class CertificateCreateApi(APIView):
    """Add a certificate to a staff member of an organisation the caller works for."""

    permission_classes = [IsProviderStaff]

    @extend_schema(request=CertificateSerializer, responses={201: CertificateSerializer})
    def post(self, request, staff_id):
        member = StaffMember.objects.select_related("provider").filter(pk=staff_id).first()
        if member is None or not is_staff_of(request.user, member.provider_id):
            raise Http404
        data = CertificateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certificate = staff.certificate_add(staff=member, actor=request.user, **data.validated_data)
        return Response(CertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)


class CertificateRevokeApi(APIView):
    """An official covering the organisation revokes a certificate (forged or withdrawn)."""

    permission_classes = [IsOfficial]

    @extend_schema(request=RevokeSerializer, responses={200: CertificateSerializer})
    def post(self, request, certificate_id):
        certificate = (
            Certificate.objects.select_related("staff__provider").filter(pk=certificate_id).first()
        )
        if certificate is None or not official_covers(
            request.user, certificate.staff.provider.division_id
        ):
            raise Http404
        data = RevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certificate = staff.certificate_revoke(
            certificate=certificate, official=request.user, reason=data.validated_data["reason"]
        )
        return Response(CertificateSerializer(certificate).data)


class CertificateDeleteApi(APIView):
    """A member of the organisation removes a certificate record."""

    permission_classes = [IsProviderStaff]

    @extend_schema(responses={204: None})
    def delete(self, request, certificate_id):
        certificate = (
            Certificate.objects.select_related("staff__provider").filter(pk=certificate_id).first()
        )
        if certificate is None or not is_staff_of(request.user, certificate.staff.provider_id):
            raise Http404
        staff.certificate_delete(certificate=certificate, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReviewQueueApi(APIView):
    """Submitted organisations the official may decide, oldest first."""

    permission_classes = [IsOfficial]

    @extend_schema(responses={200: ProviderSerializer(many=True)})
    def get(self, request):
        queue = selectors.review_queue(official=request.user)[:200]
        return Response(ProviderSerializer(queue, many=True).data)


class VerifyApi(APIView):
    """Public verification of a credit code or a certificate number (rate-limited)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [VerifyThrottle]

    @extend_schema(
        parameters=[VerifyQuerySerializer], responses={200: VerificationResultSerializer(many=True)}
    )
    def get(self, request):
        query = VerifyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        results = selectors.verification_lookup(code=query.validated_data["code"])
        return Response(VerificationResultSerializer(results, many=True).data)
