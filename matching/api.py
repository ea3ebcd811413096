"""Needs API: residents (and officials for 代办) post and follow needs, accept or decline
candidates; provider staff read their leads and answer referrals. A need, candidate or lead
the caller may not see does not exist (404). The rules are the services'
(matching.services.needs, matching.services.decisions); errors come back as
`{"detail", "code", "fields"}`."""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from matching import selectors
from matching.models import Candidate, MatchRun, Need
from matching.services import decisions
from matching.services import needs as service
from portal.accounts.permissions import IsOfficial, IsResident, is_provider_staff
from providers import selectors as provider_selectors

# --- Serializers ---------------------------------------------------------------------------------


class WindowSerializer(serializers.Serializer):
    date = serializers.CharField(required=False, help_text="YYYY-MM-DD, or give weekday")
    weekday = serializers.IntegerField(required=False, help_text="0 (Monday) … 6 (Sunday)")
    start = serializers.CharField(help_text="HH:MM")
    end = serializers.CharField(help_text="HH:MM")


class NeedSerializer(serializers.ModelSerializer):
    # Plain strings, not enums: their choice sets share names with other apps' fields.
    status = serializers.CharField(
        read_only=True, help_text="open, matched, booked, referred or withdrawn"
    )
    caregiver_gender = serializers.CharField(read_only=True, help_text="female, male or empty")
    subsidy = serializers.CharField(read_only=True, help_text="a listing subsidy kind or empty")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    domain_label = serializers.CharField(source="get_domain_display", read_only=True)
    windows = WindowSerializer(many=True, read_only=True)

    class Meta:
        model = Need
        fields = [
            "id",
            "status",
            "status_label",
            "domain",
            "domain_label",
            "category",
            "place",
            "address",
            "dependant",
            "proxy_name",
            "division",
            "latitude",
            "longitude",
            "max_distance_km",
            "windows",
            "budget_min_fen",
            "budget_max_fen",
            "caregiver_gender",
            "languages",
            "certificates",
            "care_level",
            "subsidy",
            "text",
            "urgency",
            "unmatched_reason",
            "created_at",
            "withdrawn_at",
        ]
        read_only_fields = fields


class NeedCreateSerializer(serializers.Serializer):
    """The shape only: every rule (which category, whose address, valid windows, budget) is
    need_clean's, so the page and the API answer alike."""

    domain = serializers.CharField()
    category = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    place = serializers.CharField()
    address = serializers.IntegerField(required=False, allow_null=True)
    dependant = serializers.IntegerField(required=False, allow_null=True)
    division = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    max_distance_km = serializers.IntegerField(required=False, default=5)
    windows = serializers.ListField(child=serializers.DictField(), max_length=50)
    budget_min_fen = serializers.IntegerField(required=False, default=0)
    budget_max_fen = serializers.IntegerField()
    caregiver_gender = serializers.CharField(required=False, allow_blank=True, default="")
    languages = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=20
    )
    certificates = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=20
    )
    care_level = serializers.CharField(required=False, allow_blank=True, default="")
    subsidy = serializers.CharField(required=False, allow_blank=True, default="")
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    urgency = serializers.CharField(required=False, allow_blank=True, default="")
    proxy_name = serializers.CharField(required=False, allow_blank=True, default="")
    proxy_phone = serializers.CharField(required=False, allow_blank=True, default="")
    proxy_address = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )


