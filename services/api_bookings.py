"""Bookings API: residents book, pay, cancel and reschedule; provider staff work their desk
(and in bulk); residents keep family members, addresses, plans and family-doctor contracts;
the payment gateway posts its signed callbacks."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.permissions import IsProviderStaff, IsResident
from portal.schema import ErrorSerializer
from providers.api import provider_for_member
from providers.models import StaffMember
from services import selectors
from services.errors import PaymentError
from services.models import (
    Address,
    Booking,
    Dependant,
    FamilyDoctorContract,
    Listing,
    Payment,
    Plan,
)
from services.serializers_bookings import (
    AddressSerializer,
    BookingCreateSerializer,
    BookingSerializer,
    BulkSerializer,
    ContractCreateSerializer,
    ContractSerializer,
    DependantSerializer,
    DeskBookingSerializer,
    DoctorPackageSerializer,
    PaymentSerializer,
    PlanCreateSerializer,
    PlanSerializer,
    PlanStatusSerializer,
    QuoteSerializer,
    ReasonSerializer,
    RescheduleSerializer,
)
from services.services import bookings, doctor, payments, plans, residents

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description=_("同一键重复提交只生成一个预约（1–64 个字符）。"),
)


def _mine(queryset, pk, field: str):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ValidationError({field: [_("没有这条记录，或它不属于您。")]})
    return obj


def _optional(queryset, pk, field):
    return None if pk is None else _mine(queryset, pk, field)


class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """My bookings. Create with an `Idempotency-Key`: a retry returns the first booking (200)."""

    permission_classes = [IsResident]
    serializer_class = BookingSerializer
    queryset = Booking.objects.none()

    def get_queryset(self):
        when = self.request.query_params.get("when", "all")
        if when not in ("all", "upcoming", "past"):
            raise ValidationError({"when": [_("应为 all、upcoming 或 past。")]})
        return selectors.booking_list_for_resident(
            user=self.request.user, when=when
        ).prefetch_related("payments")

    @extend_schema(
        request=BookingCreateSerializer,
        responses={201: BookingSerializer, 200: BookingSerializer},
        parameters=[IDEMPOTENCY_HEADER],
    )
    def create(self, request):
        data = BookingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        key = request.headers.get("Idempotency-Key") or values.get("idempotency_key") or ""
        user = request.user
        existed = (
            Booking.objects.filter(resident=user, idempotency_key=key).exists() if key else False
        )
        booking = bookings.booking_create(
            resident=user,
            slot_id=values["slot"],
            idempotency_key=key,
            dependant=_optional(
                selectors.dependant_list(user=user), values.get("dependant"), "dependant"
            ),
            address=_optional(selectors.address_list(user=user), values.get("address"), "address"),
            note=values["note"],
            use_package=values["use_package"],
        )
        booking = selectors.booking_get_for_resident(user=user, pk=booking.pk)
        return Response(
            BookingSerializer(booking).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @extend_schema(request=ReasonSerializer, responses={200: BookingSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        booking = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bookings.booking_transition(
            booking=booking,
            action="cancel",
            actor=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(
            BookingSerializer(selectors.booking_get_for_resident(user=request.user, pk=pk)).data
        )

    @extend_schema(request=RescheduleSerializer, responses={200: BookingSerializer})
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        booking = self.get_object()
        data = RescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bookings.booking_reschedule(
            booking=booking, new_slot_id=data.validated_data["slot"], actor=request.user
        )
        return Response(
            BookingSerializer(selectors.booking_get_for_resident(user=request.user, pk=pk)).data
        )

    @extend_schema(responses={200: QuoteSerializer})
    @action(detail=True, methods=["get"], url_path="cancellation-quote")
    def cancellation_quote(self, request, pk=None):
        quote = bookings.booking_cancellation_quote(booking=self.get_object())
        return Response(QuoteSerializer(quote).data)


class ProviderBookingsApi(ListAPIView):
    """The provider's desk: `view` = today, upcoming, requested or past; `status` filters."""

    permission_classes = [IsProviderStaff]
    serializer_class = DeskBookingSerializer
    queryset = Booking.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("view", str, enum=list(selectors.DESK_VIEWS)),
            OpenApiParameter("status", str, enum=Booking.Status.values),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        provider = provider_for_member(self.request, self.kwargs["pk"])
        view = self.request.query_params.get("view", "upcoming")
        state = self.request.query_params.get("status", "")
        if view not in selectors.DESK_VIEWS:
            raise ValidationError({"view": [_("未知的视图。")]})
        if state and state not in Booking.Status.values:
            raise ValidationError({"status": [_("未知的状态。")]})
        return selectors.booking_list_for_provider(provider=provider, view=view, status=state)


