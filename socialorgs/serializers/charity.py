"""API serializers of charity transparency. Output carries public fields only: never a donor's
or beneficiary's real name, the anonymous flag or a receipt code (but the donor's own, in the
answer to their donation). Input serializers shape and type-check; the rules live in
socialorgs.services.charity."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from socialorgs.models import ChainEntry, DonationPledge, FundraisingProject

# What verification found done to the first broken entry (socialorgs.selectors.charity).
FAILURE_REASONS = ["modified", "deleted", "reordered", "anchor"]
REQUEST_KEY_HELP = (
    "A key the client makes for this submission (8–64 letters, digits, _ or -): sending the "
    "same key again returns what it recorded instead of recording it twice."
)


class ProjectSerializer(serializers.ModelSerializer):
    """A project as the public sees it, with its totals."""

    organisation = serializers.CharField(source="organisation.name")
    organisation_credit_code = serializers.CharField(source="organisation.credit_code")
    donated_fen = serializers.IntegerField()
    disbursed_fen = serializers.IntegerField()
    entry_count = serializers.IntegerField()
    head_hash = serializers.CharField()

    class Meta:
        model = FundraisingProject
        fields = [
            "filing_number",
            "title",
            "organisation",
            "organisation_credit_code",
            "purpose",
            "beneficiary_group",
            "target_fen",
            "starts_on",
            "ends_on",
            "status",
            "closed_on",
            "donated_fen",
            "disbursed_fen",
            "entry_count",
            "head_hash",
        ]
        read_only_fields = fields


class EntryCheckSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ChainEntry.Kind.choices)
    stored_hash = serializers.CharField()
    recomputed_hash = serializers.CharField()
    prev_hash = serializers.CharField()
    ok = serializers.BooleanField()


class ChainFailureSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=FAILURE_REASONS)
    message = serializers.CharField()


class ChainReportSerializer(serializers.Serializer):
    """The chain recomputed: valid or not, how many entries, the head hash, each entry's
    stored and recomputed hash, and the first failure."""

    filing_number = serializers.CharField()
    valid = serializers.BooleanField()
    status = serializers.CharField(source="status_text")
    count = serializers.IntegerField()
    head_hash = serializers.CharField()
    entries = EntryCheckSerializer(many=True)
    failure = ChainFailureSerializer(allow_null=True)


class FlowUseSerializer(serializers.Serializer):
    """Where part of a donation went: a disbursement (its seq) and the amount from it."""

    seq = serializers.IntegerField()
    public_name = serializers.CharField()
    purpose = serializers.CharField()
    occurred_on = serializers.DateField()
    amount_fen = serializers.IntegerField()


class FlowSourceSerializer(serializers.Serializer):
    """Where part of a disbursement came from: a donation (its seq) and the amount."""

    seq = serializers.IntegerField()
    public_name = serializers.CharField()
    amount_fen = serializers.IntegerField()


class FlowEntrySerializer(serializers.Serializer):
    """One entry, public fields only (with what anyone needs to recompute its hash:
    socialorgs.chain). Donations carry `uses` and `remaining_fen`, disbursements `sources`
    and `unfunded_fen` (not 0 only on a tampered chain)."""

    seq = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ChainEntry.Kind.choices)
    amount_fen = serializers.IntegerField()
    occurred_on = serializers.DateField()
    public_name = serializers.CharField()
    purpose = serializers.CharField(allow_blank=True)
    private_digest = serializers.CharField()
    prev_hash = serializers.CharField()
    entry_hash = serializers.CharField()
    uses = FlowUseSerializer(many=True, required=False)
    remaining_fen = serializers.IntegerField(required=False)
    sources = FlowSourceSerializer(many=True, required=False)
    unfunded_fen = serializers.IntegerField(required=False)


class AllocationSerializer(serializers.Serializer):
    donation_seq = serializers.IntegerField()
    disbursement_seq = serializers.IntegerField()
    amount_fen = serializers.IntegerField()


class FlowSerializer(serializers.Serializer):
    """The project's traced flow: totals, entries in order, the FIFO allocation."""

    filing_number = serializers.CharField()
    donated_fen = serializers.IntegerField()
    disbursed_fen = serializers.IntegerField()
    balance_fen = serializers.IntegerField()
    target_fen = serializers.IntegerField()
    entries = FlowEntrySerializer(many=True)
    allocations = AllocationSerializer(many=True)


