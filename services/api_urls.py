from django.urls import path
from rest_framework.routers import SimpleRouter

from services import api

router = SimpleRouter()
router.register("categories", api.CategoryViewSet, basename="category")
router.register("listings", api.ListingViewSet, basename="listing")

urlpatterns = [
    path("search/", api.SearchApi.as_view(), name="api-search"),
    path(
        "providers/<uuid:pk>/listings/",
        api.ProviderListingsApi.as_view(),
        name="api-provider-listings",
    ),
    path(
        "providers/<uuid:pk>/listings/bulk/", api.ListingBulkApi.as_view(), name="api-listing-bulk"
    ),
    path(
        "providers/<uuid:pk>/schedules/bulk/",
        api.ScheduleBulkApi.as_view(),
        name="api-schedule-bulk",
    ),
    path(
        "listings/<int:listing_id>/schedule/",
        api.ListingScheduleApi.as_view(),
        name="api-listing-schedule",
    ),
    path(
        "listings/<int:listing_id>/status/",
        api.ListingStatusApi.as_view(),
        name="api-listing-status",
    ),
    *router.urls,
]
