"""Root URLs: pages of each app, the API under /api/v1/, schema and docs, health."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from openData import api_urls as open_data_api
from portal import views
from portal.accounts.forms import AdminPhoneAuthenticationForm

admin.site.login_form = AdminPhoneAuthenticationForm
admin.site.site_header = "社会服务平台管理后台"

api_v1 = [
    path("", include("portal.accounts.api_urls")),
    path("", include("services.api_urls")),
    path("", include("providers.api_urls")),
    path("", include("ratings.api_urls")),
    path("", include("matching.api_urls")),
    path("", include("volunteers.api_urls")),
    path("socialorgs/", include("socialorgs.api_urls")),
    path("", include(open_data_api.workflow)),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("prefs/elder-mode/", views.ElderModeView.as_view(), name="elder-mode"),
    path("api/v1/", include(api_v1)),
    # The public open-data API: no login for unconditional data, its own rate limits.
    path("api/open/v1/", include(open_data_api.public)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("", views.HomeView.as_view(), name="home"),
    path("privacy/", views.PrivacyNoticeView.as_view(), name="privacy"),
    path("accessibility/", views.AccessibilityView.as_view(), name="accessibility"),
    path("official/", views.OfficialWorkbenchView.as_view(), name="workbench-official"),
    path("provider/", views.ProviderWorkbenchView.as_view(), name="workbench-provider"),
    path("accounts/", include("portal.accounts.urls")),
    path("notifications/", include("portal.notifications.urls")),
    path("", include("providers.urls")),
    path("", include("services.urls")),
    path("", include("ratings.urls")),
    path("", include("matching.urls")),
    path("", include("openData.urls")),
    path("volunteers/", include("volunteers.urls")),
    path("socialorgs/", include("socialorgs.urls")),
]

handler403 = "portal.views.permission_denied"
handler404 = "portal.views.not_found"
handler500 = "portal.views.server_error"
