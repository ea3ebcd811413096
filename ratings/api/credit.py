"""Credit API: the public red and black lists, a provider's credit for its staff and the
officials covering it, list entries, commendations, and credit-repair appeals. Reads go through
ratings.selectors, writes through ratings.services.credit."""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.permissions import IsOfficial, IsProviderStaff, is_staff_of
from providers.models import Provider
from ratings import selectors
from ratings.models import CreditAppeal, CreditEvent, CreditListEntry
from ratings.services import credit

# --- Serializers --------------------------------------------------------------------------------


class PublicListEntrySerializer(serializers.ModelSerializer):
    """What the public sees of an entry: the organisation, never a person."""

    provider_name = serializers.CharField(source="provider.name", read_only=True)
    list_label = serializers.CharField(source="get_list_display", read_only=True)

    class Meta:
        model = CreditListEntry
        fields = [
            "id",
            "provider_name",
            "list",
            "list_label",
            "reason",
            "basis",
            "starts_on",
            "ends_on",
        ]


class ListEntrySerializer(PublicListEntrySerializer):
    class Meta(PublicListEntrySerializer.Meta):
        fields = [
            *PublicListEntrySerializer.Meta.fields,
            "provider",
            "created_at",
            "removed_at",
            "removal_reason",
        ]


class ListAddSerializer(serializers.Serializer):
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all())
    list = serializers.ChoiceField(choices=CreditListEntry.List.choices)
    reason = serializers.CharField(max_length=300)
    basis = serializers.CharField(max_length=300)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class ListRemoveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class CommendSerializer(serializers.Serializer):
    occurred_on = serializers.DateField()
    note = serializers.CharField(max_length=300)


class CreditEventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = CreditEvent
        fields = ["id", "kind", "kind_label", "points", "occurred_on", "note", "voided_at"]


class CreditAppealSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = CreditAppeal
        fields = [
            "id",
            "event",
            "statement",
            "has_evidence",
            "status",
            "status_label",
            "decision_reason",
            "created_at",
            "decided_at",
        ]

    def get_has_evidence(self, obj) -> bool:
        return bool(obj.evidence)


class AppealSubmitSerializer(serializers.Serializer):
    event = serializers.IntegerField(min_value=1)
    statement = serializers.CharField(max_length=2000)
    evidence = serializers.FileField(required=False, allow_null=True, default=None)


class AppealDecideSerializer(serializers.Serializer):
    grant = serializers.BooleanField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CreditSummarySerializer(serializers.Serializer):
    provider = serializers.UUIDField()
    name = serializers.CharField()
    score = serializers.IntegerField()
    grade = serializers.CharField()
    counts_since = serializers.DateField()
    standing = serializers.CharField()
    lists = serializers.ListField(child=serializers.CharField())
    events = CreditEventSerializer(many=True)
    entries = ListEntrySerializer(many=True)
    appeals = CreditAppealSerializer(many=True)


LIST_PARAMETER = OpenApiParameter(
    "list", str, enum=CreditListEntry.List.values, description="red or black (both if absent)"
)


# --- Views --------------------------------------------------------------------------------------


