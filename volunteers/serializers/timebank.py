"""API serializers of the time bank. Input serializers shape and type-check; the rules (who
may give to whom, how much, when) live in volunteers.services.timebank, whose errors come back
as field errors in the same shape. No serializer has a money field: hours are never cashed."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.privacy import redact_identifiers
from volunteers.models import (
    Skill,
    TimeBankAccount,
    TimeBankPosting,
    TimeBankRedemption,
    TimeBankService,
)
from volunteers.selectors.timebank import holder_masked_name, timebank_service_get_available

# --- Accounts -----------------------------------------------------------------------------------


class AccountSerializer(serializers.ModelSerializer):
    """One of the volunteer's own accounts: theirs, or a family member's they keep."""

    holder = serializers.SerializerMethodField(help_text="Whose hours: the family member's name.")
    hours = serializers.CharField(help_text="The balance in hours, one decimal.")

    class Meta:
        model = TimeBankAccount
        fields = ["id", "kind", "dependant", "holder", "balance_minutes", "hours"]
        read_only_fields = fields

    def get_holder(self, account) -> str:
        return account.dependant.name if account.dependant_id else ""


class TransferTargetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    relationship = serializers.CharField()


class MyTimeBankSerializer(serializers.Serializer):
    accounts = AccountSerializer(many=True)
    transfer_targets = TransferTargetSerializer(
        many=True, help_text="Family members who may receive hours today."
    )
    family_min_age = serializers.IntegerField()
    expiry_months = serializers.IntegerField(help_text="0: banked hours never expire.")


class StatementLineSerializer(serializers.ModelSerializer):
    at = serializers.DateTimeField(source="transaction.created_at")
    kind = serializers.CharField(source="transaction.kind")
    memo = serializers.CharField(source="transaction.memo")
    balance_minutes = serializers.IntegerField(
        source="running", help_text="The balance after this line."
    )

    class Meta:
        model = TimeBankPosting
        fields = ["at", "kind", "memo", "minutes", "balance_minutes"]
        read_only_fields = fields


class StatementSerializer(serializers.Serializer):
    account = AccountSerializer()
    lines = StatementLineSerializer(many=True)


# --- Transfers ----------------------------------------------------------------------------------


class TransferWriteSerializer(serializers.Serializer):
    dependant = serializers.IntegerField(help_text="One of the caller's own family members.")
    minutes = serializers.IntegerField(help_text="A positive whole number of minutes.")
    note = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    request_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="Sent again with a repeated submission, it transfers once.",
    )


class TransferSerializer(serializers.Serializer):
    transaction = serializers.IntegerField(source="pk")
    at = serializers.DateTimeField(source="created_at")
    memo = serializers.CharField()
    dependant = serializers.IntegerField()
    minutes = serializers.IntegerField()
    balance_minutes = serializers.IntegerField(help_text="The caller's own balance after it.")


# --- Services -----------------------------------------------------------------------------------


class TimeBankServiceSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name")
    division = serializers.CharField(source="division_id")
    division_name = serializers.CharField(source="division.name")
    skill = serializers.ChoiceField(choices=Skill.choices)

    class Meta:
        model = TimeBankService
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "title",
            "skill",
            "description",
            "division",
            "division_name",
            "price_minutes",
            "active",
            "created_at",
        ]
        read_only_fields = fields


class TimeBankServiceWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    skill = serializers.ChoiceField(choices=Skill.choices)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    division = serializers.CharField(
        max_length=12, required=False, help_text="Defaults to the organisation's division."
    )
    price_minutes = serializers.IntegerField(help_text="15 to 1440 minutes.")
    active = serializers.BooleanField(required=False)


class TimeBankServiceSearchSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=50, required=False, allow_blank=True)
    division = serializers.RegexField(r"^\d{6}(\d{3})?$", required=False, allow_blank=True)
    skill = serializers.ChoiceField(choices=Skill.choices, required=False, allow_blank=True)


# --- Redemptions --------------------------------------------------------------------------------


class RedemptionWriteSerializer(serializers.Serializer):
    service = serializers.IntegerField(help_text="A service listed for redemption.")
    account = serializers.RegexField(
        r"^(self|\d{1,18})$",
        default="self",
        help_text='"self" (the caller\'s own account, for themself) or the id of a family '
        "member whose family account pays, for that person.",
    )
    wanted_on = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    request_id = serializers.UUIDField(required=False, allow_null=True)

    def validate_service(self, value):
        service = timebank_service_get_available(pk=value)
        if service is None:
            raise serializers.ValidationError(_("没有这项可兑换的服务。"), code="unknown_service")
        return service


class _RedemptionServiceSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name")

    class Meta:
        model = TimeBankService
        fields = ["id", "title", "organisation", "organisation_name"]
        read_only_fields = fields


class RedemptionSerializer(serializers.ModelSerializer):
    """A redemption as its requester sees it."""

    service = _RedemptionServiceSerializer()
    dependant = serializers.IntegerField(
        source="account.dependant_id", allow_null=True, help_text="null: for the caller."
    )

    class Meta:
        model = TimeBankRedemption
        fields = [
            "id",
            "service",
            "dependant",
            "minutes",
            "wanted_on",
            "note",
            "status",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields


class ManagedRedemptionSerializer(serializers.ModelSerializer):
    """A redemption in the organisation's queue: the person's name masked, identifiers in the
    note redacted. The name and phone are on the redemption's page (audit-logged)."""

    service = _RedemptionServiceSerializer()
    holder = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    class Meta:
        model = TimeBankRedemption
        fields = [
            "id",
            "service",
            "holder",
            "minutes",
            "wanted_on",
            "note",
            "status",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(help_text="Masked: 王*."))
    def get_holder(self, redemption) -> str:
        return holder_masked_name(redemption.account)

    def get_note(self, redemption) -> str:
        return redact_identifiers(redemption.note)


class RedemptionQueueQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=TimeBankRedemption.Status.choices, required=False, allow_blank=True
    )
