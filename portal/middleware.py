"""Language choice: pages are Simplified Chinese unless the visitor switched to English."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

logger = logging.getLogger(__name__)

# What Django raises when the database cannot be reached or the connection dropped mid-request
# (OperationalError also covers a cancelled statement or a deadlock: "try again later" too).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


class PortalLocaleMiddleware(LocaleMiddleware):
    """Pages follow the language switch (a cookie) and default to Simplified Chinese, whatever
    the browser asks for: a city portal speaks its residents' language first. API clients may
    negotiate with Accept-Language as usual.
    """

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than MAX_REQUEST_BYTES before Django reads it (HTTP 413).

    Upload rules (5 MB scans, photos) are checked again per file; this stops a client from
    making the server spool a huge body first. Put the same limit in the reverse proxy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponse, JsonResponse

        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > settings.MAX_REQUEST_BYTES:
            message = translation.gettext("请求内容过大（上限 %(mb)d MB）。") % {
                "mb": settings.MAX_REQUEST_BYTES // (1024 * 1024)
            }
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": message, "code": "request_too_large", "fields": {}}, status=413
                )
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """A database that went away answers 503 (a page in the visitor's language, or the API's
    error shape) instead of a 500. The view's transaction was rolled back with the connection,
    so nothing of the request was half-written; the broken connection is closed when the
    request ends and the next request opens a new one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        from portal.views import service_unavailable

        logger.error(
            "database unavailable during %s %s: %s",
            request.method,
            request.path,
            exception,
            exc_info=exception,
        )
        return service_unavailable(request)
