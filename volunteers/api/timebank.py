"""Time-bank API under /api/v1/volunteers/: my accounts and statements, transfers to family,
the services hours can be spent on, redemptions and an organisation's queue.

Thin views: reads through volunteers.selectors (an object the caller may not see is a 404),
writes through volunteers.services.timebank. There is no operation that pays hours out.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.permissions import IsResident
from portal.schema import ErrorSerializer
from volunteers import selectors
from volunteers.api.common import found, valid
from volunteers.models import TimeBankAccount
from volunteers.serializers.timebank import (
    ManagedRedemptionSerializer,
    MyTimeBankSerializer,
    RedemptionQueueQuerySerializer,
    RedemptionSerializer,
    RedemptionWriteSerializer,
    StatementSerializer,
    TimeBankServiceSearchSerializer,
    TimeBankServiceSerializer,
    TimeBankServiceWriteSerializer,
    TransferSerializer,
    TransferWriteSerializer,
)
from volunteers.services import timebank

LIST_LIMIT = 500
NOT_YOURS = OpenApiResponse(
    ErrorSerializer,
    description="The family member named in the body is not one of the caller's (or none).",
)


def _volunteer(request):
    """The caller's volunteer record: asked before the input is read (403 first, not 400)."""
    return timebank.timebank_volunteer(request.user)


# --- The volunteer's accounts -------------------------------------------------------------------


class MyTimeBankApi(APIView):
    """The caller's own account and the family accounts they keep (balances in minutes), and
    the family members who may receive hours today."""

    permission_classes = [IsResident]

    @extend_schema(responses={200: MyTimeBankSerializer})
    def get(self, request):
        targets = selectors.transfer_targets(user=request.user)
        data = {
            "accounts": selectors.timebank_accounts_for_user(user=request.user),
            "transfer_targets": [
                {"id": d.pk, "name": d.name, "relationship": d.get_relationship_display()}
                for d in targets
            ],
            "family_min_age": settings.VOLUNTEER_TIMEBANK_FAMILY_MIN_AGE,
            "expiry_months": settings.VOLUNTEER_TIMEBANK_EXPIRY_MONTHS,
        }
        return Response(MyTimeBankSerializer(data).data)


class StatementApi(APIView):
    """One of the caller's accounts with its latest postings and the balance after each."""

    permission_classes = [IsResident]

    @extend_schema(responses={200: StatementSerializer})
    def get(self, request, pk):
        account = found(selectors.timebank_account_get_for_user(user=request.user, pk=pk))
        lines = selectors.timebank_statement(account=account, limit=LIST_LIMIT)
        return Response(StatementSerializer({"account": account, "lines": lines}).data)


class TransferApi(APIView):
    """Give hours from the caller's own account to one of their own family members aged at
    least the configured minimum (60) today. The same request_id transfers once."""

    permission_classes = [IsResident]

    @extend_schema(
        request=TransferWriteSerializer,
        responses={201: TransferSerializer, 404: NOT_YOURS},
    )
    def post(self, request):
        volunteer = _volunteer(request)
        values = valid(TransferWriteSerializer, request)
        posted = timebank.timebank_transfer(
            user=request.user,
            dependant_id=values["dependant"],
            minutes=values["minutes"],
            note=values.get("note", ""),
            request_id=values.get("request_id"),
        )
        family = posted.postings.select_related("account").get(minutes__gt=0).account
        own = TimeBankAccount.objects.get(kind="personal", volunteer=volunteer)
        body = {
            "pk": posted.pk,
            "created_at": posted.created_at,
            "memo": posted.memo,
            "dependant": family.dependant_id,
            "minutes": values["minutes"],
            "balance_minutes": own.balance_minutes,
        }
        return Response(TransferSerializer(body).data, status=status.HTTP_201_CREATED)


# --- Services -----------------------------------------------------------------------------------


class TimeBankServiceListApi(mixins.ListModelMixin, generics.GenericAPIView):
    """Public: services banked hours can be spent on (active, approved organisations), by
    division (code prefix), kind and words."""

    permission_classes = [AllowAny]
    serializer_class = TimeBankServiceSerializer
    filter_backends: list = []

    def get_queryset(self):
        query = TimeBankServiceSearchSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        return selectors.timebank_service_list(
            division=values.get("division", ""),
            skill=values.get("skill", ""),
            text=values.get("q", ""),
        )

    @extend_schema(parameters=[TimeBankServiceSearchSerializer])
    def get(self, request):
        return self.list(request)


