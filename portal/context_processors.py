"""Template context every page needs: elder mode and the site's name."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

ELDER_MODE_COOKIE = "elder_mode"


def elder_mode_enabled(request) -> bool:
    """Signed-in people keep the setting on their account; visitors in a cookie."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.elder_mode
    return request.COOKIES.get(ELDER_MODE_COOKIE) == "1"


def portal(request) -> dict:
    english = translation.get_language() == "en"
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        from portal.notifications.selectors import notification_unread_count

        unread = notification_unread_count(user=user)
    return {
        "unread_notifications": unread,
        "elder_mode": elder_mode_enabled(request),
        "site_name": settings.PORTAL_SITE_NAME_EN if english else settings.PORTAL_SITE_NAME,
        "city_name": settings.PORTAL_CITY_NAME_EN if english else settings.PORTAL_CITY_NAME,
    }