class ProviderBookingsBulkApi(APIView):
    """Many desk actions at once (confirm, decline, start, complete, no_show,
    cancel_by_provider, assign): all applied, or none with each failing item's error."""

    permission_classes = [IsProviderStaff]

    @extend_schema(request=BulkSerializer, responses={200: DeskBookingSerializer(many=True)})
    def post(self, request, pk):
        provider = provider_for_member(request, pk)
        data = BulkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        items = []
        staff = {m.pk: m for m in StaffMember.objects.filter(provider=provider)}
        for index, item in enumerate(data.validated_data["items"]):
            item = dict(item)
            if item["action"] == "assign" and item.get("staff") is not None:
                if item["staff"] not in staff:
                    raise ValidationError(
                        {"items": {str(index): [_("请选择本机构在职的服务人员。")]}}
                    )
                item["staff"] = staff[item["staff"]]
            items.append(item)
        done = bookings.bookings_bulk_apply(provider=provider, actor=request.user, items=items)
        return Response(DeskBookingSerializer(done, many=True).data)


class GatewayCallbackApi(APIView):
    """Where a payment gateway posts its notifications: signed, applied once."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter(
                "X-Sandbox-Signature",
                str,
                OpenApiParameter.HEADER,
                description="The gateway's HMAC of the raw body.",
            )
        ],
        responses={
            200: inline_serializer(
                "GatewayAck",
                {
                    "status": serializers.ChoiceField(choices=Payment.Status.choices),
                    "reference": serializers.CharField(),
                },
            ),
            403: OpenApiResponse(ErrorSerializer, description="The signature does not match."),
        },
    )
    def post(self, request, gateway):
        if gateway != "sandbox":
            raise Http404
        signature = request.headers.get("X-Sandbox-Signature", "")
        try:
            payment = payments.callback_receive(
                gateway=gateway, body=request.body, signature=signature
            )
        except PaymentError as exc:
            if exc.code == "bad_signature":
                exc.status = 403
            raise
        return Response({"status": payment.status, "reference": payment.gateway_reference})


class DependantViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """My family members (子女代订)."""

    permission_classes = [IsResident]
    serializer_class = DependantSerializer
    queryset = Dependant.objects.none()
    pagination_class = None

    def get_queryset(self):
        return selectors.dependant_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = residents.dependant_add(
            owner=self.request.user, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        residents.dependant_remove(owner=self.request.user, dependant=instance)


class AddressViewSet(viewsets.ModelViewSet):
    """My saved addresses (used for at-home services and "near my address" search)."""

    permission_classes = [IsResident]
    serializer_class = AddressSerializer
    queryset = Address.objects.none()
    pagination_class = None
    http_method_names = ["get", "post", "put", "delete"]

    def get_queryset(self):
        return selectors.address_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = residents.address_save(
            owner=self.request.user, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = residents.address_save(
            owner=self.request.user, data=serializer.validated_data, address=serializer.instance
        )

    def perform_destroy(self, instance):
        residents.address_delete(owner=self.request.user, address=instance)


class MyPaymentsApi(ListAPIView):
    """My payments and refunds, with what is still held in escrow."""

    permission_classes = [IsResident]
    serializer_class = PaymentSerializer
    queryset = Booking.objects.none()

    def get_queryset(self):
        return selectors.payment_list_for_resident(user=self.request.user)


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """My weekly plans; the job books ahead and records each date's outcome."""

    permission_classes = [IsResident]
    serializer_class = PlanSerializer
    queryset = Plan.objects.none()

    def get_queryset(self):
        return selectors.plan_list_for_resident(user=self.request.user)

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer})
    def create(self, request):
        data = PlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = request.user
        listing = selectors.listing_get_public(pk=values.pop("listing"))
        if listing is None:
            raise ValidationError({"listing": [_("没有这项服务。")]})
        values["dependant"] = _optional(
            selectors.dependant_list(user=user), values.get("dependant"), "dependant"
        )
        values["address"] = _optional(
            selectors.address_list(user=user), values.get("address"), "address"
        )
        plan = plans.plan_create(resident=user, listing=listing, data=values)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanStatusSerializer, responses={200: PlanSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        plan = self.get_object()  # someone else's plan is a 404 before the body is read
        data = PlanStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = plans.plan_set_status(
            plan=plan, actor=request.user, status=data.validated_data["status"]
        )
        return Response(PlanSerializer(plan).data)


class DoctorPackageListApi(ListAPIView):
    """Family-doctor packages open for signing."""

    permission_classes = [AllowAny]
    serializer_class = DoctorPackageSerializer
    queryset = Listing.objects.none()

    def get_queryset(self):
        return selectors.doctor_package_list_public()


class ContractViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """My family-doctor contracts: sign, renew."""

    permission_classes = [IsResident]
    serializer_class = ContractSerializer
    queryset = FamilyDoctorContract.objects.none()

    def get_queryset(self):
        return selectors.contract_list_for_resident(user=self.request.user)

    @extend_schema(request=ContractCreateSerializer, responses={201: ContractSerializer})
    def create(self, request):
        data = ContractCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        package = _mine(
            selectors.doctor_package_list_public(), data.validated_data["package"], "package"
        )
        dependant = _optional(
            selectors.dependant_list(user=request.user),
            data.validated_data.get("dependant"),
            "dependant",
        )
        contract = doctor.contract_sign(resident=request.user, package=package, dependant=dependant)
        return Response(ContractSerializer(contract).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: ContractSerializer})
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        contract = self.get_object()
        renewal = doctor.contract_renew(contract=contract, actor=request.user)
        return Response(ContractSerializer(renewal).data, status=status.HTTP_201_CREATED)
