"""Reviews API: a resident reviews a completed booking; anyone reads a listing's published
reviews (names masked) and may report one; provider staff reply; officials moderate."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.permissions import IsOfficial, IsProviderStaff, IsResident, is_staff_of
from ratings import selectors
from ratings.errors import RatingsForbidden
from ratings.serializers_reviews import (
    ModeratedSerializer,
    ModerateSerializer,
    ReplyOutSerializer,
    ReplySerializer,
    ReportOutSerializer,
    ReportSerializer,
    ReviewCreateSerializer,
    ReviewSerializer,
)
from ratings.services import reviews
from services import selectors as service_selectors


def _published_or_404(pk):
    review = selectors.review_get_published(pk=pk)
    if review is None:
        raise NotFound
    return review


class ReviewCreateApi(APIView):
    """Review one of my completed bookings (once, within 30 days of completion). A review with
    a listed word is accepted but held for moderation (`status` = held)."""

    permission_classes = [IsResident]

    @extend_schema(
        request={
            "application/json": ReviewCreateSerializer,
            "multipart/form-data": ReviewCreateSerializer,
        },
        responses={201: ReviewSerializer},
    )
    def post(self, request, pk):
        booking = service_selectors.booking_get_for_resident(user=request.user, pk=pk)
        if booking is None:
            raise NotFound
        data = ReviewCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = reviews.review_create(
            booking=booking, resident=request.user, **data.validated_data
        )
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class ListingReviewListApi(ListAPIView):
    """A public listing's published reviews, newest first, reviewer names masked."""

    permission_classes = [AllowAny]
    serializer_class = ReviewSerializer
    filter_backends: list = []

    def get_queryset(self):
        listing = service_selectors.listing_get_public(pk=self.kwargs["listing_id"])
        if listing is None:
            raise NotFound
        return selectors.review_list_public(listing=listing)


class ReviewReplyApi(APIView):
    """The provider's one public reply to a published review of theirs (409 the second time)."""

    permission_classes = [IsProviderStaff]

    @extend_schema(request=ReplySerializer, responses={201: ReplyOutSerializer})
    def post(self, request, pk):
        review = _published_or_404(pk)
        if not is_staff_of(request.user, review.provider_id):
            # Refused before the body is read: another organisation learns nothing more.
            raise RatingsForbidden(_("只有该机构的工作人员可以回复这条评价。"), code="forbidden")
        data = ReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reply = reviews.review_reply(review=review, actor=request.user, **data.validated_data)
        return Response(ReplyOutSerializer(reply).data, status=status.HTTP_201_CREATED)


class ReviewReportApi(APIView):
    """Report a published review to the officials; no account needed."""

    permission_classes = [AllowAny]

    @extend_schema(request=ReportSerializer, responses={201: ReportOutSerializer})
    def post(self, request, pk):
        review = _published_or_404(pk)
        data = ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = reviews.review_report(review=review, reporter=request.user, **data.validated_data)
        return Response(ReportOutSerializer(report).data, status=status.HTTP_201_CREATED)


class ReviewModerateApi(APIView):
    """Publish a held review, hide one, or restore one, with a reason; only for officials
    whose jurisdiction covers the provider (others: 404)."""

    permission_classes = [IsOfficial]

    @extend_schema(request=ModerateSerializer, responses={200: ModeratedSerializer})
    def post(self, request, pk):
        review = selectors.review_get_for_moderation(official=request.user, pk=pk)
        if review is None:
            raise NotFound
        data = ModerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = reviews.review_moderate(
            review=review, official=request.user, **data.validated_data
        )
        return Response(ModeratedSerializer(review).data)


urlpatterns = [
    path("bookings/<uuid:pk>/review/", ReviewCreateApi.as_view(), name="api-review-create"),
    path(
        "listings/<int:listing_id>/reviews/",
        ListingReviewListApi.as_view(),
        name="api-listing-reviews",
    ),
    path("reviews/<int:pk>/reply/", ReviewReplyApi.as_view(), name="api-review-reply"),
    path("reviews/<int:pk>/report/", ReviewReportApi.as_view(), name="api-review-report"),
    path("reviews/<int:pk>/moderate/", ReviewModerateApi.as_view(), name="api-review-moderate"),
]