class OrganisationTimeBankServicesApi(APIView):
    """The organisation's time-bank services (any state) for its managers; list a new one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: TimeBankServiceSerializer(many=True)})
    def get(self, request, pk):
        organisation = found(selectors.organisation_get_for_manager(user=request.user, pk=pk))
        services = selectors.timebank_service_list_for_organisation(organisation=organisation)
        return Response(TimeBankServiceSerializer(services[:LIST_LIMIT], many=True).data)

    @extend_schema(
        request=TimeBankServiceWriteSerializer, responses={201: TimeBankServiceSerializer}
    )
    def post(self, request, pk):
        organisation = found(selectors.organisation_get_for_manager(user=request.user, pk=pk))
        values = valid(TimeBankServiceWriteSerializer, request)
        if "division" in values:
            values["division_code"] = values.pop("division")
        service = timebank.timebank_service_create(
            actor=request.user, organisation=organisation, **values
        )
        service = selectors.timebank_service_get_for_manager(user=request.user, pk=service.pk)
        return Response(TimeBankServiceSerializer(service).data, status=status.HTTP_201_CREATED)


class TimeBankServiceApi(APIView):
    """A manager changes a service: text, kind, place, price, or stops/resumes redemptions."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=TimeBankServiceWriteSerializer(partial=True),
        responses={200: TimeBankServiceSerializer},
    )
    def patch(self, request, pk):
        service = found(selectors.timebank_service_get_for_manager(user=request.user, pk=pk))
        data = TimeBankServiceWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "division" in values:
            values["division_code"] = values.pop("division")
        timebank.timebank_service_update(actor=request.user, service=service, **values)
        service = selectors.timebank_service_get_for_manager(user=request.user, pk=pk)
        return Response(TimeBankServiceSerializer(service).data)


# --- Redemptions --------------------------------------------------------------------------------


class RedemptionsApi(APIView):
    """The caller's redemptions, newest first (GET); spend hours on a service for oneself or
    for a family member from their family account (POST). The same request_id spends once."""

    permission_classes = [IsResident]

    @extend_schema(responses={200: RedemptionSerializer(many=True)})
    def get(self, request):
        redemptions = selectors.redemption_list_for_user(user=request.user)[:LIST_LIMIT]
        return Response(RedemptionSerializer(redemptions, many=True).data)

    @extend_schema(
        request=RedemptionWriteSerializer,
        responses={201: RedemptionSerializer, 404: NOT_YOURS},
    )
    def post(self, request):
        _volunteer(request)
        values = valid(RedemptionWriteSerializer, request)
        redemption = timebank.redemption_create(user=request.user, **values)
        redemption = selectors.redemption_get_for_requester_or_manager(
            user=request.user, pk=redemption.pk
        )
        return Response(RedemptionSerializer(redemption).data, status=status.HTTP_201_CREATED)


class RedemptionFulfilApi(APIView):
    """The organisation's manager records the service as delivered (again: no change)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ManagedRedemptionSerializer})
    def post(self, request, pk):
        redemption = found(selectors.redemption_get_for_manager(user=request.user, pk=pk))
        redemption = timebank.redemption_fulfil(redemption=redemption, actor=request.user)
        redemption = selectors.redemption_get_for_manager(user=request.user, pk=pk)
        return Response(ManagedRedemptionSerializer(redemption).data)


class RedemptionCancelApi(APIView):
    """The requester (while it waits) or the organisation's manager cancels; the hours go
    back to the account they came from, once."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ManagedRedemptionSerializer})
    def post(self, request, pk):
        redemption = found(
            selectors.redemption_get_for_requester_or_manager(user=request.user, pk=pk)
        )
        timebank.redemption_cancel(redemption=redemption, actor=request.user)
        redemption = selectors.redemption_get_for_requester_or_manager(user=request.user, pk=pk)
        return Response(ManagedRedemptionSerializer(redemption).data)


class OrganisationRedemptionsApi(APIView):
    """The organisation's redemptions for its managers: names masked, by status."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[RedemptionQueueQuerySerializer],
        responses={200: ManagedRedemptionSerializer(many=True)},
    )
    def get(self, request, pk):
        organisation = found(selectors.organisation_get_for_manager(user=request.user, pk=pk))
        query = RedemptionQueueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        redemptions = selectors.redemption_list_for_organisation(
            organisation=organisation, status=query.validated_data.get("status", "")
        )
        return Response(ManagedRedemptionSerializer(redemptions[:LIST_LIMIT], many=True).data)