class CandidateSerializer(serializers.ModelSerializer):
    status = serializers.CharField(
        read_only=True, help_text="proposed, accepted, declined or superseded"
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    listing_title = serializers.CharField(source="listing.title", read_only=True)
    price_fen = serializers.IntegerField(source="listing.price_fen", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    slot_starts_at = serializers.DateTimeField(source="slot.starts_at", read_only=True)
    slot_ends_at = serializers.DateTimeField(source="slot.ends_at", read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "rank",
            "assigned",
            "score",
            "components",
            "reasons",
            "status",
            "status_label",
            "listing",
            "listing_title",
            "price_fen",
            "provider",
            "provider_name",
            "slot",
            "slot_starts_at",
            "slot_ends_at",
            "provider_decision",
            "respond_by",
            "decline_reason",
            "booking",
        ]
        read_only_fields = fields


class RunSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="queued, running, succeeded, failed")

    class Meta:
        model = MatchRun
        fields = ["id", "status", "progress", "created_at", "finished_at"]
        read_only_fields = fields


class NeedDetailSerializer(NeedSerializer):
    candidates = serializers.SerializerMethodField()
    pending_run = serializers.SerializerMethodField()

    class Meta(NeedSerializer.Meta):
        fields = [*NeedSerializer.Meta.fields, "pending_run", "candidates"]
        read_only_fields = fields

    @extend_schema_field(CandidateSerializer(many=True))
    def get_candidates(self, need) -> list:
        return CandidateSerializer(selectors.candidate_list_for_need(need), many=True).data

    @extend_schema_field(RunSerializer(allow_null=True))
    def get_pending_run(self, need) -> dict | None:
        run = selectors.need_run_pending(need)
        return RunSerializer(run).data if run else None


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


class RespondSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


class LeadSerializer(serializers.ModelSerializer):
    """A lead as the provider sees it: the person masked unless a referral it accepted."""

    status = serializers.CharField(
        read_only=True, help_text="proposed, accepted, declined or superseded"
    )
    need_domain = serializers.CharField(source="need.domain", read_only=True)
    need_category = serializers.CharField(source="need.category_id", read_only=True)
    need_division = serializers.CharField(source="need.division_id", read_only=True)
    referral = serializers.SerializerMethodField()
    person_name = serializers.SerializerMethodField()
    person_phone = serializers.SerializerMethodField()
    person_address = serializers.SerializerMethodField()
    listing_title = serializers.CharField(source="listing.title", read_only=True)
    slot_starts_at = serializers.DateTimeField(source="slot.starts_at", read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "need_domain",
            "need_category",
            "need_division",
            "referral",
            "person_name",
            "person_phone",
            "person_address",
            "listing",
            "listing_title",
            "slot_starts_at",
            "status",
            "provider_decision",
            "respond_by",
            "booking",
        ]
        read_only_fields = fields

    def get_referral(self, lead) -> bool:
        return bool(lead.need.proxy_name)

    def get_person_name(self, lead) -> str:
        return selectors.lead_person(lead)["name"]

    def get_person_phone(self, lead) -> str:
        return selectors.lead_person(lead)["phone"]

    def get_person_address(self, lead) -> str:
        return selectors.lead_person(lead)["address"]


# --- Views ---------------------------------------------------------------------------------------


def _int(pk) -> int:
    if not str(pk).isdigit():
        raise Http404
    return int(pk)


class NeedViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own needs (a resident's, or an official's 代办 needs)."""

    # Only they post needs: anyone else is refused before the body is read.
    permission_classes = [IsResident | IsOfficial]
    serializer_class = NeedSerializer
    queryset = Need.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        return selectors.need_list_for_owner(user=self.request.user)

    def _need(self, pk) -> Need:
        need = selectors.need_get_for_owner(user=self.request.user, pk=_int(pk))
        if need is None:
            raise Http404
        return need

    @extend_schema(responses={200: NeedDetailSerializer})
    def retrieve(self, request, pk=None):
        """One need with its pending run (progress) and the latest run's candidates, each with
        its score breakdown and reasons in words."""
        return Response(NeedDetailSerializer(self._need(pk)).data)

    @extend_schema(request=NeedCreateSerializer, responses={201: NeedDetailSerializer})
    def create(self, request):
        """Post a need; a match run is queued at once. An official posts for an elderly person
        (`proxy_name`, `proxy_phone` required): its matches become referrals."""
        data = NeedCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        need = service.need_create(resident=request.user, data=dict(data.validated_data))
        return Response(NeedDetailSerializer(self._need(need.pk)).data, status=201)

    @extend_schema(request=None, responses={200: NeedDetailSerializer})
    @action(detail=True, methods=["post"], pagination_class=None)
    def withdraw(self, request, pk=None):
        """Withdraw an open or matched need (409 `not_open` otherwise)."""
        need = service.need_withdraw(need=self._need(pk), actor=request.user)
        return Response(NeedDetailSerializer(need).data)


class CandidateViewSet(viewsets.GenericViewSet):
    """Decisions on one candidate: the need's owner accepts or declines it; the provider's
    staff answer a referral."""

    serializer_class = CandidateSerializer
    queryset = Candidate.objects.none()
    filter_backends: list = []
    pagination_class = None

    def _own(self, pk) -> Candidate:
        candidate = selectors.candidate_get_for_owner(user=self.request.user, pk=_int(pk))
        if candidate is None:
            raise Http404
        return candidate

    @extend_schema(request=None, responses={200: CandidateSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept a proposed candidate: its slot is booked (`booking`), or for a 代办 need it is
        referred to the provider. A slot taken meanwhile answers 409 `slot_full`; the next
        candidate stays proposed."""
        candidate = decisions.candidate_accept(candidate=self._own(pk), resident=request.user)
        return Response(CandidateSerializer(candidate).data)

    @extend_schema(request=DeclineSerializer, responses={200: CandidateSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline a proposed candidate (`reason` required); the next one stays proposed."""
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        candidate = decisions.candidate_decline(
            candidate=self._own(pk), resident=request.user, reason=data.validated_data["reason"]
        )
        return Response(CandidateSerializer(candidate).data)

    @extend_schema(request=RespondSerializer, responses={200: LeadSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """The provider's staff accept or decline (`reason` required) a referral before its
        `respond_by` (409 `expired` after)."""
        lead = selectors.lead_get_for_staff(user=request.user, pk=_int(pk))
        if lead is None:
            raise Http404
        data = RespondSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lead = decisions.lead_respond(
            candidate=lead,
            actor=request.user,
            accept=data.validated_data["accept"],
            reason=data.validated_data["reason"],
        )
        lead = selectors.lead_get_for_staff(user=request.user, pk=lead.pk)
        return Response(LeadSerializer(lead).data)


class ProviderLeadsApi(APIView):
    """Needs matched to one of my organisations (provider staff only)."""

    @extend_schema(responses={200: LeadSerializer(many=True)})
    def get(self, request, pk):
        provider = (
            provider_selectors.provider_get_for_staff(user=request.user, pk=pk)
            if is_provider_staff(request.user)
            else None
        )
        if provider is None:
            raise Http404
        leads = list(selectors.lead_list_for_provider(provider=provider)[:200])
        decisions.lead_reads_record(viewer=request.user, leads=leads, request=request)
        return Response(LeadSerializer(leads, many=True).data, status=status.HTTP_200_OK)


router = SimpleRouter()
router.register("needs", NeedViewSet, basename="need")
router.register("candidates", CandidateViewSet, basename="candidate")

urlpatterns = [
    *router.urls,
    path("providers/<uuid:pk>/leads/", ProviderLeadsApi.as_view(), name="provider-leads"),
]
