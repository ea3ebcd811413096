"""Site pages: home, workbenches, preferences, static notices and the health endpoint."""

from __future__ import annotations

import sys

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View, defaults
from django.views.generic import TemplateView

from portal import navigation
from portal.accounts import services as account_services
from portal.accounts.permissions import OfficialRequiredMixin, ProviderStaffRequiredMixin
from portal.api import error_body
from portal.context_processors import ELDER_MODE_COOKIE
from portal.health import health_report
from portal.middleware import DATABASE_UNAVAILABLE


class HomeView(TemplateView):
    template_name = "portal/home.html"


class PrivacyNoticeView(TemplateView):
    template_name = "portal/privacy.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(version=settings.PRIVACY_NOTICE_VERSION, **kwargs)


class AccessibilityView(TemplateView):
    template_name = "portal/accessibility.html"


class WorkbenchView(TemplateView):
    template_name = "portal/workbench.html"
    role = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(entries=navigation.entries_for(self.role), **kwargs)


class OfficialWorkbenchView(OfficialRequiredMixin, WorkbenchView):
    role = "official"


class ProviderWorkbenchView(ProviderStaffRequiredMixin, WorkbenchView):
    role = "provider_staff"


def _safe_next(request, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or fallback
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class ElderModeView(View):
    """Switch elder mode on or off: on the account when signed in, and in a cookie."""

    def post(self, request):
        enabled = request.POST.get("enabled") == "1"
        if request.user.is_authenticated:
            account_services.user_set_elder_mode(user=request.user, enabled=enabled)
        response = HttpResponseRedirect(_safe_next(request))
        response.set_cookie(
            ELDER_MODE_COOKIE,
            "1" if enabled else "0",
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.HTTPS,
            httponly=True,
        )
        return response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body(_("未找到。"), "not_found"), status=404)
    return defaults.page_not_found(request, exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        return JsonResponse(
            error_body(_("您没有执行该操作的权限。"), "permission_denied"), status=403
        )
    return defaults.permission_denied(request, exception)


def server_error(request):
    # An error raised in a middleware (a session saved to a database that went away) reaches
    # here rather than DatabaseUnavailableMiddleware; it is still a 503.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return service_unavailable(request)
    if _is_api(request):
        return JsonResponse(
            error_body(_("服务器内部错误，请稍后再试。"), "server_error"), status=500
        )
    return defaults.server_error(request)


def service_unavailable(request):
    """503 when the database cannot be reached. It renders without context processors and
    without the signed-in user: both would ask the database that just failed."""
    if _is_api(request):
        response = JsonResponse(
            error_body(_("服务暂时不可用，请稍后再试。"), "service_unavailable"), status=503
        )
    else:
        english = get_language() == "en"
        context = {
            "request": request,
            "user": AnonymousUser(),
            "elder_mode": request.COOKIES.get(ELDER_MODE_COOKIE) == "1",
            "site_name": settings.PORTAL_SITE_NAME_EN if english else settings.PORTAL_SITE_NAME,
            "city_name": settings.PORTAL_CITY_NAME_EN if english else settings.PORTAL_CITY_NAME,
        }
        response = HttpResponse(loader.render_to_string("503.html", context), status=503)
    response["Retry-After"] = "30"
    return response


def healthz(request):
    report, healthy = health_report()
    return JsonResponse(report, status=200 if healthy else 503)
