"""Services API: categories, public listings and slots; the provider's listings, bulk
writes (all-or-nothing with per-item errors), schedules."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.permissions import IsProviderStaff
from providers.api import provider_for_member
from services import selectors
from services.models import Listing
from services.serializers import (
    CategorySerializer,
    ListingBulkSerializer,
    ListingSerializer,
    ListingStatusSerializer,
    ListingWriteSerializer,
    RuleSerializer,
    ScheduleBulkSerializer,
    ScheduleSerializer,
    SearchQuerySerializer,
    SearchResponseSerializer,
    SearchResultSerializer,
    SlotSerializer,
)
from services.services import listings, schedules


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The service taxonomy, per domain."""

    permission_classes = [AllowAny]
    serializer_class = CategorySerializer
    queryset = selectors.category_list()
    filterset_fields = ["domain"]
    pagination_class = None


class ListingCursorPagination(CursorPagination):
    """No COUNT(*) over every public listing: at city scale (200k rows) that alone costs
    more than the page itself."""

    ordering = "id"
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ListingViewSet(viewsets.ReadOnlyModelViewSet):
    """Public listings: published, of approved providers, with a valid licence. Pages are
    cursor-based (`next`/`previous` links)."""

    permission_classes = [AllowAny]
    serializer_class = ListingSerializer
    queryset = Listing.objects.none()
    filterset_fields = ["category", "delivery_mode", "provider"]
    filter_backends = [DjangoFilterBackend]
    pagination_class = ListingCursorPagination

    def get_queryset(self):
        return selectors.listing_list_public()

    @extend_schema(responses={200: SlotSerializer(many=True)})
    # The next free slots as one list: no cursor pages, and the listing filters do not apply
    # to finding the listing itself.
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def slots(self, request, pk=None):
        listing = self.get_object()
        return Response(
            SlotSerializer(
                selectors.slot_list_upcoming(listing=listing, limit=100, only_free=True), many=True
            ).data
        )


def _listing_for_member(request, listing_id) -> Listing:
    listing = selectors.listing_get_for_staff(user=request.user, pk=listing_id)
    if listing is None:
        raise Http404
    return listing


class ProviderListingsApi(APIView):
    """All listings of one organisation (any status), for its staff; create one."""

    permission_classes = [IsProviderStaff]

    @extend_schema(responses={200: ListingSerializer(many=True)})
    def get(self, request, pk):
        provider = provider_for_member(request, pk)
        return Response(
            ListingSerializer(
                selectors.listing_list_for_provider(provider=provider), many=True
            ).data
        )

    @extend_schema(request=ListingWriteSerializer, responses={201: ListingSerializer})
    def post(self, request, pk):
        provider = provider_for_member(request, pk)
        data = ListingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("id", None)
        listing = listings.listing_create(provider=provider, actor=request.user, data=values)
        return Response(ListingSerializer(listing).data, status=status.HTTP_201_CREATED)


class ListingBulkApi(APIView):
    """Create or update up to 500 listings at once: all saved, or none, with the errors of
    every invalid item in `fields.items`, keyed by the item's index."""

    permission_classes = [IsProviderStaff]

    @extend_schema(request=ListingBulkSerializer, responses={200: ListingSerializer(many=True)})
    def post(self, request, pk):
        provider = provider_for_member(request, pk)
        data = ListingBulkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = listings.listings_bulk_upsert(
            provider=provider, actor=request.user, items=data.validated_data["items"]
        )
        return Response(ListingSerializer(saved, many=True).data)


class ListingScheduleApi(APIView):
    """Read or replace a listing's weekly rules; slots follow at once."""

    permission_classes = [IsProviderStaff]

    @extend_schema(responses={200: RuleSerializer(many=True)})
    def get(self, request, listing_id):
        listing = _listing_for_member(request, listing_id)
        return Response(RuleSerializer(listing.rules.all(), many=True).data)

    @extend_schema(request=ScheduleSerializer, responses={200: RuleSerializer(many=True)})
    def put(self, request, listing_id):
        listing = _listing_for_member(request, listing_id)
        data = ScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            rules = schedules.rules_replace(
                listing=listing, actor=request.user, rules=data.validated_data["rules"]
            )
            schedules.slots_materialise(listing=listing)
        return Response(RuleSerializer(rules, many=True).data)


class ScheduleBulkApi(APIView):
    """Replace the weekly rules of many listings at once, all or nothing."""

    permission_classes = [IsProviderStaff]

    @extend_schema(request=ScheduleBulkSerializer, responses={204: None})
    def post(self, request, pk):
        provider = provider_for_member(request, pk)
        data = ScheduleBulkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        schedules.schedules_bulk_replace(
            provider=provider, actor=request.user, items=data.validated_data["items"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListingStatusApi(APIView):
    permission_classes = [IsProviderStaff]

    @extend_schema(request=ListingStatusSerializer, responses={200: ListingSerializer})
    def post(self, request, listing_id):
        listing = _listing_for_member(request, listing_id)
        data = ListingStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        listing = listings.listing_set_status(
            listing=listing, actor=request.user, status=data.validated_data["status"]
        )
        return Response(ListingSerializer(listing).data)


class SearchApi(APIView):
    """Search public listings in Chinese or pinyin, with filters, facets and pages.

    Every parameter is checked: an unknown or malformed one is a 400 naming it.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[SearchQuerySerializer],
        responses={200: SearchResponseSerializer},
    )
    def get(self, request):
        page = request.query_params.get("page", "1")
        if not page.isdigit() or not 1 <= int(page) <= 500:
            raise ValidationError({"page": [_("页码应为 1 到 500 的整数。")]})
        result = selectors.listing_search(
            params=request.query_params, page=int(page), viewer=request.user
        )
        base = request.build_absolute_uri(request.path)
        query = request.query_params.copy()

        def link(number):
            query["page"] = str(number)
            return f"{base}?{query.urlencode()}"

        return Response(
            {
                "results": SearchResultSerializer(result["results"], many=True).data,
                "facets": result["facets"],
                "page": result["page"],
                "next": link(result["page"] + 1) if result["has_next"] else None,
                "previous": link(result["page"] - 1) if result["page"] > 1 else None,
            }
        )
