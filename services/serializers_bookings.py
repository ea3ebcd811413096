"""API serializers for bookings, payments, a resident's records, plans and contracts.

Input serializers only parse; the rules are in services.services.*. Output for provider staff
masks the person's name and phone (the booking detail page is where staff see them, logged).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from services.models import (
    Address,
    Booking,
    Dependant,
    FamilyDoctorContract,
    FamilyDoctorPackage,
    Payment,
    Plan,
    PlanOccurrence,
    PrepaidPackage,
)
from services.services.bookings import DESK_ACTIONS


class PaymentSerializer(serializers.ModelSerializer):
    held_fen = serializers.IntegerField(read_only=True)
    cashier_url = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "booking",
            "package",
            "amount_fen",
            "held_fen",
            "captured_fen",
            "refunded_fen",
            "status",
            "gateway",
            "gateway_reference",
            "cashier_url",
            "created_at",
        ]

    def get_cashier_url(self, payment) -> str | None:
        if payment.status != Payment.Status.PENDING:
            return None
        from services.services.payments import payment_cashier_url

        return payment_cashier_url(payment)


class BookingSerializer(serializers.ModelSerializer):
    """A booking as its resident sees it."""

    listing_title = serializers.CharField(source="listing.title", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "reference",
            "listing",
            "listing_title",
            "provider",
            "provider_name",
            "slot",
            "starts_at",
            "ends_at",
            "dependant",
            "address",
            "status",
            "price_fen",
            "free_cancel_hours",
            "late_cancel_fee_pct",
            "confirm_by",
            "note",
            "plan",
            "payments",
            "created_at",
        ]


class DeskBookingSerializer(serializers.ModelSerializer):
    """A booking on the provider's desk: the person masked."""

    listing_title = serializers.CharField(source="listing.title", read_only=True)
    person = serializers.SerializerMethodField()
    phone = serializers.CharField(source="resident.masked_phone", read_only=True)
    staff_name = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "id",
            "reference",
            "listing",
            "listing_title",
            "starts_at",
            "ends_at",
            "person",
            "phone",
            "status",
            "staff",
            "staff_name",
            "price_fen",
            "confirm_by",
        ]

    def get_person(self, booking) -> str:
        return (
            booking.dependant.masked_name if booking.dependant_id else booking.resident.masked_name
        )

    def get_staff_name(self, booking) -> str | None:
        return booking.staff.masked_name if booking.staff_id else None


class BookingCreateSerializer(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1)
    dependant = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    address = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    use_package = serializers.BooleanField(required=False, default=False)
    idempotency_key = serializers.CharField(
        max_length=64,
        required=False,
        help_text=_("也可用请求头 Idempotency-Key 传入；同一键重复提交只生成一个预约。"),
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RescheduleSerializer(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1)


class QuoteSerializer(serializers.Serializer):
    free = serializers.BooleanField()
    fee_fen = serializers.IntegerField()
    refund_fen = serializers.IntegerField()
    free_until = serializers.DateTimeField()


class BulkItemSerializer(serializers.Serializer):
    booking = serializers.UUIDField()
    action = serializers.ChoiceField(choices=DESK_ACTIONS)
    staff = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class BulkSerializer(serializers.Serializer):
    items = BulkItemSerializer(many=True, allow_empty=False, max_length=500)


class DependantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dependant
        fields = [
            "id",
            "name",
            "relationship",
            "gender",
            "birth_date",
            "phone",
            "care_notes",
            "authority",
            "authority_recorded_at",
        ]
        read_only_fields = ["authority_recorded_at"]


class AddressSerializer(serializers.ModelSerializer):
    division = serializers.CharField(max_length=9)

    class Meta:
        model = Address
        fields = ["id", "label", "division", "detail", "latitude", "longitude", "is_default"]

    def to_representation(self, address):
        data = super().to_representation(address)
        data["division"] = address.division_id
        return data


class PlanOccurrenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanOccurrence
        fields = ["date", "outcome", "booking"]


class PlanSerializer(serializers.ModelSerializer):
    occurrences = PlanOccurrenceSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "listing",
            "dependant",
            "address",
            "weekdays",
            "start_time",
            "starts_on",
            "ends_on",
            "status",
            "occurrences",
        ]
        read_only_fields = fields


class PlanCreateSerializer(serializers.Serializer):
    listing = serializers.IntegerField(min_value=1)
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), min_length=1, max_length=7
    )
    start_time = serializers.TimeField()
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False, allow_null=True)
    dependant = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    address = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class PlanStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Plan.Status.choices)


class PrepaidPackageSerializer(serializers.ModelSerializer):
    class Meta:
        model = PrepaidPackage
        fields = ["id", "listing", "uses_total", "uses_left", "price_fen", "valid_until", "status"]


class DoctorPackageSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    included_categories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = FamilyDoctorPackage
        fields = [
            "id",
            "provider",
            "provider_name",
            "name",
            "description",
            "included_categories",
            "annual_fee_fen",
            "term_months",
        ]


class ContractSerializer(serializers.ModelSerializer):
    class Meta:
        model = FamilyDoctorContract
        fields = ["id", "package", "dependant", "starts_on", "ends_on", "status", "signed_at"]
        read_only_fields = ["starts_on", "ends_on", "status", "signed_at"]


class ContractCreateSerializer(serializers.Serializer):
    package = serializers.IntegerField(min_value=1)
    dependant = serializers.IntegerField(min_value=1, required=False, allow_null=True)
