from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """In-app notices (and e-mail where the person gave an address); every app may send them."""

    name = "portal.notifications"
    label = "notifications"
    verbose_name = _("通知")
