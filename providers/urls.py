from django.urls import path

from providers.views import official, public, staff

app_name = "providers"

urlpatterns = [
    # Public
    path("verify/", public.VerifyView.as_view(), name="verify"),
    path("providers/<uuid:pk>/", public.ProviderPublicView.as_view(), name="public-detail"),
    path("providers/<uuid:pk>/logo/", public.ProviderLogoView.as_view(), name="logo"),
    path("provider/register/", public.RegisterView.as_view(), name="register"),
    # Provider staff
    path("provider/organisations/", staff.StaffHomeView.as_view(), name="staff-home"),
    path("provider/organisation/", staff.StaffHomeView.as_view(), name="staff-home-short"),
    path("provider/organisations/<uuid:pk>/", staff.StaffDetailView.as_view(), name="staff-detail"),
    path(
        "provider/organisations/<uuid:pk>/edit/", staff.ProfileEditView.as_view(), name="staff-edit"
    ),
    path(
        "provider/organisations/<uuid:pk>/submit/", staff.SubmitView.as_view(), name="staff-submit"
    ),
    path(
        "provider/organisations/<uuid:pk>/branches/new/",
        staff.BranchFormView.as_view(),
        name="branch-new",
    ),
    path(
        "provider/organisations/<uuid:pk>/branches/<int:branch_id>/edit/",
        staff.BranchFormView.as_view(),
        name="branch-edit",
    ),
    path(
        "provider/organisations/<uuid:pk>/licences/new/",
        staff.LicenceCreateView.as_view(),
        name="licence-new",
    ),
    path(
        "provider/organisations/<uuid:pk>/licences/<int:licence_id>/delete/",
        staff.LicenceDeleteView.as_view(),
        name="licence-delete",
    ),
    path(
        "provider/organisations/<uuid:pk>/staff/", staff.StaffListView.as_view(), name="staff-list"
    ),
    path(
        "provider/organisations/<uuid:pk>/staff/new/",
        staff.StaffFormView.as_view(),
        name="staff-new",
    ),
    path(
        "provider/organisations/<uuid:pk>/staff/<int:staff_id>/edit/",
        staff.StaffFormView.as_view(),
        name="staff-edit-member",
    ),
    path(
        "provider/organisations/<uuid:pk>/staff/<int:staff_id>/certificates/new/",
        staff.CertificateCreateView.as_view(),
        name="certificate-new",
    ),
    path("licences/<int:licence_id>/scan/", staff.LicenceScanView.as_view(), name="licence-scan"),
    # Officials
    path("official/providers/", official.OfficialProviderListView.as_view(), name="official-list"),
    path("official/review/", official.ReviewQueueView.as_view(), name="review-queue"),
    path(
        "official/providers/<uuid:pk>/",
        official.OfficialProviderDetailView.as_view(),
        name="official-detail",
    ),
    path(
        "official/providers/<uuid:pk>/<str:action>/",
        official.DecisionView.as_view(),
        name="official-decide",
    ),
]
