from django.urls import path
from rest_framework.routers import SimpleRouter

from services import api, api_bookings

router = SimpleRouter()
router.register("categories", api.CategoryViewSet, basename="category")
router.register("listings", api.ListingViewSet, basename="listing")
router.register("bookings", api_bookings.BookingViewSet, basename="booking")
router.register("me/dependants", api_bookings.DependantViewSet, basename="dependant")
router.register("me/addresses", api_bookings.AddressViewSet, basename="address")
router.register("me/plans", api_bookings.PlanViewSet, basename="plan")
router.register("me/doctor-contracts", api_bookings.ContractViewSet, basename="contract")

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
    path(
        "providers/<uuid:pk>/bookings/",
        api_bookings.ProviderBookingsApi.as_view(),
        name="api-provider-bookings",
    ),
    path(
        "providers/<uuid:pk>/bookings/bulk/",
        api_bookings.ProviderBookingsBulkApi.as_view(),
        name="api-provider-bookings-bulk",
    ),
    path("me/payments/", api_bookings.MyPaymentsApi.as_view(), name="api-my-payments"),
    path(
        "doctor-packages/", api_bookings.DoctorPackageListApi.as_view(), name="api-doctor-packages"
    ),
    path(
        "payments/callbacks/<str:gateway>/",
        api_bookings.GatewayCallbackApi.as_view(),
        name="api-gateway-callback",
    ),
    *router.urls,
]
