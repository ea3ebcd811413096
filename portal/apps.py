from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The project package as an app: site pages, health, demo seeding, scheduled housekeeping."""

    name = "portal"
    verbose_name = _("门户")