class CreditListsApi(generics.GenericAPIView):
    """GET: the red and black lists in force, for anyone. POST: an official covering the
    provider puts it on a list (black-listing hides its listings and stops bookings)."""

    serializer_class = PublicListEntrySerializer
    queryset = CreditListEntry.objects.none()
    filter_backends = []

    def get_permissions(self):
        if self.request.method == "GET":
            return [AllowAny()]
        return [IsOfficial()]

    @extend_schema(
        parameters=[LIST_PARAMETER], responses={200: PublicListEntrySerializer(many=True)}
    )
    def get(self, request):
        list_name = request.query_params.get("list") or None
        if list_name is not None and list_name not in CreditListEntry.List.values:
            raise serializers.ValidationError({"list": [_("应为 red 或 black。")]})
        page = self.paginate_queryset(selectors.credit_list_public(list_name=list_name))
        return self.get_paginated_response(PublicListEntrySerializer(page, many=True).data)

    @extend_schema(request=ListAddSerializer, responses={201: ListEntrySerializer})
    def post(self, request):
        data = ListAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = credit.list_add(official=request.user, request=request, **data.validated_data)
        return Response(ListEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class CreditListRemoveApi(APIView):
    """An official covering the provider takes it off a list, with a reason."""

    permission_classes = [IsOfficial]

    @extend_schema(request=ListRemoveSerializer, responses={200: ListEntrySerializer})
    def post(self, request, entry_id):
        entry = selectors.credit_list_for_official(official=request.user).filter(pk=entry_id)
        entry = entry.first()
        if entry is None:
            raise Http404
        data = ListRemoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = credit.list_remove(
            entry=entry, official=request.user, request=request, **data.validated_data
        )
        return Response(ListEntrySerializer(entry).data)


class ProviderCreditApi(APIView):
    """A provider's credit: score, grade, events, list entries and appeals. For its own staff
    and the officials covering it; anyone else gets 404."""

    @extend_schema(responses={200: CreditSummarySerializer})
    def get(self, request, pk):
        provider = selectors.credit_provider_get(viewer=request.user, pk=pk)
        if provider is None:
            raise Http404
        body = {
            "provider": provider.pk,
            "name": provider.name,
            **selectors.credit_summary(provider=provider),
            "events": selectors.credit_event_list(provider=provider),
            "entries": selectors.credit_entry_list(provider=provider),
            "appeals": selectors.credit_appeal_list(provider=provider),
        }
        return Response(CreditSummarySerializer(body).data)


class CommendApi(APIView):
    """An official covering the provider records a commendation (+10)."""

    permission_classes = [IsOfficial]

    @extend_schema(request=CommendSerializer, responses={201: CreditEventSerializer})
    def post(self, request, pk):
        provider = selectors.credit_provider_get(viewer=request.user, pk=pk)
        if provider is None:
            raise Http404
        data = CommendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = credit.credit_commend(
            official=request.user, provider=provider, request=request, **data.validated_data
        )
        return Response(CreditEventSerializer(event).data, status=status.HTTP_201_CREATED)


class AppealSubmitApi(APIView):
    """Provider staff ask for a negative credit event to be repaired (信用修复)."""

    permission_classes = [IsProviderStaff]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": AppealSubmitSerializer},
        responses={201: CreditAppealSerializer},
    )
    def post(self, request):
        data = AppealSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        event = CreditEvent.objects.select_related("provider").filter(pk=values.pop("event"))
        event = event.first()
        if event is None or not is_staff_of(request.user, event.provider_id):
            raise serializers.ValidationError({"event": [_("没有这条信用记录。")]})
        appeal = credit.appeal_submit(
            provider=event.provider, event=event, actor=request.user, request=request, **values
        )
        return Response(CreditAppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


class AppealDecideApi(APIView):
    """An official covering the provider grants (the event stops counting) or refuses."""

    permission_classes = [IsOfficial]

    @extend_schema(request=AppealDecideSerializer, responses={200: CreditAppealSerializer})
    def post(self, request, appeal_id):
        appeal = (
            CreditAppeal.objects.select_related("provider", "event").filter(pk=appeal_id).first()
        )
        if appeal is None or not request.user.covers(appeal.provider.division_id):
            raise Http404
        data = AppealDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = credit.appeal_decide(
            appeal=appeal,
            official=request.user,
            grant=data.validated_data["grant"],
            reason=data.validated_data["reason"],
            request=request,
        )
        return Response(CreditAppealSerializer(appeal).data)


urlpatterns = [
    path("credit/lists/", CreditListsApi.as_view(), name="api-credit-lists"),
    path(
        "credit/lists/<int:entry_id>/remove/",
        CreditListRemoveApi.as_view(),
        name="api-credit-list-remove",
    ),
    path("credit/appeals/", AppealSubmitApi.as_view(), name="api-credit-appeals"),
    path(
        "credit/appeals/<int:appeal_id>/decide/",
        AppealDecideApi.as_view(),
        name="api-credit-appeal-decide",
    ),
    path("providers/<uuid:pk>/credit/", ProviderCreditApi.as_view(), name="api-provider-credit"),
    path(
        "providers/<uuid:pk>/credit/commendations/",
        CommendApi.as_view(),
        name="api-provider-credit-commend",
    ),
]
