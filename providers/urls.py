from django.urls import path

from providers import views

app_name = "providers"

urlpatterns = [
    path("official/providers/", views.OfficialProviderListView.as_view(), name="official-list"),
    path(
        "official/providers/<uuid:pk>/",
        views.OfficialProviderDetailView.as_view(),
        name="official-detail",
    ),
    path("provider/organisations/", views.StaffHomeView.as_view(), name="staff-home"),
]
