from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Who did or saw what: an append-only log every app writes to."""

    name = "portal.audit"
    label = "audit"
    verbose_name = _("审计日志")