class OnlineDonationSerializer(serializers.Serializer):
    """A resident's online donation: a pledge until the charity confirms the money arrived."""

    amount_yuan = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), help_text="Amount in yuan (元)."
    )
    anonymous = serializers.BooleanField(
        default=False, help_text="Shown to the public as 匿名爱心人士."
    )
    request_key = serializers.CharField(max_length=64, help_text=REQUEST_KEY_HELP)


class EntryWriteSerializer(serializers.Serializer):
    """A donation received or a disbursement made, recorded by the organisation's owner or a
    manager. Donations name `donor_name` (and `anonymous`), disbursements `beneficiary_name`
    and `purpose`; `party_kind` says whether the name is a person's (masked for the public)
    or an organisation's (shown in full)."""

    kind = serializers.ChoiceField(choices=ChainEntry.Kind.choices)
    amount_yuan = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), help_text="Amount in yuan (元)."
    )
    occurred_on = serializers.DateField()
    party_kind = serializers.ChoiceField(
        choices=ChainEntry.Party.choices, default=ChainEntry.Party.PERSON
    )
    donor_name = serializers.CharField(max_length=100, required=False)
    anonymous = serializers.BooleanField(default=False)
    beneficiary_name = serializers.CharField(max_length=100, required=False)
    purpose = serializers.CharField(max_length=200, required=False)
    request_key = serializers.CharField(max_length=64, help_text=REQUEST_KEY_HELP)

    def validate(self, attrs):
        required = (
            ["donor_name"]
            if attrs["kind"] == ChainEntry.Kind.DONATION
            else ["beneficiary_name", "purpose"]
        )
        missing = {name: ["此项为必填项。"] for name in required if not attrs.get(name)}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class EntryRecordedSerializer(serializers.Serializer):
    """The entry recorded (or recorded before under the same request key: `replayed`).
    `receipt_code` is the donor's, for donations."""

    filing_number = serializers.CharField(source="project.filing_number")
    seq = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ChainEntry.Kind.choices)
    amount_fen = serializers.IntegerField()
    occurred_on = serializers.DateField()
    public_name = serializers.CharField()
    receipt_code = serializers.CharField(allow_blank=True)
    entry_hash = serializers.CharField()
    replayed = serializers.BooleanField()


class PledgeSerializer(serializers.ModelSerializer):
    """An online donation pledged by a resident (its donor's own view, and the answer to the
    organisation's confirmation or cancellation). `pending` until the charity confirms the
    money arrived through its published fundraising account or platform (`reference` goes in
    the payment's note); `confirmed` carries the chain entry's seq and the donor's receipt
    code; `replayed` says the same request (key) was answered before."""

    reference = serializers.CharField()
    filing_number = serializers.CharField(source="project.filing_number")
    project_title = serializers.CharField(source="project.title")
    organisation = serializers.CharField(source="project.organisation.name")
    entry_seq = serializers.IntegerField(source="entry.seq", allow_null=True, default=None)
    receipt_code = serializers.CharField(source="entry.receipt_code", allow_null=True, default=None)
    replayed = serializers.BooleanField(default=False, read_only=True)

    class Meta:
        model = DonationPledge
        fields = [
            "id",
            "reference",
            "filing_number",
            "project_title",
            "organisation",
            "amount_fen",
            "anonymous",
            "status",
            "created_at",
            "decided_at",
            "cancel_reason",
            "entry_seq",
            "receipt_code",
            "replayed",
        ]
        read_only_fields = fields


class PledgeCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Why: required when the organisation cancels (the money did not arrive); "
        "optional for the donor withdrawing their own pledge.",
    )
