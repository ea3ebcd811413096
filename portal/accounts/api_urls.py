from django.urls import path
from rest_framework.routers import SimpleRouter

from portal.accounts import api

router = SimpleRouter()
router.register("divisions", api.DivisionViewSet, basename="division")

urlpatterns = [
    path("accounts/signup/", api.SignupApi.as_view(), name="api-signup"),
    path("accounts/token/", api.TokenObtainApi.as_view(), name="api-token"),
    path("accounts/me/", api.MeApi.as_view(), name="api-me"),
    path("accounts/me/export/", api.MyDataExportApi.as_view(), name="api-my-data-export"),
    path("accounts/me/erasure/", api.MyDataErasureApi.as_view(), name="api-my-data-erasure"),
    *router.urls,
]
