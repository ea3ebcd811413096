"""Page URLs of the services app."""

from django.urls import path

from services import views

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
]
