"""Serializers of the credit and complaint API (socialorgs.api.credit). Write serializers only
shape the input; the rules are the services'."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from ratings.models import Complaint
from socialorgs.models import IllegalOrganisation, OrgLicence, OrgListEntry, Penalty

# --- Public reads --------------------------------------------------------------------------------


class CreditListRowSerializer(serializers.ModelSerializer):
    """One entry in force on 活动异常名录 or 严重违法失信名单."""

    list_label = serializers.CharField(source="get_list_display", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    credit_code = serializers.CharField(source="organisation.credit_code", read_only=True)
    division = serializers.CharField(source="organisation.division_id", read_only=True)
    division_name = serializers.CharField(source="organisation.division.name", read_only=True)

    class Meta:
        model = OrgListEntry
        fields = [
            "id",
            "list",
            "list_label",
            "organisation_name",
            "credit_code",
            "division",
            "division_name",
            "reason",
            "basis",
            "starts_on",
            "ends_on",
        ]
        read_only_fields = fields


class CreditListQuerySerializer(serializers.Serializer):
    list = serializers.ChoiceField(
        choices=OrgListEntry.List.choices,
        required=False,
        help_text="abnormal (活动异常名录) or serious (严重违法失信名单); both when absent",
    )


class IllegalOrgSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    division_name = serializers.CharField(source="division.name", read_only=True)

    class Meta:
        model = IllegalOrganisation
        fields = [
            "id",
            "name",
            "description",
            "division",
            "division_name",
            "basis",
            "exposed_on",
            "status",
            "status_label",
        ]
        read_only_fields = fields


class IllegalOrgQuerySerializer(serializers.Serializer):
    division = serializers.RegexField(
        r"^[0-9]{2,9}$",
        required=False,
        help_text="A division code or its prefix (5101 for 成都市)",
    )


# --- Officials' writes ---------------------------------------------------------------------------


class PenaltyWriteSerializer(serializers.Serializer):
    decision_number = serializers.CharField(max_length=60)
    kind = serializers.ChoiceField(choices=Penalty.Kind.choices)
    facts = serializers.CharField(max_length=2000)
    basis = serializers.CharField(max_length=300)
    amount_yuan = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text="In yuan; only for fine and confiscation (required there)",
    )
    decided_on = serializers.DateField()
    decided_by = serializers.CharField(max_length=100)


class PenaltyRecordSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    organisation = serializers.CharField(source="organisation.credit_code", read_only=True)
    amount_yuan = serializers.CharField(read_only=True, help_text="'' when no sum of money")
    organisation_status = serializers.CharField(source="organisation.status", read_only=True)

    class Meta:
        model = Penalty
        fields = [
            "id",
            "organisation",
            "decision_number",
            "kind",
            "kind_label",
            "facts",
            "basis",
            "amount_fen",
            "amount_yuan",
            "decided_on",
            "decided_by",
            "organisation_status",
        ]
        read_only_fields = fields


class LicenceWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    number = serializers.CharField(max_length=60)
    issued_by = serializers.CharField(max_length=100)
    issued_on = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True)
    content = serializers.CharField(max_length=300, required=False, allow_blank=True)


class LicenceRecordSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.credit_code", read_only=True)

    class Meta:
        model = OrgLicence
        fields = [
            "id",
            "organisation",
            "name",
            "number",
            "issued_by",
            "issued_on",
            "valid_until",
            "content",
        ]
        read_only_fields = fields


class ListEntryWriteSerializer(serializers.Serializer):
    list = serializers.ChoiceField(choices=OrgListEntry.List.choices)
    reason = serializers.CharField(max_length=300)
    basis = serializers.CharField(max_length=300)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)


class ListEntryRecordSerializer(serializers.ModelSerializer):
    list_label = serializers.CharField(source="get_list_display", read_only=True)
    organisation = serializers.CharField(source="organisation.credit_code", read_only=True)
    standing = serializers.CharField(source="organisation.standing", read_only=True)

    class Meta:
        model = OrgListEntry
        fields = [
            "id",
            "organisation",
            "list",
            "list_label",
            "reason",
            "basis",
            "starts_on",
            "ends_on",
            "removed_at",
            "removal_reason",
            "standing",
        ]
        read_only_fields = fields


class ListRemoveWriteSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class IllegalOrgWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=2000)
    division = serializers.CharField(max_length=9, help_text="Where it acts: a division code")
    basis = serializers.CharField(max_length=300)
    exposed_on = serializers.DateField()


class IllegalOrgStatusWriteSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            (IllegalOrganisation.Status.BANNED, IllegalOrganisation.Status.BANNED.label),
            (IllegalOrganisation.Status.WITHDRAWN, IllegalOrganisation.Status.WITHDRAWN.label),
        ]
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


# --- Complaints ----------------------------------------------------------------------------------


class OrgComplaintWriteSerializer(serializers.Serializer):
    """The shape only: category, lengths and files are checked by ratings' filing rules, so
    the API and the page answer alike."""

    category = serializers.ChoiceField(choices=Complaint.Category.choices)
    description = serializers.CharField(max_length=2000)
    desired_outcome = serializers.CharField(max_length=300, required=False, allow_blank=True)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=20
    )


class OrgComplaintFiledSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    url = serializers.SerializerMethodField(help_text="The case in ratings' complaints API")

    class Meta:
        model = Complaint
        fields = [
            "id",
            "reference",
            "status",
            "status_label",
            "category",
            "subject_kind",
            "subject_ref",
            "subject_name",
            "division",
            "stage_due_at",
            "created_at",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, complaint) -> str:
        return reverse("complaint-detail", kwargs={"pk": complaint.pk})
