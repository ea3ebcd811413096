from django.urls import path
from rest_framework.routers import SimpleRouter

from providers import api

router = SimpleRouter()
router.register("providers", api.ProviderViewSet, basename="provider")

urlpatterns = [
    path(
        "staff/<int:staff_id>/certificates/",
        api.CertificateCreateApi.as_view(),
        name="api-certificate-create",
    ),
    path("review-queue/", api.ReviewQueueApi.as_view(), name="api-review-queue"),
    path(
        "certificates/<int:certificate_id>/revoke/",
        api.CertificateRevokeApi.as_view(),
        name="api-certificate-revoke",
    ),
    path(
        "certificates/<int:certificate_id>/",
        api.CertificateDeleteApi.as_view(),
        name="api-certificate-delete",
    ),
    path("verify/", api.VerifyApi.as_view(), name="api-verify"),
    *router.urls,
]
