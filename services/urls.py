"""Page URLs of the services app."""

from django.urls import path

from services.views import cashier, desk, residents
from services.views import listings as views

app_name = "services"

urlpatterns = [
    path("search/", views.SearchView.as_view(), name="search"),
    path("services/<int:listing_id>/", views.ListingPublicView.as_view(), name="public-detail"),
    path(
        "provider/organisations/<uuid:pk>/listings/",
        views.StaffListingsView.as_view(),
        name="staff-listings",
    ),
    path(
        "provider/organisations/<uuid:pk>/listings/new/",
        views.ListingCreateView.as_view(),
        name="listing-new",
    ),
    path(
        "provider/listings/<int:listing_id>/edit/",
        views.ListingEditView.as_view(),
        name="listing-edit",
    ),
    path(
        "provider/listings/<int:listing_id>/schedule/",
        views.ScheduleView.as_view(),
        name="schedule",
    ),
    path(
        "provider/listings/<int:listing_id>/exceptions/",
        views.ExceptionCreateView.as_view(),
        name="exception-new",
    ),
    path(
        "provider/listings/<int:listing_id>/status/",
        views.ListingStatusView.as_view(),
        name="listing-status",
    ),
    path(
        "provider/listings/<int:listing_id>/photos/",
        views.PhotoCreateView.as_view(),
        name="photo-new",
    ),
    path("services/photos/<int:photo_id>/", views.PhotoView.as_view(), name="photo"),
    # A resident's bookings and records.
    path(
        "services/<int:listing_id>/book/<int:slot_id>/",
        residents.BookView.as_view(),
        name="book",
    ),
    path("services/<int:listing_id>/plan/", residents.PlanCreateView.as_view(), name="plan-new"),
    path(
        "services/<int:listing_id>/package/",
        residents.PackageBuyView.as_view(),
        name="package-buy",
    ),
    path("me/bookings/", residents.MyBookingsView.as_view(), name="my-bookings"),
    path("me/bookings/<uuid:pk>/", residents.MyBookingView.as_view(), name="my-booking"),
    path("me/family/", residents.FamilyView.as_view(), name="my-family"),
    path(
        "me/family/<int:pk>/remove/", residents.FamilyRemoveView.as_view(), name="my-family-remove"
    ),
    path("me/addresses/", residents.AddressesView.as_view(), name="my-addresses"),
    path(
        "me/addresses/<int:pk>/delete/",
        residents.AddressDeleteView.as_view(),
        name="my-address-delete",
    ),
    path("me/plans/", residents.PlansView.as_view(), name="my-plans"),
    path("me/plans/<int:pk>/status/", residents.PlanStatusView.as_view(), name="my-plan-status"),
    path("me/payments/", residents.PaymentsView.as_view(), name="my-payments"),
    path("me/family-doctor/", residents.DoctorView.as_view(), name="my-doctor"),
    path(
        "me/family-doctor/<int:pk>/renew/",
        residents.DoctorRenewView.as_view(),
        name="my-doctor-renew",
    ),
    path(
        "sandbox-pay/<str:reference>/",
        cashier.SandboxCashierView.as_view(),
        name="sandbox-cashier",
    ),
    # The provider's booking desk.
    path("provider/organisations/<uuid:pk>/bookings/", desk.DeskView.as_view(), name="desk"),
    path(
        "provider/organisations/<uuid:pk>/bookings/calendar/",
        desk.DeskCalendarView.as_view(),
        name="desk-calendar",
    ),
    path(
        "provider/organisations/<uuid:pk>/bookings/export.csv",
        desk.DeskExportView.as_view(),
        name="desk-export",
    ),
    path("provider/bookings/<uuid:pk>/", desk.StaffBookingView.as_view(), name="staff-booking"),
    path(
        "provider/bookings/<uuid:pk>/action/",
        desk.DeskActionView.as_view(),
        name="desk-action",
    ),
]
